// Custom jobs (host.jobs.submit) and the C-STORE filter (host.onIncomingCStoreInstance) through
// a running server: /jobs with Orthanc's job JSON, pause/resume/cancel, failures, priorities;
// storescu (DCMTK) refused with the plugin's DIMSE status.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { replaceElement } from "../../src/plugins/dicom-edit.ts";
import { dcmtk } from "../support/dimse.ts";
import {
  freePort,
  type RunningServer,
  samplesDir,
  startPharos,
  upload,
} from "../support/server.ts";

const PLUGIN = resolve(import.meta.dir, "../plugins/jobs-cstore.ts");
const DUMMY_CT = join(samplesDir, "DummyCT.dcm");

let server: RunningServer;
let stderr: Promise<string>;
let dicomPort: number;
let scratch: string;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "pharos-jobs-"));
  dicomPort = freePort();
  server = await startPharos({
    config: {
      Plugins: [PLUGIN],
      ConcurrentJobs: 1,
      DicomPort: dicomPort,
      DicomAet: "PHAROS",
      DicomAlwaysAllowStore: true,
      CStoreRefuse: { "REFUSE-CSTORE": 0xa900 },
    },
  });
  stderr = new Response(server.process.stderr as ReadableStream).text();
});
afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
// deno-lint-ignore no-explicit-any
const json = async (path: string, init?: RequestInit): Promise<any> =>
  await (await get(path, init)).json();
const post = (path: string, body?: unknown) =>
  get(path, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body) });
const submit = async (mode: string, extra: Record<string, unknown> = {}): Promise<string> =>
  (await (await post("/jobs-probe/submit", { mode, ...extra })).json()).ID;

async function until(id: string, states: string[], timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await json(`/jobs/${id}`);
    if (states.includes(job.State)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} stays ${job.State}`);
    await Bun.sleep(10);
  }
}

describe("custom jobs", () => {
  test("a job runs to Success and shows Orthanc's job JSON", async () => {
    const id = await submit("ok", { steps: 5, priority: 3 });
    const job = await until(id, ["Success"]);
    expect(Object.keys(job)).toEqual([
      "CompletionTime",
      "Content",
      "CreationTime",
      "EffectiveRuntime",
      "ErrorCode",
      "ErrorDescription",
      "ErrorDetails",
      "ID",
      "Priority",
      "Progress",
      "State",
      "Timestamp",
      "Type",
    ]);
    expect(job).toMatchObject({
      Content: { Done: 5, Mode: "ok" },
      ErrorCode: 0,
      ErrorDescription: "Success",
      ID: id,
      Priority: 3,
      Progress: 100,
      Type: "Probe-ok",
    });
    expect(job.CreationTime).toMatch(/^\d{8}T\d{6}\.\d{6}$/);
    expect(await json("/jobs")).toContain(id);
    expect((await json("/jobs?expand")).find((j: { ID: string }) => j.ID === id).State)
      .toBe("Success");
    expect((await json("/jobs-probe/stops"))[id]).toEqual(["Success"]);
  });

  test("async steps", async () => {
    const id = await submit("async", { steps: 3 });
    expect((await until(id, ["Success"])).Content).toEqual({ Done: 3, Mode: "async" });
  });

  test("a throwing step fails the job, logged; the server goes on", async () => {
    const id = await submit("throw", { steps: 10 });
    const job = await until(id, ["Failure", "Success"]);
    expect(job).toMatchObject({
      State: "Failure",
      ErrorCode: 1,
      ErrorDescription: "Error encountered within the plugin engine",
      Content: { Done: 3 },
      Progress: 30,
    });
    expect(job.ErrorDetails).toContain("step throws on purpose");
    expect((await json("/jobs-probe/stops"))[id]).toEqual(["Failure"]);
    expect((await get("/system")).status).toBe(200);
  });

  test('a step answering "failure" fails the job', async () => {
    const id = await submit("fail", { steps: 10 });
    const job = await until(id, ["Failure", "Success"]);
    expect(job.State).toBe("Failure");
    expect(job.ErrorCode).toBe(1);
    expect((await json("/jobs-probe/stops"))[id]).toEqual(["Failure"]);
  });

  test("steps do not block the server; pause, resume and cancel between steps", async () => {
    const id = await submit("forever");
    let job = await until(id, ["Running"]);
    expect(job.Progress).toBe(50);
    // Requests are answered while the job steps.
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      expect((await get("/system")).status).toBe(200);
      expect(performance.now() - started).toBeLessThan(500);
    }
    expect(await (await post(`/jobs/${id}/pause`)).json()).toEqual({});
    job = await until(id, ["Paused"]);
    const done = job.Content.Done;
    expect(done).toBeGreaterThan(0);
    await Bun.sleep(100);
    expect((await json(`/jobs/${id}`)).Content.Done).toBe(done);
    expect((await json("/jobs-probe/stops"))[id]).toEqual(["Paused"]);

    expect((await post(`/jobs/${id}/resume`)).status).toBe(200);
    await until(id, ["Running"]);
    await Bun.sleep(50);
    expect((await json(`/jobs/${id}`)).Content.Done).toBeGreaterThan(done);

    expect((await post(`/jobs/${id}/cancel`)).status).toBe(200);
    job = await until(id, ["Failure"]);
    expect(job.ErrorCode).toBe(37);
    expect(job.ErrorDescription).toBe("This job was canceled");
    expect((await json("/jobs-probe/stops"))[id]).toEqual(["Paused", "Canceled"]);
    // Canceling a finished job changes nothing.
    expect((await post(`/jobs/${id}/cancel`)).status).toBe(200);
    expect((await json(`/jobs/${id}`)).State).toBe("Failure");
  });

  test("pending jobs wait (ConcurrentJobs 1), higher priority first; pending ones pause and cancel", async () => {
    const blocker = await submit("forever");
    await until(blocker, ["Running"]);
    const low = await submit("async", { steps: 2, priority: 0 });
    const high = await submit("async", { steps: 2, priority: 10 });
    const dropped = await submit("ok", { steps: 2 });
    await Bun.sleep(50);
    expect((await json(`/jobs/${low}`)).State).toBe("Pending");
    expect((await json(`/jobs/${high}`)).State).toBe("Pending");
    await post(`/jobs/${dropped}/pause`);
    expect((await json(`/jobs/${dropped}`)).State).toBe("Paused");
    await post(`/jobs/${dropped}/cancel`);
    expect(await json(`/jobs/${dropped}`)).toMatchObject({ State: "Failure", ErrorCode: 37 });

    await post(`/jobs/${blocker}/cancel`);
    const [l, h] = [await until(low, ["Success"]), await until(high, ["Success"])];
    expect(h.CompletionTime < l.CompletionTime).toBe(true);
    // Never started: stop() was never called.
    expect((await json("/jobs-probe/stops"))[dropped]).toBeUndefined();
  });

  test("errors: unknown job, resume of a job not paused, a bad job", async () => {
    // Orthanc 1.10.1 answers a bare 400 for an action on a job it does not know.
    expect((await post("/jobs/nope/cancel")).status).toBe(400);
    const id = await submit("ok", { steps: 1 });
    await until(id, ["Success"]);
    const resume = await post(`/jobs/${id}/resume`);
    // Orthanc's bare 400 (golden scenario sweep-statistics).
    expect(resume.status).toBe(400);
    expect(await resume.text()).toBe("");
    expect((await get("/jobs-probe/bad")).status).toBe(500);
    // A GET there asks for an output named "cancel": Orthanc's 404.
    expect((await get(`/jobs/${id}/cancel`)).status).toBe(404);
  });
});

describe("C-STORE filter", () => {
  const storescu = (file: string) =>
    dcmtk(["storescu", "-d", "-aec", "PHAROS", "127.0.0.1", String(dicomPort), file]);
  /** DummyCT with another PatientID, written to the scratch folder. */
  const variant = async (patientId: string) => {
    const bytes = new Uint8Array(await Bun.file(DUMMY_CT).arrayBuffer());
    const file = join(scratch, `${patientId}.dcm`);
    writeFileSync(file, replaceElement(bytes, "0010,0020", patientId));
    return file;
  };

  test("a refused instance gets the plugin's DIMSE status and is not stored", async () => {
    const r = await storescu(await variant("REFUSE-CSTORE"));
    expect(r.out).toMatch(/DIMSE Status\s*: 0xa900: Error: Data Set does not match SOP Class/);
    expect((await json("/statistics")).CountInstances).toBe(0);
  });

  test("an accepted instance is stored", async () => {
    const r = await storescu(DUMMY_CT);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/DIMSE Status\s*: 0x0000: Success/);
    expect((await json("/statistics")).CountInstances).toBe(1);
  });

  test("a throwing filter refuses with 0xA700, logged", async () => {
    const r = await storescu(await variant("THROW-CSTORE"));
    expect(r.out).toMatch(/DIMSE Status\s*: 0xa700/);
    expect((await json("/statistics")).CountInstances).toBe(1);
  });

  test("the filter applies to C-STORE only: the refused instance is accepted over REST", async () => {
    expect((await upload(server.url, join(scratch, "REFUSE-CSTORE.dcm"))).status).toBe(200);
    expect((await json("/statistics")).CountInstances).toBe(2);
  });

  test("plugin failures were logged with the plugin's name", async () => {
    await server.stop({ keep: true });
    const log = await stderr;
    expect(log).toContain('Error in the step() of the job "Probe-throw" of plugin "jobs-cstore"');
    expect(log).toContain("jobs-probe: step throws on purpose");
    expect(log).toContain('Error in the C-STORE filter of plugin "jobs-cstore"');
    rmSync(server.dir, { recursive: true, force: true });
  });
});
