// The PNG and JPEG decoders behind /tools/create-dicom: what the encoders write comes back, every
// PNG filter is undone, and the formats Orthanc 1.10.1 does not read are refused as it does;
// sizes a file cannot hold are refused before anything is allocated.
import { describe, expect, test } from "bun:test";
import { deflateSync } from "node:zlib";
import { decodeJpeg, JpegDecodeError } from "../../src/imaging/jpeg-decode.ts";
import { encodeJpeg } from "../../src/imaging/jpeg.ts";
import { decodePng, PngDecodeError } from "../../src/imaging/png-decode.ts";
import { encodePng } from "../../src/imaging/png.ts";

/** A PNG written by hand: `raw` is the filtered rows (each with its filter byte). */
function png(
  width: number,
  height: number,
  depth: number,
  colorType: number,
  raw: ArrayLike<number>,
) {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    new DataView(out.buffer).setUint32(0, data.length);
    for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
    out.set(data, 8);
    return out; // CRCs left zero: the decoder does not check them.
  };
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  header[8] = depth;
  header[9] = colorType;
  return new Uint8Array(Buffer.concat([
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Uint8Array.from(raw))),
    chunk("IEND", new Uint8Array(0)),
  ]));
}

describe("decodePng", () => {
  test("reads back what the encoder writes, 8- and 16-bit", () => {
    const gray = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
    expect(decodePng(encodePng({ format: "Grayscale8", width: 4, height: 3, pixels: gray })))
      .toEqual({ format: "Grayscale8", width: 4, height: 3, pixels: gray });
    const deep = Uint16Array.from({ length: 6 }, (_, i) => i * 12345);
    expect(decodePng(encodePng({ format: "Grayscale16", width: 3, height: 2, pixels: deep })))
      .toEqual({ format: "Grayscale16", width: 3, height: 2, pixels: deep });
  });

  test("undoes the sub, up, average and Paeth filters", () => {
    const image = decodePng(png(2, 4, 8, 2, [
      1,
      10,
      20,
      30,
      5,
      5,
      5,
      2,
      1,
      1,
      1,
      2,
      2,
      2,
      3,
      4,
      4,
      4,
      5,
      5,
      5,
      4,
      7,
      7,
      7,
      200,
      9,
      9,
    ]));
    expect([...image.pixels]).toEqual([
      10,
      20,
      30,
      15,
      25,
      35,
      11,
      21,
      31,
      17,
      27,
      37,
      9,
      14,
      19,
      18,
      25,
      33,
      16,
      21,
      26,
      218,
      34,
      42,
    ]);
  });

  test("refuses palettes, gray with alpha and low bit depths, and what is not a PNG", () => {
    const kind = (bytes: Uint8Array) => {
      try {
        decodePng(bytes);
        return "decoded";
      } catch (e) {
        return (e as PngDecodeError).kind;
      }
    };
    expect(kind(png(2, 1, 8, 3, [0, 0, 1]))).toBe("NotImplemented");
    expect(kind(png(1, 1, 8, 4, [0, 1, 2]))).toBe("NotImplemented");
    expect(kind(png(8, 1, 1, 0, [0, 0xa5]))).toBe("NotImplemented");
    expect(kind(png(1, 1, 16, 2, [0, 1, 2, 3, 4, 5, 6]))).toBe("NotImplemented");
    expect(kind(Uint8Array.of(0, 0, 0))).toBe("BadFileFormat");
  });
});

describe("decodeJpeg", () => {
  test("decodes the encoder's images: color to its size, flat gray exactly", () => {
    const pixels = Uint8Array.from({ length: 24 * 16 * 3 }, (_, i) => (i * 3) & 255);
    const image = decodeJpeg(encodeJpeg({ format: "RGB24", width: 24, height: 16, pixels }, 95));
    expect([image.format, image.width, image.height]).toEqual(["RGB24", 24, 16]);
    const flat = new Uint8Array(17 * 9).fill(77);
    const gray = decodeJpeg(
      encodeJpeg({ format: "Grayscale8", width: 17, height: 9, pixels: flat }),
    );
    expect(gray).toEqual({ format: "Grayscale8", width: 17, height: 9, pixels: flat });
  });

  test("refuses lossless and arithmetic-coded files, and what is not a JPEG", () => {
    for (const marker of [0xc3, 0xc9]) {
      const frame = Uint8Array.of(0xff, 0xd8, 0xff, marker, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0);
      expect(() => decodeJpeg(frame)).toThrow(JpegDecodeError);
    }
    expect(() => decodeJpeg(Uint8Array.of(1, 2, 3))).toThrow(JpegDecodeError);
  });
});

test("a PNG cannot inflate past its image, nor a JPEG claim more than its file holds", () => {
  // 10 MB of zeros deflate to ~10 kB: far more rows than the 100x100 image has.
  expect(() => decodePng(png(100, 100, 8, 0, new Uint8Array(10_000_000)))).toThrow(PngDecodeError);
  expect(decodePng(png(100, 100, 8, 0, new Uint8Array(101 * 100))).width).toBe(100);
  const jpeg = encodeJpeg({
    format: "Grayscale8",
    width: 8,
    height: 8,
    pixels: new Uint8Array(64),
  });
  const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
  jpeg.fill(0xff, sof + 5, sof + 9);
  expect(() => decodeJpeg(jpeg)).toThrow(JpegDecodeError);
});
