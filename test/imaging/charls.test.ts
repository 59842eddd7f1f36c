// JPEG-LS decodes with the CharLS built here (codecs/charls) to the very bytes dcmjs-codecs'
// CharLS gives (as @cornerstonejs/codec-charls, the decoder Pharos used before, did): every frame
// of every JPEG-LS sample, and color and 12-bit frames encoded here, lossless and near-lossless.
// A codestream whose samples do not fit the pixel module goes to dcmjs-codecs; one cut short or
// damaged throws (CharLS's throw traps), and the next frame decodes as before.
import { beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NativeCodecs } from "dcmjs-codecs";
import { parseDicom } from "../../src/dicom/parser.ts";
import { TransferSyntax } from "../../src/dicom/uids.ts";
import { compressedFrame, decodeBuiltinFrame } from "../../src/imaging/decode.ts";
import { pixelModule } from "../../src/imaging/image.ts";
import { decodeJpegLs } from "../../src/imaging/wasm/charls.ts";
import { context, loadCodecs } from "../../src/imaging/wasm/codestreams.ts";
import { WASM_MODULES } from "../../src/imaging/wasm/modules.ts";
import type { FrameLayout } from "../../src/imaging/wasm/jobs.ts";
import { samplesDir } from "../support/server.ts";

beforeAll(() => loadCodecs(WASM_MODULES));

/** What dcmjs-codecs' CharLS decodes. */
function dcmjs(layout: FrameLayout, codestream: Uint8Array) {
  const out = NativeCodecs.decodeJpegLs(context(layout, { encodedBuffer: codestream }));
  return { bytes: out.getDecodedBuffer()!.slice(), planar: out.getPlanarConfiguration() === 1 };
}

function expectSame(layout: FrameLayout, codestream: Uint8Array) {
  const ours = decodeJpegLs(layout, codestream);
  expect(ours).toBeDefined();
  const theirs = dcmjs(layout, codestream);
  expect(ours!.bytes).toEqual(theirs.bytes);
  expect(ours!.planar).toBe(layout.samplesPerPixel === 3 && theirs.planar);
}

const JPEG_LS: string[] = [TransferSyntax.JpegLsLossless, TransferSyntax.JpegLsNearLossless];

/** Every sample in JPEG-LS, found by its transfer syntax. */
const samples = readdirSync(samplesDir, { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".dcm"))
  .filter((file) =>
    JPEG_LS.includes(parseDicom(readFileSync(join(samplesDir, file))).transferSyntax)
  )
  .sort();

test("the samples in JPEG-LS are found", () => {
  expect(samples).toEqual(expect.arrayContaining([
    "Formats/JpegLossless.dcm",
    "TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm",
    "TransferSyntaxes/1.2.840.10008.1.2.4.81.dcm",
  ]));
});

for (const file of samples) {
  test(`${file}: every frame decodes to dcmjs-codecs' bytes`, () => {
    const parsed = parseDicom(readFileSync(join(samplesDir, file)));
    const frames = pixelModule(parsed)!.frames;
    expect(frames).toBeGreaterThan(0);
    for (let i = 0; i < frames; i++) {
      const frame = compressedFrame(parsed, i)!;
      expectSame(frame.pixelModule, frame.codestream);
    }
  });
}

/** A native sample encoded in JPEG-LS by dcmjs-codecs, with the layout it was encoded from. */
function encoded(file: string, options: Record<string, number | boolean>, planar = false) {
  const parsed = parseDicom(readFileSync(join(samplesDir, file)));
  const pm = pixelModule(parsed)!;
  const image = decodeBuiltinFrame(parsed, 0);
  if (!("pixels" in image)) throw new Error(`${file} does not decode`);
  let native = new Uint8Array(image.pixels.buffer.slice(0));
  const color = pm.samplesPerPixel === 3;
  if (planar) {
    const n = pm.rows * pm.columns;
    native = new Uint8Array(3 * n).map((_, i) => native[3 * (i % n) + Math.floor(i / n)]!);
  }
  const layout = { ...pm, planar, photometric: color ? "RGB" : pm.photometric };
  const out = NativeCodecs.encodeJpegLs(context(layout, { decodedBuffer: native }), options);
  return { layout, codestream: out.getEncodedBuffer()!.slice() };
}

/** Lossless, and near-lossless (each sample within 3). */
const VARIANTS: Record<string, number | boolean>[] = [
  { lossy: false },
  { lossy: true, allowedLossyError: 3 },
];

for (
  const [file, planar] of [
    ["TransferSyntaxes/1.2.840.10008.1.2.1.dcm", false],
    ["TransferSyntaxes/1.2.840.10008.1.2.1.dcm", true],
    ["TransferSyntaxes/1.2.840.10008.1.2.dcm", false],
  ] as const
) {
  for (const options of VARIANTS) {
    test(`${file}${planar ? " (planar)" : ""} encoded ${JSON.stringify(options)} decodes alike`, () => {
      const { layout, codestream } = encoded(file, options, planar);
      expectSame(layout, codestream);
    });
  }
}

test("8-bit samples in 16-bit pixel data are left to dcmjs-codecs", () => {
  const { layout, codestream } = encoded("TransferSyntaxes/1.2.840.10008.1.2.1.dcm", {
    lossy: false,
  });
  expect(decodeJpegLs({ ...layout, bitsAllocated: 16, bitsStored: 16 }, codestream))
    .toBeUndefined();
  expect(decodeJpegLs(layout, codestream)?.bytes.length).toBe(layout.rows * layout.columns * 3);
});

/** The lossless CT sample's frame. */
function ctFrame() {
  const frame = compressedFrame(
    parseDicom(readFileSync(join(samplesDir, "TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm"))),
    0,
  )!;
  expect(frame.transferSyntax).toBe(TransferSyntax.JpegLsLossless);
  return frame;
}

/** Ways to break a codestream: cut after its start of image, cut short, damaged in its scan. */
const BREAKS: [string, (codestream: Uint8Array) => Uint8Array][] = [
  ["cut after its start of image", (codestream) => codestream.slice(0, 2)],
  ["cut short", (codestream) => codestream.slice(0, 200)],
  ["zeroed in its scan", (codestream) => codestream.slice().fill(0, 400, 2000)],
  ["filled with 0xff in its scan", (codestream) => codestream.slice().fill(0xff, 400, 2000)],
  ["filled with 0x5a in its scan", (codestream) => codestream.slice().fill(0x5a, 400, 2000)],
];

for (const [label, broken] of BREAKS) {
  test(`a codestream ${label} throws, and the next one decodes`, () => {
    const frame = ctFrame();
    expect(() => decodeJpegLs(frame.pixelModule, broken(frame.codestream))).toThrow(
      "CharLS refuses the codestream",
    );
    expectSame(frame.pixelModule, frame.codestream);
  });
}

test("a codestream cut in its scan is refused at once, not after reading zeros for seconds", () => {
  const frame = ctFrame();
  for (const fraction of [0.1, 0.5, 0.9]) {
    const cut = frame.codestream.subarray(0, Math.floor(frame.codestream.length * fraction));
    const started = performance.now();
    expect(() => decodeJpegLs(frame.pixelModule, cut)).toThrow("CharLS refuses the codestream");
    // CharLS alone took 4 to 7 s on each.
    expect(performance.now() - started).toBeLessThan(1500);
  }
});
