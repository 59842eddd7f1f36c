// The loading of a WASM module built here by Emscripten as standalone WASM (codecs/*/build.sh):
// no Emscripten JavaScript, only the few imports its C library may ask for, and buffers in its
// memory that last from one frame to the next.

/** What every such module exports, beside its own functions. */
export interface StandaloneExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  free(pointer: number): void;
}

/** WASI's EBADF: the modules have no files, only stdio code that the decoders never run. */
const EBADF = 8;

function imports(memory: () => WebAssembly.Memory): WebAssembly.Imports {
  const noFile = () => EBADF;
  return {
    env: { emscripten_notify_memory_growth: () => undefined },
    wasi_snapshot_preview1: {
      fd_write: noFile,
      fd_close: noFile,
      fd_seek: noFile,
      // An empty environment (OpenJPEG reads OPJ_NUM_THREADS, which does not apply here).
      environ_sizes_get: (count: number, size: number) => {
        const view = new DataView(memory().buffer);
        view.setUint32(count, 0, true);
        view.setUint32(size, 0, true);
        return 0;
      },
      environ_get: () => 0,
      proc_exit: (code: number) => {
        throw new Error(`WASM module exited with ${code}`);
      },
    },
  };
}

/** Compiles the module at `wasmPath`, to instantiate with instantiateStandalone. */
export async function compileStandalone(wasmPath: string): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await Bun.file(wasmPath).arrayBuffer());
}

/** A new instance of `compiled`, its static constructors run. */
export function instantiateStandalone<T extends StandaloneExports>(
  compiled: WebAssembly.Module,
): T {
  // The imports read the memory, which exists once the instance does.
  const module: { exports?: T } = {};
  const instance = new WebAssembly.Instance(compiled, imports(() => module.exports!.memory));
  module.exports = instance.exports as unknown as T;
  module.exports._initialize();
  return module.exports;
}

/** Instantiates the module at `wasmPath` and runs its static constructors. */
export async function loadStandalone<T extends StandaloneExports>(wasmPath: string): Promise<T> {
  return instantiateStandalone<T>(await compileStandalone(wasmPath));
}

/** A buffer in a module's memory, reused for each frame and grown when one needs more. */
export class ModuleBuffer {
  #at = 0;
  #size = 0;

  constructor(private readonly module: StandaloneExports) {}

  /** The address of at least `size` bytes. */
  reserve(size: number): number {
    if (this.#size < size || !this.#at) {
      if (this.#at) this.module.free(this.#at);
      this.#at = this.module.malloc(Math.max(size, 1));
      this.#size = this.#at ? size : 0;
      if (!this.#at) throw new Error("WASM codec is out of memory");
    }
    return this.#at;
  }

  /** `size` bytes at the buffer, as a view of the module's memory. */
  view(size: number): Uint8Array {
    return new Uint8Array(this.module.memory.buffer, this.#at, size);
  }
}
