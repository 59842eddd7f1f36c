// The jobs engine through /jobs, with jobs whose steps the test releases one by one: a job's
// outputs at GET and DELETE /jobs/{id}/{key} with Orthanc's 404s, JobsHistorySize dropping the
// jobs that completed first (and letting their outputs go), ConcurrentJobs holding the others
// Pending, JobsHistorySize 0 answering a synchronous request Orthanc's 404 once its job ran, and
// the list of /tools read once every route is in.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { JobOutput, SteppedJob } from "../../src/server/jobs.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir, waitFor } from "../support/server.ts";

let server: InProcessServer;

beforeAll(async () => {
  server = await startInProcess({ config: { ConcurrentJobs: 1, JobsHistorySize: 2 } });
});
afterAll(async () => {
  await server?.stop();
});

/** A job of two steps; each `release()` lets one step finish. */
class GatedJob implements SteppedJob {
  readonly outputs = new Map<string, JobOutput>();
  private steps = 0;
  private allowed = 0;
  private wake?: () => void;

  release(): void {
    this.allowed++;
    this.wake?.();
  }

  async step(): Promise<"continue" | "success"> {
    while (this.allowed === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    this.allowed--;
    return ++this.steps < 2 ? "continue" : "success";
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  update(): void {}
  serialize(): undefined {
    return undefined;
  }
}

function submit(): { id: string; job: GatedJob } {
  const job = new GatedJob();
  const { id } = server.pharos.jobs.submit({ type: "Gated", stepped: job });
  return { id, job };
}

const request = (path: string, method = "GET") =>
  server.pharos.app.request(path, { method }, { remoteAddress: "127.0.0.1" });

// deno-lint-ignore no-explicit-any
const json = async (path: string): Promise<any> => await (await request(path)).json();

const state = async (id: string): Promise<string> => (await json(`/jobs/${id}`)).State;

async function finish(job: GatedJob, id: string): Promise<void> {
  job.release();
  job.release();
  await waitFor(async () => (await state(id)) === "Success", `job ${id} succeeds`);
}

test("an output is served once the job succeeded, then deleted; Orthanc's 404 otherwise", async () => {
  const { id, job } = submit();
  let disposed = 0;
  job.outputs.set("archive", {
    contentType: "application/zip",
    filename: "archive.zip",
    body: () => new TextEncoder().encode("PK-archive"),
    dispose: () => disposed++,
  });
  const early = await request(`/jobs/${id}/archive`);
  expect(early.status).toBe(404);
  expect(await early.json()).toMatchObject({
    OrthancStatus: 7,
    Message: "Accessing an inexistent item",
    Details: "Job has no such output: archive",
  });

  await finish(job, id);
  const served = await request(`/jobs/${id}/archive`);
  expect(served.status).toBe(200);
  expect(served.headers.get("content-type")).toBe("application/zip");
  expect(served.headers.get("content-disposition")).toBe('filename="archive.zip"');
  expect(await served.text()).toBe("PK-archive");

  const other = await request(`/jobs/${id}/other`);
  expect(other.status).toBe(404);
  expect((await other.json()).Details).toBe("Job has no such output: other");
  expect((await request(`/jobs/nope/archive`)).status).toBe(404);
  // As Orthanc 1.10.1: an action's path read with GET names an output; an unknown job is a bare
  // 404 to GET and a bare 400 to an action.
  expect((await (await request(`/jobs/${id}/cancel`)).json()).Details).toBe(
    "Job has no such output: cancel",
  );
  const unknown = await request("/jobs/nope");
  expect([unknown.status, await unknown.text()]).toEqual([404, ""]);
  const action = await request("/jobs/nope/pause", "POST");
  expect([action.status, await action.text()]).toEqual([400, ""]);

  const deleted = await request(`/jobs/${id}/archive`, "DELETE");
  expect(deleted.status).toBe(200);
  expect(deleted.headers.get("content-type")).toBe("text/plain");
  expect(await deleted.text()).toBe("");
  expect(disposed).toBe(1);
  expect((await request(`/jobs/${id}/archive`)).status).toBe(404);
  expect((await request(`/jobs/${id}/archive`, "DELETE")).status).toBe(404);
  expect(await state(id)).toBe("Success");
});

test("ConcurrentJobs 1 holds the second job; JobsHistorySize 2 drops the first completed", async () => {
  const first = submit();
  const second = submit();
  let disposed = false;
  second.job.outputs.set("archive", {
    contentType: "application/zip",
    body: () => new Uint8Array(),
    dispose: () => (disposed = true),
  });
  await waitFor(async () => (await state(first.id)) === "Running", "the first job runs");
  expect(await state(second.id)).toBe("Pending");
  // The first is paused after its first step: the second runs and completes before it.
  expect((await request(`/jobs/${first.id}/pause`, "POST")).status).toBe(200);
  first.job.release();
  await waitFor(async () => (await state(first.id)) === "Paused", "the first job pauses");
  await finish(second.job, second.id);
  expect((await request(`/jobs/${first.id}/resume`, "POST")).status).toBe(200);
  first.job.release();
  await waitFor(async () => (await state(first.id)) === "Success", "the first job succeeds");

  const third = submit();
  await finish(third.job, third.id);
  // The second completed before the first, so it leaves first, its output with it.
  const ids: string[] = await json("/jobs");
  expect(ids).toEqual([first.id, third.id]);
  expect(disposed).toBe(true);
  expect((await request(`/jobs/${second.id}`)).status).toBe(404);
});

test("GET /tools lists the routes served, the plugin host's /tools/metrics included", async () => {
  const tools: string[] = await json("/tools");
  expect(tools).toContain("metrics");
  expect(tools).toContain("metrics-prometheus");
  expect(tools).toContain("accepted-transfer-syntaxes");
  expect(tools).toEqual([...tools].sort());
});

test("JobsHistorySize 0: a synchronous modify runs, then answers Orthanc's 404", async () => {
  const forgetful = await startInProcess({ config: { JobsHistorySize: 0 } });
  try {
    const call = (path: string, body: BodyInit) =>
      forgetful.pharos.app.request(path, { method: "POST", body }, {
        remoteAddress: "127.0.0.1",
      });
    const sample = Bun.file(`${samplesDir}/Brainix/Flair/IM-0001-0001.dcm`);
    const { ParentStudy } = await (await call("/instances", sample)).json();
    const res = await call(
      `/studies/${ParentStudy}/modify`,
      JSON.stringify({ Replace: { StudyDescription: "X" } }),
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      OrthancStatus: 7,
      Details: 'Cannot retrieve the status of the job, make sure that "JobsHistorySize" is not 0',
    });
    const studies = await forgetful.pharos.app.request("/studies", {}, {
      remoteAddress: "127.0.0.1",
    });
    expect(await studies.json()).toHaveLength(2);
  } finally {
    await forgetful.stop();
  }
});
