// JPEG 2000 decoding with OpenJPEG 2.5.0 built here (codecs/openjpeg: WASM SIMD, -O3, LTO)
// rather than with dcmjs-codecs' OpenJPEG: the same pixels in less time in a codec worker.
// Runs in the codec workers.
import type { CodecOutput, FrameLayout } from "./jobs.ts";
import { loadStandalone, ModuleBuffer, type StandaloneExports } from "./standalone.ts";

interface OpenJpeg extends StandaloneExports {
  j2k_decode(data: number, size: number, info: number): number;
  j2k_copy(out: number, bytesPerSample: number): void;
  j2k_release(): void;
}

let codec:
  | { module: OpenJpeg; input: ModuleBuffer; output: ModuleBuffer; info: number }
  | undefined;
let ready: Promise<void> | undefined;

/** The bytes of the module's memory, which only grows. */
export function openJpegMemoryBytes(): number {
  return codec?.module.memory.buffer.byteLength ?? 0;
}

/** Loads the decoder (once) from the WASM module at `wasmPath`. */
export function loadOpenJpeg(wasmPath: string): Promise<void> {
  ready ??= loadStandalone<OpenJpeg>(wasmPath).then((module) => {
    const info = module.malloc(5 * 4);
    codec = { module, input: new ModuleBuffer(module), output: new ModuleBuffer(module), info };
  });
  return ready;
}

/**
 * The frame, or undefined when OpenJPEG refuses the codestream or its samples do not fit the
 * layout (subsampled components, 8-bit samples in 16-bit pixel data...): dcmjs-codecs' decoder
 * then takes it, as it always did.
 */
export function decodeJpeg2000(
  layout: FrameLayout,
  codestream: Uint8Array,
): CodecOutput | undefined {
  if (!codec) throw new Error("OpenJPEG is not loaded");
  const { module, input, output, info } = codec;
  const data = input.reserve(codestream.length);
  input.view(codestream.length).set(codestream);
  if (module.j2k_decode(data, codestream.length, info) !== 0) return undefined;
  const [width, height, components, precision] = new Int32Array(module.memory.buffer, info, 4);
  const bytesPerSample = precision! <= 8 ? 1 : precision! <= 16 ? 2 : 4;
  const fits = width === layout.columns && height === layout.rows &&
    components === layout.samplesPerPixel && bytesPerSample * 8 === layout.bitsAllocated;
  if (!fits) {
    module.j2k_release();
    return undefined;
  }
  const size = width! * height! * components! * bytesPerSample;
  module.j2k_copy(output.reserve(size), bytesPerSample);
  // Interleaved whatever the dataset's planar configuration, as dcmjs-codecs' decoder writes
  // them (though it answers the dataset's planar configuration).
  const color = layout.samplesPerPixel === 3;
  return {
    bytes: output.view(size),
    photometric: color ? "RGB" : layout.photometric,
    planar: false,
  };
}
