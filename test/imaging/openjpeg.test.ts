// JPEG 2000 decodes with the OpenJPEG built here (codecs/openjpeg) to the very bytes dcmjs-codecs'
// OpenJPEG gives (the decoder Pharos used before): every JPEG 2000 sample, lossless and lossy,
// and gray and color frames encoded here. A codestream OpenJPEG refuses, or whose samples do not
// fit the pixel module, goes to dcmjs-codecs.
import { beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { NativeCodecs } from "dcmjs-codecs";
import { parseDicom } from "../../src/dicom/parser.ts";
import { TransferSyntax } from "../../src/dicom/uids.ts";
import { compressedFrame, decodeBuiltinFrame } from "../../src/imaging/decode.ts";
import { pixelModule } from "../../src/imaging/image.ts";
import { context, loadCodecs, runJob } from "../../src/imaging/wasm/codestreams.ts";
import type { FrameLayout } from "../../src/imaging/wasm/jobs.ts";
import { WASM_MODULES } from "../../src/imaging/wasm/modules.ts";
import { decodeJpeg2000 } from "../../src/imaging/wasm/openjpeg.ts";
import { sampleFiles, samplesDir } from "../support/server.ts";

beforeAll(() => loadCodecs(WASM_MODULES));

/**
 * What dcmjs-codecs' OpenJPEG decodes: interleaved samples, even when it answers the planar
 * configuration 1 of a dataset that says so.
 */
function dcmjs(layout: FrameLayout, codestream: Uint8Array): Uint8Array {
  const out = NativeCodecs.decodeJpeg2000(context(layout, { encodedBuffer: codestream }));
  return out.getDecodedBuffer()!.slice();
}

function expectSame(layout: FrameLayout, codestream: Uint8Array) {
  const ours = decodeJpeg2000(layout, codestream);
  expect(ours).toBeDefined();
  expect(ours!.planar).toBe(false);
  expect(Buffer.from(ours!.bytes).equals(Buffer.from(dcmjs(layout, codestream)))).toBe(true);
}

const JPEG_2000 = new Set<string>([TransferSyntax.Jpeg2000Lossless, TransferSyntax.Jpeg2000]);

test("every JPEG 2000 sample decodes to dcmjs-codecs' bytes", async () => {
  const decoded: string[] = [];
  for (const file of await sampleFiles()) {
    const parsed = parseDicom(readFileSync(file));
    if (!JPEG_2000.has(parsed.transferSyntax)) continue;
    const pm = pixelModule(parsed)!;
    for (let frame = 0; frame < pm.frames; frame++) {
      const compressed = compressedFrame(parsed, frame)!;
      expectSame(compressed.pixelModule, compressed.codestream);
    }
    decoded.push(relative(samplesDir, file));
  }
  // Lossless and lossy, gray (signed and not, 12 and 16 bits) and color (YBR_ICT).
  expect(decoded).toContain("TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm");
  expect(decoded).toContain("TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm");
  expect(decoded).toContain("Formats/jp2k91YBR-ICT.dcm");
  expect(decoded.length).toBeGreaterThan(10);
});

/** A native sample encoded in lossless JPEG 2000 by dcmjs-codecs, with its layout. */
function encoded(file: string, planar = false) {
  const parsed = parseDicom(readFileSync(`${samplesDir}/${file}`));
  const pm = pixelModule(parsed)!;
  const image = decodeBuiltinFrame(parsed, 0);
  if (!("pixels" in image)) throw new Error(`${file} does not decode`);
  const { buffer, byteOffset, byteLength } = image.pixels;
  let native = new Uint8Array(buffer, byteOffset, byteLength).slice();
  const color = pm.samplesPerPixel === 3;
  if (planar) {
    const n = pm.rows * pm.columns;
    native = new Uint8Array(3 * n).map((_, i) => native[3 * (i % n) + Math.floor(i / n)]!);
  }
  const layout = { ...pm, planar, photometric: color ? "RGB" : pm.photometric };
  const out = NativeCodecs.encodeJpeg2000(context(layout, { decodedBuffer: native }), {
    lossy: false,
  });
  return { layout, codestream: out.getEncodedBuffer()!.slice(), native };
}

for (
  const [file, planar] of [
    ["TransferSyntaxes/1.2.840.10008.1.2.1.dcm", false],
    ["TransferSyntaxes/1.2.840.10008.1.2.1.dcm", true],
    ["TransferSyntaxes/1.2.840.10008.1.2.dcm", false],
  ] as const
) {
  test(`${file}${planar ? " (planar)" : ""} encoded here decodes alike, losslessly`, () => {
    const { layout, codestream, native } = encoded(file, planar);
    expectSame(layout, codestream);
    // dcmjs-codecs' encoder reads its samples as interleaved whatever the planar configuration:
    // the decoder gives them back as they were.
    const bytes = decodeJpeg2000(layout, codestream)!.bytes;
    expect(Buffer.from(bytes).equals(Buffer.from(native))).toBe(true);
  });
}

test("8-bit samples in 16-bit pixel data are left to dcmjs-codecs", () => {
  const { layout, codestream } = encoded("TransferSyntaxes/1.2.840.10008.1.2.1.dcm");
  const wide = { ...layout, bitsAllocated: 16, bitsStored: 16 };
  expect(decodeJpeg2000(wide, codestream)).toBeUndefined();
  // The decoder is left in order for the next frame.
  expect(decodeJpeg2000(layout, codestream)?.bytes.length).toBe(layout.rows * layout.columns * 3);
});

test("a codestream OpenJPEG refuses goes to dcmjs-codecs, which throws", () => {
  const frame = compressedFrame(
    parseDicom(readFileSync(`${samplesDir}/TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm`)),
    0,
  )!;
  const garbage = frame.codestream.slice(0, 300).reverse();
  expect(decodeJpeg2000(frame.pixelModule, garbage)).toBeUndefined();
  const job = {
    kind: "decode",
    transferSyntax: TransferSyntax.Jpeg2000Lossless,
    layout: frame.pixelModule,
    codestream: garbage,
  } as const;
  expect(() => runJob(job)).toThrow();
  expectSame(frame.pixelModule, frame.codestream);
});
