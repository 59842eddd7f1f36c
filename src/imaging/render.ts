// From a decoded frame to what Orthanc's image routes answer: /preview stretches the gray range
// to 8 bits; /image-uint8, /image-uint16 and /image-int16 convert with saturation (gray only);
// /numpy writes the samples, or their modality values as float32 (.npy format 1.0).
import type { RawImage } from "./types.ts";
import { CHANNELS, type DecodedImage } from "./image.ts";

export type ImageMode = "preview" | "image-uint8" | "image-uint16" | "image-int16";

const clamp = (v: number, min: number, max: number) => (v < min ? min : v > max ? max : v);

/** A signed 16-bit image as PNG can hold it: the two's complement bits, as Orthanc writes them. */
const asPngSigned = (pixels: Int16Array) =>
  new Uint16Array(pixels.buffer, pixels.byteOffset, pixels.length);

/**
 * Orthanc's preview of a gray frame: the range of its values stretched to 0..255, computed as it
 * does in single precision (a * v + b, rounded half away from zero); a flat frame is black.
 */
function stretch(image: DecodedImage, invert: boolean): RawImage {
  const source = image.pixels;
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < source.length; i++) {
    const v = source[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const pixels = new Uint8Array(source.length);
  if (max > min) {
    const f32 = Math.fround;
    const a = f32(255 / f32(max - min));
    const b = f32(f32(-min) * a);
    for (let i = 0; i < source.length; i++) {
      const v = f32(f32(a * source[i]!) + b);
      pixels[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v + 0.5);
    }
  }
  if (invert) { for (let i = 0; i < pixels.length; i++) pixels[i] = 255 - pixels[i]!; }
  return { format: "Grayscale8", width: image.width, height: image.height, pixels };
}

/**
 * The image a mode answers, or undefined when the mode does not apply to this format (Orthanc
 * answers 415 then).
 */
export function renderFrame(
  image: DecodedImage,
  mode: ImageMode,
  monochrome1: boolean,
): RawImage | undefined {
  const { width, height } = image;
  const color = image.format === "RGB24" || image.format === "RGBA32";
  if (color) {
    if (mode !== "preview") return undefined;
    return {
      format: image.format as "RGB24" | "RGBA32",
      width,
      height,
      pixels: image.pixels as Uint8Array,
    };
  }
  const source = image.pixels;
  switch (mode) {
    case "preview":
      return stretch(image, monochrome1);
    case "image-uint8":
      return {
        format: "Grayscale8",
        width,
        height,
        pixels: Uint8Array.from(source, (v) => clamp(v, 0, 255)),
      };
    case "image-uint16":
      return {
        format: "Grayscale16",
        width,
        height,
        pixels: Uint16Array.from(source, (v) => clamp(v, 0, 65535)),
      };
    case "image-int16": {
      const signed = Int16Array.from(source, (v) => clamp(v, -32768, 32767));
      return { format: "Grayscale16", width, height, pixels: asPngSigned(signed) };
    }
  }
}

/** NumPy's name of each format's samples. */
const NPY_TYPES: Record<DecodedImage["format"], string> = {
  Grayscale8: "<u1",
  Grayscale16: "<u2",
  SignedGrayscale16: "<i2",
  RGB24: "<u1",
  RGBA32: "<u1",
};

/** A decoded frame for NumPy, with the modality rescale of its gray values, if asked for. */
export interface NpyFrame {
  image: DecodedImage;
  rescale?: { slope: number; intercept: number };
}

/**
 * Frames as a NumPy array (.npy format 1.0), as Orthanc writes it: one frame has the shape
 * (height, width, channels); a whole instance stacks its frames, (frames, height, width,
 * channels). Rescaled gray values are float32 modality values; otherwise the samples keep their
 * type. The frames share one format and size.
 */
export function encodeNpy(frames: NpyFrame[], stacked: boolean): Uint8Array {
  const { image: first, rescale } = frames[0]!;
  const channels = CHANNELS[first.format];
  const float = rescale !== undefined && channels === 1;
  const type = float ? "<f4" : NPY_TYPES[first.format];
  const shape = `${first.height},${first.width},${channels}`;
  const dict = `{'descr': '${type}', 'fortran_order': False, 'shape': (${
    stacked ? `${frames.length}, ${shape}` : shape
  }), }`;
  // The header is padded so that the data is 64-aligned.
  const headerLength = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const header = dict.padEnd(headerLength - 1, " ") + "\n";
  const bytesOf = ({ image, rescale }: NpyFrame): Uint8Array => {
    if (!float) {
      return new Uint8Array(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength);
    }
    const { slope, intercept } = rescale ?? { slope: 1, intercept: 0 };
    return new Uint8Array(Float32Array.from(image.pixels, (v) => v * slope + intercept).buffer);
  };
  const data = frames.map(bytesOf);
  const out = new Uint8Array(10 + headerLength + data.reduce((n, d) => n + d.length, 0));
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, headerLength, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  let pos = 10 + headerLength;
  for (const d of data) {
    out.set(d, pos);
    pos += d.length;
  }
  return out;
}
