// The codec workers: a job past the deadline fails and its worker is replaced, a codec's refusal
// fails only its job; the pool goes on decoding either way. RLE expands there too, and /rendered
// answers are windowed, fitted and encoded there.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findElement, parseDicom } from "../../src/dicom/parser.ts";
import { Tags } from "../../src/dicom/tag.ts";
import { decodeBuiltinFrame } from "../../src/imaging/decode.ts";
import { type DecodedImage, type PixelModule, pixelModule } from "../../src/imaging/image.ts";
import { encodePng } from "../../src/imaging/png.ts";
import { renderForViewer } from "../../src/imaging/rendered.ts";
import { expandRle } from "../../src/imaging/rle.ts";
import { decompressedImage } from "../../src/imaging/native.ts";
import type { CompressedFrame, DecodeJob } from "../../src/imaging/wasm/jobs.ts";
import { CodecError, CodecPool } from "../../src/imaging/wasm/pool.ts";
import { samplesDir } from "../support/server.ts";

function decodeJob(file: string): DecodeJob {
  const bytes = new Uint8Array(readFileSync(join(samplesDir, file)));
  const parsed = parseDicom(bytes);
  const fragments = findElement(parsed.dataset, Tags.PixelData)!.fragments!.slice(1);
  const codestream = new Uint8Array(
    Bun.concatArrayBuffers(fragments.map((f) => bytes.subarray(f.offset, f.offset + f.length))),
  );
  return {
    kind: "decode",
    transferSyntax: parsed.transferSyntax,
    layout: pixelModule(parsed)!,
    codestream,
  };
}

const j2kJob = () => decodeJob("TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm");

test("a job past the deadline fails; the next worker decodes", async () => {
  const job = j2kJob();
  const hurried = new CodecPool(1, 1);
  await expect(hurried.run(job)).rejects.toThrow(CodecError);
  const pool = new CodecPool(1, 30_000);
  const out = await pool.run(job);
  expect(out.bytes.length).toBe(256 * 1024 * 2);
});

test("a worker whose codecs grew past the memory limit answers, then is replaced", async () => {
  const kept = new CodecPool(1, 30_000);
  await kept.run(j2kJob());
  await kept.run(j2kJob());
  expect(kept.replacedWorkers).toBe(0);
  // A limit below zero bytes of growth: every job's worker is replaced after it answers.
  const lean = new CodecPool(1, 30_000, -1);
  expect((await lean.run(j2kJob())).bytes.length).toBe(256 * 1024 * 2);
  expect(lean.replacedWorkers).toBe(1);
  expect((await lean.run(j2kJob())).bytes.length).toBe(256 * 1024 * 2);
  expect(lean.replacedWorkers).toBe(2);
});

test("a refused codestream fails its job only", async () => {
  const pool = new CodecPool(1, 30_000);
  const job = j2kJob();
  const broken = { ...job, codestream: job.codestream.slice(0, 64) };
  await expect(pool.run(broken)).rejects.toThrow(CodecError);
  expect((await pool.run(job)).bytes.length).toBe(256 * 1024 * 2);
});

test("RLE expands in a worker; malformed RLE answers no bytes and keeps the worker", async () => {
  const pool = new CodecPool(1, 30_000);
  const job = decodeJob("TransferSyntaxes/1.2.840.10008.1.2.5.dcm");
  const out = await pool.run(job);
  expect(out.bytes).toEqual(expandRle(job.layout, job.codestream)!);
  expect(out.bytes.length).toBe(256 * 1024 * 2);
  const malformed = await pool.run({ ...job, codestream: job.codestream.slice(0, 32) });
  expect(malformed.bytes.length).toBe(0);
  expect((await pool.run(job)).bytes).toEqual(out.bytes);
});

test("a rendered job answers the PNG of the windowed and fitted frame", async () => {
  const pool = new CodecPool(1, 30_000);
  const parsed = parseDicom(
    new Uint8Array(readFileSync(join(samplesDir, "Brainix/Epi/IM-0001-0001.dcm"))),
  );
  const image = decodeBuiltinFrame(parsed, 0) as DecodedImage;
  const options = {
    rescale: { slope: 1, intercept: 0 },
    window: { center: 200, width: 400 },
    invert: false,
    width: 100,
    height: 0,
    smooth: true,
  };
  const frame = { image };
  const out = await pool.run({ kind: "rendered", encoding: "png", frame, options, quality: 90 });
  expect(out.bytes).toEqual(encodePng(renderForViewer(image, options)));
});

test("a rendered job decodes a compressed frame first; one that does not decode answers no bytes", async () => {
  const pool = new CodecPool(1, 30_000);
  const { transferSyntax, layout, codestream } = j2kJob();
  const decoded = await pool.run(j2kJob());
  const image = decompressedImage(layout as PixelModule, decoded) as DecodedImage;
  const options = {
    rescale: { slope: 1, intercept: -1024 },
    window: { center: 40, width: 400 },
    invert: false,
    width: 0,
    height: 0,
    smooth: false,
  };
  const job = (frame: CompressedFrame) =>
    ({
      kind: "rendered",
      encoding: "png",
      frame: { compressed: frame },
      options,
      quality: 90,
    }) as const;
  const pixelModule = layout as PixelModule;
  const out = await pool.run(job({ transferSyntax, pixelModule, codestream }));
  expect(out.bytes).toEqual(encodePng(renderForViewer(image, options)));
  // A palette, which Orthanc 1.10.1 does not show: decoded, but nothing to answer.
  const palette = { ...pixelModule, photometric: "PALETTE COLOR" };
  const refused = await pool.run(job({ transferSyntax, pixelModule: palette, codestream }));
  expect(refused.bytes.length).toBe(0);
  const truncated = job({ transferSyntax, pixelModule, codestream: codestream.slice(0, 64) });
  const failure = await pool.run(truncated).then(() => undefined, (error: unknown) => error);
  expect(failure).toBeInstanceOf(CodecError);
  expect(String(failure)).toContain("Stream too short");
});

test("buffers given up with a job are moved to the worker, not copied", async () => {
  const pool = new CodecPool(1, 30_000);
  const job = j2kJob();
  const running = pool.run(job, [job.codestream.buffer as ArrayBuffer]);
  expect(job.codestream.byteLength).toBe(0);
  expect((await running).bytes.length).toBe(256 * 1024 * 2);
});
