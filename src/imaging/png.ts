// A small PNG encoder (8/16-bit grayscale, RGB, RGBA) over zlib, for the image routes and the
// plugins' image answers.
import { deflateSync } from "node:zlib";
import type { RawImage } from "./types.ts";

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  // Bun's CRC-32 is zlib's, the one PNG uses, in native code.
  view.setUint32(8 + data.length, Bun.hash.crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const LAYOUT = {
  Grayscale8: { colorType: 0, bitDepth: 8, bytesPerPixel: 1 },
  Grayscale16: { colorType: 0, bitDepth: 16, bytesPerPixel: 2 },
  RGB24: { colorType: 2, bitDepth: 8, bytesPerPixel: 3 },
  RGBA32: { colorType: 6, bitDepth: 8, bytesPerPixel: 4 },
} as const;

/**
 * zlib's level 3 rather than its default 6: measured on the sample frames, it takes half the time
 * of level 6 on an RGB 640×480 (2.2 against 5.4 ms) for 5% more bytes, and about the same size
 * on gray CT and MR frames; level 1 makes them 15 to 50% larger.
 */
const ZLIB_LEVEL = 3;

/** Encodes packed rows of pixels as a PNG file. */
export function encodePng(image: RawImage): Uint8Array {
  const layout = LAYOUT[image.format];
  if (!layout) throw new TypeError(`Unsupported pixel format: ${String(image.format)}`);
  const { width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Bad image size: ${width}x${height}`);
  }
  const rowBytes = width * layout.bytesPerPixel;
  const pixels = new Uint8Array(
    image.pixels.buffer,
    image.pixels.byteOffset,
    image.pixels.byteLength,
  );
  if (pixels.length < rowBytes * height) {
    throw new RangeError(`${pixels.length} bytes of pixels for a ${width}x${height} image`);
  }
  // Each row starts with its filter type (0: none); 16-bit samples are big endian in PNG.
  const raw = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * rowBytes, (y + 1) * rowBytes);
    const at = y * (rowBytes + 1) + 1;
    if (layout.bitDepth === 16) {
      for (let i = 0; i < rowBytes; i += 2) {
        raw[at + i] = row[i + 1]!;
        raw[at + i + 1] = row[i]!;
      }
    } else raw.set(row, at);
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = layout.bitDepth;
  header[9] = layout.colorType;
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", new Uint8Array(deflateSync(raw, { level: ZLIB_LEVEL }))),
    chunk("IEND", new Uint8Array(0)),
  ];
  return new Uint8Array(Bun.concatArrayBuffers(parts));
}
