// JPEG-LS decodes with @cornerstonejs/codec-charls to the very bytes dcmjs-codecs' CharLS gives
// (the decoder Pharos used before): every JPEG-LS sample, and color and 12-bit frames encoded
// here, lossless and near-lossless. A codestream whose samples do not fit the pixel module goes
// to dcmjs-codecs; one cut short throws.
import { beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
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

for (
  const file of [
    "TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm",
    "TransferSyntaxes/1.2.840.10008.1.2.4.81.dcm",
    "Formats/JpegLossless.dcm",
  ]
) {
  test(`${file} decodes to dcmjs-codecs' bytes`, () => {
    const frame = compressedFrame(parseDicom(readFileSync(join(samplesDir, file))), 0)!;
    expectSame(frame.pixelModule, frame.codestream);
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

test("a codestream cut short throws", () => {
  const frame = compressedFrame(
    parseDicom(readFileSync(join(samplesDir, "TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm"))),
    0,
  )!;
  expect(frame.transferSyntax).toBe(TransferSyntax.JpegLsLossless);
  expect(() => decodeJpegLs(frame.pixelModule, frame.codestream.slice(0, 200))).toThrow();
});
