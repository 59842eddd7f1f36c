// The baseline JPEG encoder, decoded by DCMTK (img2dcm wraps the JPEG file, dcmdjpeg decodes it
// with the IJG library): clean decodes, the pixels close to the source, smaller files at lower
// quality, and the edge cases of its Huffman tables (noise, flat images, 1×1).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findElement, parseDicom } from "../../src/dicom/parser.ts";
import { Tags } from "../../src/dicom/tag.ts";
import { buildHuffman, encodeJpeg } from "../../src/imaging/jpeg.ts";
import type { RawImage } from "../../src/plugins/pharos-plugin.d.ts";

const dir = mkdtempSync(join(tmpdir(), "pharos-jpeg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pixels DCMTK decodes from the JPEG file, and what it said on stderr. */
function decode(jpeg: Uint8Array): { pixels: Uint8Array; warnings: string } {
  writeFileSync(join(dir, "in.jpg"), jpeg);
  const wrap = Bun.spawnSync(["img2dcm", join(dir, "in.jpg"), join(dir, "in.dcm")]);
  expect(wrap.exitCode).toBe(0);
  const run = Bun.spawnSync(["dcmdjpeg", "+cl", join(dir, "in.dcm"), join(dir, "out.dcm")]);
  expect(run.exitCode).toBe(0);
  const parsed = parseDicom(new Uint8Array(readFileSync(join(dir, "out.dcm"))));
  const e = findElement(parsed.dataset, Tags.PixelData)!;
  return {
    pixels: parsed.dataset.source.bytes.slice(e.offset, e.offset + e.length),
    warnings: run.stderr.toString(),
  };
}

function psnr(image: RawImage, decoded: Uint8Array): number {
  const source = image.pixels as Uint8Array;
  let squares = 0;
  for (let i = 0; i < source.length; i++) squares += (source[i]! - decoded[i]!) ** 2;
  return squares === 0 ? Infinity : 10 * Math.log10((255 * 255 * source.length) / squares);
}

function image(
  format: "Grayscale8" | "RGB24",
  width: number,
  height: number,
  f: (i: number) => number,
): RawImage {
  const channels = format === "RGB24" ? 3 : 1;
  return {
    format,
    width,
    height,
    pixels: Uint8Array.from({ length: width * height * channels }, (_, i) => f(i)),
  };
}

const wave = (w: number, channels: number) => (i: number) => {
  const p = Math.floor(i / channels), c = i % channels;
  const x = p % w, y = Math.floor(p / w);
  return Math.round(127 + 100 * Math.sin(x / 9 + c) * Math.cos(y / 7 - c));
};

describe("baseline JPEG encoder", () => {
  for (const format of ["Grayscale8", "RGB24"] as const) {
    test(`${format}: clean decodes, quality trades size for fidelity`, () => {
      const source = image(format, 203, 77, wave(203, format === "RGB24" ? 3 : 1));
      const sizes: number[] = [];
      const fidelity: number[] = [];
      for (const quality of [10, 50, 90, 100]) {
        const jpeg = encodeJpeg(source, quality);
        const { pixels, warnings } = decode(jpeg);
        expect(warnings).toBe("");
        sizes.push(jpeg.length);
        fidelity.push(psnr(source, pixels));
      }
      expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
      expect(fidelity[2]).toBeGreaterThan(40);
      expect(fidelity[3]).toBeGreaterThan(44);
      expect(fidelity[0]).toBeLessThan(fidelity[3]!);
    });
  }

  test("noise (many Huffman symbols), a flat image, 1×1: all decode cleanly", () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    const cases: [RawImage, number][] = [
      [image("RGB24", 33, 17, random), 30],
      [image("Grayscale8", 64, 64, random), 30],
      [image("Grayscale8", 8, 8, () => 200), 50],
      [image("RGB24", 1, 1, (i) => [10, 200, 90][i]!), 35],
    ];
    for (const [source, minimum] of cases) {
      for (const quality of [75, 100]) {
        const { pixels, warnings } = decode(encodeJpeg(source, quality));
        expect(warnings).toBe("");
        expect(psnr(source, pixels)).toBeGreaterThan(quality === 100 ? minimum : minimum / 2);
      }
    }
  });

  test("Huffman tables: at most 16 bits, a prefix code, no all-ones code, even when skewed", () => {
    const fibonacci = new Uint32Array(257);
    let [a, b] = [1, 1];
    for (let s = 0; s < 30; s++) {
      fibonacci[s] = a;
      [a, b] = [b, a + b];
    }
    for (
      const frequencies of [
        fibonacci,
        Uint32Array.from({ length: 257 }, (_, s) => (s < 256 ? 1 : 0)),
      ]
    ) {
      const table = buildHuffman(frequencies);
      const used = table.symbols;
      expect(used.length).toBe(frequencies.filter((f) => f > 0).length);
      expect(table.counts.reduce((n, c) => n + c, 0)).toBe(used.length);
      let kraft = 0;
      const codes = new Set<string>();
      for (const s of used) {
        const len = table.length[s]!;
        expect(len).toBeGreaterThan(0);
        expect(len).toBeLessThanOrEqual(16);
        kraft += 2 ** -len;
        const code = table.code[s]!.toString(2).padStart(len, "0");
        expect(code).not.toBe("1".repeat(len));
        for (const other of codes) {
          expect(code.startsWith(other) || other.startsWith(code)).toBe(false);
        }
        codes.add(code);
      }
      expect(kraft).toBeLessThan(1);
    }
  });

  test("refuses 16-bit images and qualities outside 1–100", () => {
    const gray16: RawImage = {
      format: "Grayscale16",
      width: 2,
      height: 2,
      pixels: new Uint16Array(4),
    };
    expect(() => encodeJpeg(gray16)).toThrow(TypeError);
    const gray8 = image("Grayscale8", 2, 2, () => 0);
    expect(() => encodeJpeg(gray8, 0)).toThrow(RangeError);
    expect(() => encodeJpeg(gray8, 101)).toThrow(RangeError);
  });
});
