// The ResourceModification job resumes where it stopped: rebuilt from what it serialized after
// its first step (four of six instances), it stores only the other two, with UIDs derived as
// before; and the source series is left as it was.
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
  const factory = modificationJobFactory(core);
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
