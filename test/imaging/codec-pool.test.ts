// The codec workers: a job past the deadline fails and its worker is replaced, a codec's refusal
// fails only its job; the pool goes on decoding either way.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findElement, parseDicom } from "../../src/dicom/parser.ts";
import { Tags } from "../../src/dicom/tag.ts";
import { pixelModule } from "../../src/imaging/image.ts";
import type { DecodeJob } from "../../src/imaging/wasm/jobs.ts";
import { CodecError, CodecPool } from "../../src/imaging/wasm/pool.ts";
import { samplesDir } from "../support/server.ts";

function j2kJob(): DecodeJob {
  const bytes = new Uint8Array(
    readFileSync(join(samplesDir, "TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm")),
  );
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

test("a job past the deadline fails; the next worker decodes", async () => {
  const job = j2kJob();
  const hurried = new CodecPool(1, 1);
  await expect(hurried.run(job)).rejects.toThrow(CodecError);
  const pool = new CodecPool(1, 30_000);
  const out = await pool.run(job);
  expect(out.bytes.length).toBe(256 * 1024 * 2);
});

test("a refused codestream fails its job only", async () => {
  const pool = new CodecPool(1, 30_000);
  const job = j2kJob();
  const broken = { ...job, codestream: job.codestream.slice(0, 64) };
  await expect(pool.run(broken)).rejects.toThrow(CodecError);
  expect((await pool.run(job)).bytes.length).toBe(256 * 1024 * 2);
});
