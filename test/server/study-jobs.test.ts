// The MergeStudy and SplitStudy jobs resume where they stopped: rebuilt from what they
// serialized after one of two instances, they move only the other one, into the same study (the
// split's generated StudyInstanceUID and the merge's target modules are saved with the job).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { JsonValue } from "../../src/dicom/tags-json.ts";
import type { Job } from "../../src/server/jobs.ts";
import { MERGE_JOB, SPLIT_JOB, studyJobFactory } from "../../src/server/study-jobs.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";

let server: InProcessServer;
const stored = new Map<string, { ID: string; ParentSeries: string; ParentStudy: string }>();

beforeAll(async () => {
  server = await startInProcess();
  for (
    const file of [
      "Brainix/Flair/IM-0001-0001.dcm",
      "Knee/T1/IM-0001-0001.dcm",
      "Knee/T1/IM-0001-0002.dcm",
    ]
  ) {
    const r = await fetch(`${server.url}/instances`, {
      method: "POST",
      body: Bun.file(join(samplesDir, file)),
    });
    stored.set(file, await r.json());
  }
});

afterAll(() => server.stop());

const instancesOf = async (study: string): Promise<{ ID: string }[]> =>
  await (await fetch(`${server.url}/studies/${study}/instances`)).json();

/** Runs one step, then the rest in a job rebuilt from the first's serialization. */
async function resumed(type: string, params: JsonValue): Promise<Job> {
  const factory = studyJobFactory(server.pharos.core);
  const first = factory(type, params)!;
  expect(await first.step()).toBe("continue");
  const again = factory(type, JSON.parse(JSON.stringify(first.serialize())))!;
  // The second instance, then (without KeepSource) the deletion of the sources.
  let steps = 1;
  while (await again.step() === "continue") steps++;
  expect(steps).toBe(type === SPLIT_JOB ? 2 : 1);
  const job = { content: {}, progress: 0 } as Job;
  again.update(job);
  expect(job.progress).toBe(100);
  return job;
}

test("a merge resumed moves each instance once, into the target", async () => {
  const knee = stored.get("Knee/T1/IM-0001-0001.dcm")!;
  const target = stored.get("Brainix/Flair/IM-0001-0001.dcm")!.ParentStudy;
  const job = await resumed(MERGE_JOB, {
    target,
    resources: [knee.ParentSeries],
    keepSource: true,
    defaultCharset: "ISO_IR 100",
  });
  expect(job.content).toMatchObject({ InstancesCount: 2, FailedInstancesCount: 0 });
  // The target's own instance plus both copies, in one new series.
  expect(await instancesOf(target)).toHaveLength(3);
  const series = await (await fetch(`${server.url}/studies/${target}/series`)).json();
  expect(series).toHaveLength(2);
});

test("a split resumed puts both instances in the one study it named", async () => {
  const knee = stored.get("Knee/T1/IM-0001-0001.dcm")!;
  const job = await resumed(SPLIT_JOB, {
    source: knee.ParentStudy,
    series: [knee.ParentSeries],
    instances: [],
    replace: [],
    remove: [],
    keepSource: false,
    keepLabels: false,
    permissive: false,
    defaultCharset: "ISO_IR 100",
  });
  expect(job.content).toMatchObject({ InstancesCount: 2 });
  const target = String(job.content.TargetStudy);
  expect(await instancesOf(target)).toHaveLength(2);
  const study = await (await fetch(`${server.url}/studies/${target}`)).json();
  expect(study.MainDicomTags.StudyInstanceUID).toBe(job.content.TargetStudyUID);
  // Without KeepSource, the source study is gone with its last instance.
  expect((await fetch(`${server.url}/studies/${knee.ParentStudy}`)).status).toBe(404);
});
