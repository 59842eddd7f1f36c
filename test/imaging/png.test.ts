// The PNG encoder: every format reads back to the same pixels, through zlib's checks (Adler-32)
// as well as our decoder's, whichever deflate library compressed it.
import { expect, test } from "bun:test";
import { inflateSync } from "node:zlib";
import { encodePng } from "../../src/imaging/png.ts";
import { decodePng } from "../../src/imaging/png-decode.ts";
import type { RawImage } from "../../src/imaging/types.ts";

const CHANNELS = { Grayscale8: 1, Grayscale16: 2, RGB24: 3, RGBA32: 4 } as const;

/** A gradient with noise: runs for RLE matching and literals too. */
function image(format: RawImage["format"], width: number, height: number): RawImage {
  const pixels = new Uint8Array(width * height * CHANNELS[format]);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i >> 7) % 5 === 0 ? 17 : (i * 31) ^ (i >> 3);
  return { format, width, height, pixels };
}

/** The IDAT data, which zlib inflates only with a valid header and checksum. */
function idat(png: Uint8Array): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset);
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (type === "IDAT") return png.subarray(at + 8, at + 8 + length);
    at += 12 + length;
  }
  throw new Error("no IDAT");
}

for (const format of ["Grayscale8", "Grayscale16", "RGB24", "RGBA32"] as const) {
  test(`${format} reads back to the same pixels`, () => {
    const original = image(format, 301, 77);
    const png = encodePng(original);
    const rows = inflateSync(idat(png));
    expect(rows.length).toBe((301 * CHANNELS[format] + 1) * 77);
    const back = decodePng(png);
    expect(back.format).toBe(format);
    expect([back.width, back.height]).toEqual([301, 77]);
    const bytes = (p: RawImage["pixels"]) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
    if (format === "Grayscale16") {
      // Samples are native 16-bit values on both sides.
      expect(bytes(back.pixels)).toEqual(bytes(original.pixels));
    } else expect(bytes(back.pixels)).toEqual(original.pixels as Uint8Array);
  });
}
