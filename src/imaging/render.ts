// From a decoded frame to what Orthanc's image routes answer: /preview stretches the gray range
// to 8 bits; /image-uint8, /image-uint16 and /image-int16 convert with saturation (gray only);
// /numpy writes the values as float32 (.npy format 1.0).
import type { RawImage } from "./types.ts";
import { CHANNELS, type DecodedImage } from "./image.ts";

export type ImageMode = "preview" | "image-uint8" | "image-uint16" | "image-int16";

const clamp = (v: number, min: number, max: number) => (v < min ? min : v > max ? max : v);

/** A signed 16-bit image as PNG can hold it: the two's complement bits, as Orthanc writes them. */
const asPngSigned = (pixels: Int16Array) =>
  new Uint16Array(pixels.buffer, pixels.byteOffset, pixels.length);

function stretch(image: DecodedImage, invert: boolean): RawImage {
  const source = image.pixels;
  let min = Infinity, max = -Infinity;
  for (const v of source) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const pixels = new Uint8Array(source.length);
  const scale = max > min ? 255 / (max - min) : 0;
  for (let i = 0; i < source.length; i++) {
    const v = Math.round((source[i]! - min) * scale);
    pixels[i] = invert ? 255 - v : v;
  }
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
      if (image.format === "Grayscale8" && !monochrome1) {
        return { format: "Grayscale8", width, height, pixels: source as Uint8Array };
      }
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

/**
 * The frame as a NumPy array of shape (height, width, channels), as Orthanc writes it: with
 * `rescale`, gray values become float32 modality values; otherwise the samples keep their type.
 */
export function encodeNpy(
  image: DecodedImage,
  rescale?: { slope: number; intercept: number },
): Uint8Array {
  const channels = CHANNELS[image.format];
  const float = rescale !== undefined && channels === 1;
  const type = float ? "<f4" : NPY_TYPES[image.format];
  const dict =
    `{'descr': '${type}', 'fortran_order': False, 'shape': (${image.height},${image.width},${channels}), }`;
  // Format 1.0: magic, version, header length; the header is padded so that the data is 64-aligned.
  const headerLength = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const header = dict.padEnd(headerLength - 1, " ") + "\n";
  const data = float ? new Float32Array(image.pixels.length) : image.pixels;
  if (float) {
    for (let i = 0; i < data.length; i++) {
      data[i] = image.pixels[i]! * rescale.slope + rescale.intercept;
    }
  }
  const out = new Uint8Array(10 + headerLength + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, headerLength, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + headerLength);
  return out;
}
