// Sends load instances a batch at a time, so memory stays bounded whatever the study size.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfiguration } from "../../src/config/schema.ts";
import { instanceBatches } from "../../src/dimse/instances.ts";
import { PharosCore } from "../../src/server/core.ts";
import { sampleFiles } from "../support/server.ts";

const dir = mkdtempSync(join(tmpdir(), "pharos-batches-"));
const core = new PharosCore(
  validateConfiguration(
    { StorageDirectory: join(dir, "s"), IndexDirectory: join(dir, "i") },
    dir,
    () => {},
    () => true,
  ),
);
afterAll(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

test("batches hold up to the byte budget, and at least one instance", async () => {
  const files = (await sampleFiles("Brainix/Flair")).slice(0, 3);
  for (const f of files) {
    await core.store(new Uint8Array(await Bun.file(f).arrayBuffer()), { kind: "RestApi" });
  }
  const targets = core.resources.listLevel("Instance").map((id) => core.resources.lookup(id)!);
  const sizes = async (maxBytes: number) => {
    const out: number[] = [];
    for await (const batch of instanceBatches(core, targets, maxBytes)) out.push(batch.length);
    return out;
  };
  expect(await sizes(1)).toEqual([1, 1, 1]);
  expect(await sizes(200_000)).toEqual([1, 1, 1]);
  expect(await sizes(400_000)).toEqual([2, 1]);
  expect(await sizes(10_000_000)).toEqual([3]);
});
