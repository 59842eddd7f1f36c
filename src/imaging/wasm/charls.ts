// JPEG-LS decoding with CharLS 2.4.2 built here (codecs/charls: -O3, LTO, WASM SIMD, no exception
// catching) rather than dcmjs-codecs' CharLS 2.3 or @cornerstonejs/codec-charls' 2.4: the same
// pixels in less time in a codec worker (CT 256×1024 lossless: 3.1 against 3.5 ms for
// cornerstone's, 4.8 for dcmjs-codecs'; 512×512 near-lossless: 3.2 against 3.4 and 4.8 ms).
// Runs in the codec workers.
import type { CodecOutput, FrameLayout } from "./jobs.ts";
import {
  compileStandalone,
  instantiateStandalone,
  ModuleBuffer,
  type StandaloneExports,
} from "./standalone.ts";

interface CharLS extends StandaloneExports {
  jls_read_header(data: number, size: number, info: number): number;
  jls_decode(out: number, size: number): number;
  jls_release(): void;
}

interface Instance {
  module: CharLS;
  input: ModuleBuffer;
  output: ModuleBuffer;
  info: number;
}

let compiled: WebAssembly.Module | undefined;
let instance: Instance | undefined;
let ready: Promise<void> | undefined;

function instantiate(): Instance {
  const module = instantiateStandalone<CharLS>(compiled!);
  const info = module.malloc(5 * 4);
  return { module, input: new ModuleBuffer(module), output: new ModuleBuffer(module), info };
}

/** Loads the decoder (once) from the WASM module at `wasmPath`. */
export function loadCharLS(wasmPath: string): Promise<void> {
  ready ??= compileStandalone(wasmPath).then((module) => {
    compiled = module;
    instance = instantiate();
  });
  return ready;
}

/** The bytes of the current instance's memory, which only grows. */
export function charlsMemoryBytes(): number {
  return instance?.module.memory.buffer.byteLength ?? 0;
}

/**
 * The frame, or undefined when its samples do not have the layout's size (a codestream of 8-bit
 * samples in 16-bit pixel data...), which dcmjs-codecs' decoder then takes as it always did.
 * Throws on a codestream CharLS refuses, or whose image is not the dataset's size.
 */
export function decodeJpegLs(layout: FrameLayout, codestream: Uint8Array): CodecOutput | undefined {
  if (!compiled) throw new Error("CharLS is not loaded");
  instance ??= instantiate();
  try {
    return decode(instance, layout, codestream);
  } catch (error) {
    // A CharLS throw aborts the module (codecs/charls/build.sh: the proc_exit of standalone.ts
    // throws), leaving its stack and heap half-way through a call: the next frame gets a new
    // instance.
    instance = undefined;
    throw new Error("CharLS refuses the codestream", { cause: error });
  }
}

function decode(
  { module, input, output, info }: Instance,
  layout: FrameLayout,
  codestream: Uint8Array,
): CodecOutput | undefined {
  const data = input.reserve(codestream.length);
  input.view(codestream.length).set(codestream);
  const refused = module.jls_read_header(data, codestream.length, info);
  if (refused) throw new Error(`CharLS error ${refused}`);
  const [width, height, components, bits, size] = new Int32Array(module.memory.buffer, info, 5);
  const bytesPerSample = bits! <= 8 ? 1 : 2;
  const sameSize = width === layout.columns && height === layout.rows &&
    components === layout.samplesPerPixel;
  const fits = sameSize && bytesPerSample * 8 === layout.bitsAllocated;
  if (!fits) module.jls_release();
  // declared-size.ts refuses another size before any decoder runs; this is for a frame header
  // it could not read. dcmjs-codecs would decode such a codestream at whatever size it declares.
  if (!sameSize) throw new Error(`The codestream declares ${width}x${height}x${components}`);
  if (!fits) return undefined;
  const failed = module.jls_decode(output.reserve(size!), size!);
  if (failed) throw new Error(`CharLS error ${failed}`);
  const color = layout.samplesPerPixel === 3;
  // As dcmjs-codecs' decoder: the samples as CharLS lays them out, the planar configuration the
  // dataset's.
  return {
    bytes: output.view(size!),
    photometric: color ? "RGB" : layout.photometric,
    planar: color && layout.planar,
  };
}
