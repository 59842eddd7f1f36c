// The ResourceModification job resumes where it stopped: rebuilt from what it serialized after
// its first step (four of six instances), it stores only the other two, with UIDs derived as
// before; and the source series is left as it was. An instance deleted under a running job fails
// it (or, with Permissive, counts as failed) and leaves no partial copy.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { JsonValue } from "../../src/dicom/tags-json.ts";
import type { Job } from "../../src/server/jobs.ts";
import { MODIFICATION_JOB, modificationJobFactory } from "../../src/server/modification-job.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";

let server: InProcessServer;
let series: string;

beforeAll(async () => {
  server = await startInProcess();
  for (let i = 1; i <= 6; i++) {
    const file = `IM-0001-000${i}.dcm`;
    const r = await fetch(`${server.url}/instances`, {
      method: "POST",
      body: Bun.file(join(samplesDir, "Brainix/Flair", file)),
    });
    series = ((await r.json()) as { ParentSeries: string }).ParentSeries;
  }
});

afterAll(() => server.stop());

test("a job rebuilt from its serialization goes on without storing again", async () => {
  const { core } = server.pharos;
  // This job writes in the source transfer syntax: no transcoder is asked.
  const factory = modificationJobFactory(core, () => Promise.resolve(undefined));
  const params = {
    level: "Series",
    resource: series,
    defaultCharset: "ISO_IR 100",
    modification: {
      level: "Series",
      replace: [{ path: { steps: [], tag: 0x0008103e }, name: "SeriesDescription", value: "E" }],
      remove: [],
      keep: [],
      removePrivateTags: false,
      force: false,
    },
  } as unknown as JsonValue;
  const first = factory(MODIFICATION_JOB, params)!;
  expect(await first.step()).toBe("continue");
  const saved = JSON.parse(JSON.stringify(first.serialize()));
  const before = (await (await fetch(`${server.url}/instances`)).json()).length;
  expect(before).toBe(6 + 4);

  const resumed = factory(MODIFICATION_JOB, saved)!;
  expect(await resumed.step()).toBe("success");
  const job = { content: {}, progress: 0 } as Job;
  resumed.update(job);
  expect(job.progress).toBe(100);
  expect(job.content.InstancesCount).toBe(6);
  // One new series holding the six copies; the source still has its six instances.
  const copies = await (await fetch(`${server.url}/series/${job.content.ID}/instances`)).json();
  expect(copies).toHaveLength(6);
  const sources = await (await fetch(`${server.url}/series/${series}/instances`)).json();
  expect(sources).toHaveLength(6);
});

/** The job's parameters, modifying the series' description. */
function seriesJob(extra: Record<string, unknown>): JsonValue {
  return {
    level: "Series",
    resource: series,
    defaultCharset: "ISO_IR 100",
    modification: {
      level: "Series",
      replace: [{ path: { steps: [], tag: 0x0008103e }, name: "SeriesDescription", value: "D" }],
      remove: [],
      keep: [],
      removePrivateTags: false,
      force: false,
    },
    ...extra,
  } as unknown as JsonValue;
}

/** Uploads the series' six files again (those present are AlreadyStored). */
async function restoreSources(): Promise<void> {
  for (let i = 1; i <= 6; i++) {
    await fetch(`${server.url}/instances`, {
      method: "POST",
      body: Bun.file(join(samplesDir, "Brainix/Flair", `IM-0001-000${i}.dcm`)),
    });
  }
}

test("an instance deleted while the job runs fails it, leaving no half-written copy", async () => {
  const factory = modificationJobFactory(server.pharos.core, () => Promise.resolve(undefined));
  for (const permissive of [false, true]) {
    const job = factory(MODIFICATION_JOB, seriesJob({ permissive }))!;
    expect(await job.step()).toBe("continue");
    // The first step modified four instances; the fifth is deleted before the second.
    const next = (job.serialize() as { progress: { instances: string[] } }).progress.instances[4];
    await fetch(`${server.url}/instances/${next}`, { method: "DELETE" });
    const info = { content: {}, progress: 0 } as Job;
    if (permissive) {
      // Orthanc's Permissive: counted as failed, and the job succeeds.
      expect(await job.step()).toBe("success");
    } else {
      await expect(job.step()).rejects.toMatchObject({ kind: "UnknownResource" });
    }
    job.update(info);
    expect({ permissive, failed: info.content.FailedInstancesCount }).toEqual({
      permissive,
      failed: permissive ? 1 : 0,
    });
    // The new series holds the copies of the five other instances (the sixth was modified side
    // by side with the deleted one), and nothing else.
    const copies = await (await fetch(`${server.url}/series/${info.content.ID}/instances`)).json();
    expect(copies).toHaveLength(5);
    await restoreSources();
  }
});

test("without KeepSource, the sources are deleted in a last step, once every copy is stored", async () => {
  const factory = modificationJobFactory(server.pharos.core, () => Promise.resolve(undefined));
  const job = factory(MODIFICATION_JOB, seriesJob({ keepSource: false }))!;
  const sourceCount = async () =>
    (await (await fetch(`${server.url}/series/${series}/instances`)).json()).length;
  const steps: string[] = [];
  for (;;) {
    steps.push(await job.step());
    // A job stopped before its last step (failed, canceled) leaves its source whole.
    if (steps.at(-1) === "continue") expect(await sourceCount()).toBe(6);
    else break;
  }
  expect(steps).toEqual(["continue", "continue", "success"]);
  expect((await fetch(`${server.url}/series/${series}`)).status).toBe(404);
  const info = { content: {}, progress: 0 } as Job;
  job.update(info);
  expect(info.progress).toBe(100);
  await restoreSources();
});
