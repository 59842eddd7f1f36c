// /rendered's windowing reads two samples a step when the buffers are aligned for it, one at a
// time otherwise: both must give the same bytes, signed or not, for even and odd lengths.
import { expect, test } from "bun:test";
import { renderForViewer } from "../../src/imaging/rendered.ts";
import type { DecodedImage } from "../../src/imaging/image.ts";
import { decodePng } from "../../src/imaging/png-decode.ts";
import { encodePng } from "../../src/imaging/png.ts";
import type { RawImage } from "../../src/imaging/types.ts";
import { runJob } from "../../src/imaging/wasm/codestreams.ts";

const options = {
  rescale: { slope: 1, intercept: -1024 },
  window: { center: 40, width: 400 },
  invert: false,
  width: 0,
  height: 0,
  smooth: false,
};

function samples(count: number, offset: number, signed: boolean) {
  const buffer = new ArrayBuffer(offset + count * 2);
  const pixels = signed
    ? new Int16Array(buffer, offset, count)
    : new Uint16Array(buffer, offset, count);
  for (let i = 0; i < count; i++) pixels[i] = ((i * 2654435761) >>> 20) - (signed ? 2048 : 0);
  return pixels;
}

/** The window computed sample by sample, as the renderer's table defines it. */
function expected(pixels: Int16Array | Uint16Array, signed: boolean): Uint8Array {
  const one = (value: number) => {
    const format = signed ? "SignedGrayscale16" : "Grayscale16";
    const single = signed ? new Int16Array([value]) : new Uint16Array([value]);
    const image = { format, width: 1, height: 1, pixels: single } as DecodedImage;
    return (renderForViewer(image, options).pixels as Uint8Array)[0]!;
  };
  return Uint8Array.from(pixels, one);
}

for (const signed of [false, true]) {
  for (const [count, offset] of [[64, 0], [63, 0], [64, 2], [63, 2]] as const) {
    test(`${signed ? "signed" : "unsigned"} samples: ${count} at byte ${offset}`, () => {
      const pixels = samples(count, offset, signed);
      const format = signed ? "SignedGrayscale16" : "Grayscale16";
      const image = { format, width: count, height: 1, pixels } as DecodedImage;
      const out = renderForViewer(image, options).pixels as Uint8Array;
      expect(out).toEqual(expected(pixels, signed));
      expect(new Set(out).size).toBeGreaterThan(2);
    });
  }
}

test("8-bit PNG rows come back as they were, at every width and height", () => {
  for (const [width, height] of [[1, 1], [3, 5], [256, 7], [7, 256]] as const) {
    const pixels = Uint8Array.from({ length: width * height }, (_, i) => (i * 31) & 255);
    const decoded = decodePng(encodePng({ format: "Grayscale8", width, height, pixels }));
    expect(decoded.pixels).toEqual(pixels);
  }
});

test("a codec worker's rendered jobs reuse its buffers: each answer is the one a fresh render gives", () => {
  const frame = (width: number, height: number, format: DecodedImage["format"], seed: number) => {
    const count = width * height;
    const pixels = format === "Grayscale8"
      ? Uint8Array.from({ length: count }, (_, i) => (i * seed) & 255)
      : format === "SignedGrayscale16"
      ? Int16Array.from({ length: count }, (_, i) => ((i * seed) & 4095) - 2048)
      : Uint16Array.from({ length: count }, (_, i) => (i * seed) & 4095);
    return { format, width, height, pixels } as DecodedImage;
  };
  // Large first, then smaller ones: what a later job leaves unwritten must not show.
  const frames = [
    frame(300, 200, "Grayscale16", 7),
    frame(64, 32, "SignedGrayscale16", 13),
    frame(17, 9, "Grayscale8", 29),
    frame(300, 200, "Grayscale16", 11),
  ];
  for (const [i, image] of frames.entries()) {
    const sized = { ...options, width: i === 3 ? 150 : 0, invert: i === 2 };
    const answer = runJob({
      kind: "rendered",
      encoding: "png",
      frame: { image },
      options: sized,
      quality: 90,
    }).bytes;
    expect(answer).toEqual(encodePng(renderForViewer(image, sized)));
  }
});

test("a 16-bit PNG answer after an 8-bit one in the same worker has its rows' filter bytes", () => {
  const gray8 = {
    format: "Grayscale8",
    width: 40,
    height: 40,
    pixels: new Uint8Array(1600).fill(7),
  };
  const pixels = Uint16Array.from({ length: 600 }, (_, i) => i * 97);
  const gray16 = { format: "Grayscale16", width: 30, height: 20, pixels };
  for (const image of [gray8, gray16] as RawImage[]) {
    const answer = runJob({ kind: "answer", encoding: "png", image, quality: 90 }).bytes;
    expect(answer).toEqual(encodePng(image));
    expect(decodePng(answer).pixels).toEqual(image.pixels);
  }
});
