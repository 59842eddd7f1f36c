// DICOM jobs are stepped jobs: a C-STORE job to a slow storescp (DCMTK, a second per instance)
// is paused, resumed and canceled between its batches through /jobs, ConcurrentJobs holds the
// other DICOM jobs Pending, and a store job rebuilt from what it saved sends only the instances
// it had not sent. In-process: the parts are built here; to a peer this slow a store job sends one
// instance per step, as Orthanc's does, and storescp's log of what it received tells how many
// times each instance went out.
import { PeerRegistry } from "../../src/peers/registry.ts";
import { DicomWebServers } from "../../src/dicomweb/client/servers.ts";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { validateConfiguration } from "../../src/config/schema.ts";
import { dicomJobFactory } from "../../src/dimse/jobs.ts";
import { DicomNetwork } from "../../src/dimse/network.ts";
import { createCodecs } from "../../src/imaging/codecs.ts";
import { createApp } from "../../src/rest/app.ts";
import { PharosCore } from "../../src/server/core.ts";
import { ServerControl } from "../../src/server/control.ts";
import { JobRegistry } from "../../src/server/jobs.ts";
import { dcmtk, DCMTK_ENV } from "../support/dimse.ts";
import { freePort, sampleFiles, waitFor } from "../support/server.ts";

const dir = mkdtempSync(join(tmpdir(), "pharos-dicom-jobs-"));
const scpPort = freePort();
const config = validateConfiguration(
  {
    StorageDirectory: join(dir, "storage"),
    IndexDirectory: join(dir, "index"),
    ConcurrentJobs: 1,
    DicomModalities: {
      slow: ["SLOWSCP", "127.0.0.1", scpPort],
      // Nothing listens on port 1: the connection is refused.
      dead: ["DEAD", "127.0.0.1", 1],
    },
  },
  dir,
  () => {},
  () => true,
);
const core = new PharosCore(config);
const codecs = createCodecs(config.BuiltinDecoderTranscoderOrder);
const jobs = new JobRegistry(config.ConcurrentJobs, config.JobsHistorySize);
const network = new DicomNetwork(core, config, codecs.transcoders, jobs);
jobs.addFactory(dicomJobFactory(core, network));
const control = new ServerControl();
const peers = new PeerRegistry(config, core.properties);
const app = createApp({
  core,
  config,
  stability: core.stability,
  jobs,
  network,
  peers,
  dicomWebServers: new DicomWebServers(config, core.properties),
  codecs,
  control,
});

let scp: Subprocess;
const instances: string[] = [];
const idOfSop = new Map<string, string>();
const receivedLog = join(dir, "received.log");

beforeAll(async () => {
  for (const file of (await sampleFiles("Brainix/Flair")).slice(0, 4)) {
    const stored = await core.store(new Uint8Array(await Bun.file(file).arrayBuffer()), {
      kind: "RestApi",
    });
    instances.push(stored.ids.instance);
    const tags = await call("GET", `/instances/${stored.ids.instance}/simplified-tags`);
    idOfSop.set(tags.SOPInstanceUID, stored.ids.instance);
  }
  // storescp waits a second after each C-STORE (one association at a time), so the steps of a
  // job can be watched one by one; it logs the name of every file it receives (the SOP instance
  // UID after the modality), before it answers.
  scp = Bun.spawn(
    [
      "storescp",
      "-aet",
      "SLOWSCP",
      "--sleep-after",
      "1",
      "--exec-sync",
      "--exec-on-reception",
      `echo #f >> ${receivedLog}`,
      "-od",
      dir,
      String(scpPort),
    ],
    { stdout: "ignore", stderr: "ignore", env: DCMTK_ENV },
  );
  await waitFor(
    async () =>
      (await dcmtk(["echoscu", "-aec", "SLOWSCP", "127.0.0.1", String(scpPort)])).code === 0,
    "storescp",
  );
}, 30_000);
afterAll(async () => {
  scp?.kill();
  await scp?.exited;
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

// deno-lint-ignore no-explicit-any
async function call(method: string, path: string, body?: unknown): Promise<any> {
  const init = { method, body: body === undefined ? undefined : JSON.stringify(body) };
  const res = await app.fetch(new Request(`http://pharos${path}`, init), {
    remoteAddress: "127.0.0.1",
  });
  expect(res.status).toBe(200);
  return await res.json();
}

const store = async (ids: string[]): Promise<string> =>
  (await call("POST", "/modalities/slow/store", { Resources: ids, Asynchronous: true })).ID;

// deno-lint-ignore no-explicit-any
async function until(id: string, check: (job: any) => boolean, what: string): Promise<any> {
  // deno-lint-ignore no-explicit-any
  let job: any;
  await waitFor(async () => check(job = await call("GET", `/jobs/${id}`)), `job ${id} ${what}`);
  return job;
}

/** How many times each instance was sent so far, by Orthanc id. */
async function exported(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const file = Bun.file(receivedLog);
  const lines = (await file.exists()) ? (await file.text()).split("\n") : [];
  for (const line of lines.filter((l) => l !== "")) {
    const id = idOfSop.get(line.slice(line.indexOf(".") + 1))!;
    out[id] = (out[id] ?? 0) + 1;
  }
  return out;
}

test("a store job pauses and resumes between batches; ConcurrentJobs holds others", async () => {
  const first = await store(instances.slice(0, 3));
  await until(first, (j) => j.State === "Running", "runs");
  const second = await store([instances[3]]);
  await until(first, (j) => j.Progress > 0, "sends a batch");
  expect((await call("GET", `/jobs/${second}`)).State).toBe("Pending");

  // Orthanc's bare 400: only a failed job can be resubmitted.
  const resubmit = await app.fetch(
    new Request(`http://pharos/jobs/${first}/resubmit`, { method: "POST", body: "{}" }),
    { remoteAddress: "127.0.0.1" },
  );
  expect(resubmit.status).toBe(400);
  expect(await call("POST", `/jobs/${first}/pause`)).toEqual({});
  const paused = await until(first, (j) => j.State === "Paused", "pauses");
  expect(paused.Progress).toBeGreaterThan(0);
  expect(paused.Progress).toBeLessThan(100);
  // The slot it held goes to the job waiting.
  await until(second, (j) => j.State === "Success", "runs once the first is paused");
  expect((await call("GET", `/jobs/${first}`)).State).toBe("Paused");

  expect(await call("POST", `/jobs/${first}/resume`)).toEqual({});
  const done = await until(first, (j) => j.State === "Success", "succeeds");
  expect(done).toMatchObject({ Progress: 100, ErrorCode: 0 });
  expect(done.Content).toMatchObject({ InstancesCount: 3, FailedInstancesCount: 0 });
  expect(await exported()).toEqual(Object.fromEntries(instances.map((id) => [id, 1])));
}, 30_000);

test("a store job is canceled between batches", async () => {
  const before = await exported();
  const id = await store(instances.slice(0, 3));
  await until(id, (j) => j.Progress > 0, "sends a batch");
  expect(await call("POST", `/jobs/${id}/cancel`)).toEqual({});
  const canceled = await until(id, (j) => j.State === "Failure", "is canceled");
  expect(canceled).toMatchObject({ ErrorCode: 37, ErrorDescription: "This job was canceled" });
  expect(canceled.Progress).toBeLessThan(100);
  const sent = Object.values(await exported()).reduce((a, b) => a + b, 0) -
    Object.values(before).reduce((a, b) => a + b, 0);
  expect(sent).toBeGreaterThan(0);
  expect(sent).toBeLessThan(3);
}, 30_000);

test("a store job rebuilt from its saved JSON sends only what it had not sent", async () => {
  const start = await exported();
  const id = await store(instances.slice(0, 3));
  await until(id, (j) => j.Progress > 0, "sends a batch");
  await call("POST", `/jobs/${id}/pause`);
  await until(id, (j) => j.State === "Paused", "pauses");
  const saved = jobs.serialize();
  await call("POST", `/jobs/${id}/cancel`);
  const before = await exported();

  const restarted = new JobRegistry(1, 10);
  restarted.addFactory(dicomJobFactory(core, network));
  restarted.restore(saved);
  const job = restarted.get(id)!;
  expect(job.state).toBe("Paused");
  restarted.resume(id);
  await job.done;
  expect(job.state).toBe("Success");
  expect(job.content).toMatchObject({ InstancesCount: 3, FailedInstancesCount: 0 });
  const after = await exported();
  const sent = (from: Record<string, number>, to: Record<string, number>) =>
    instances.slice(0, 3).map((i) => (to[i] ?? 0) - (from[i] ?? 0));
  // Each instance went out once in all: before the pause, or after the restart.
  expect(sent(before, after).some((n) => n === 0)).toBe(true);
  expect(sent(start, after)).toEqual([1, 1, 1]);
}, 30_000);

test("a store job to a modality nobody answers fails as Orthanc's, with its job JSON", async () => {
  const { ID } = await call("POST", "/modalities/dead/store", {
    Resources: [instances[0]],
    Asynchronous: true,
  });
  const failed = await until(ID, (j) => j.State === "Failure", "fails");
  expect(Object.keys(failed)).toEqual([
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
  expect(failed).toMatchObject({
    Type: "DicomModalityStore",
    Progress: 0,
    ErrorCode: 9,
    ErrorDescription: "Error in the network protocol",
    ErrorDetails:
      'DicomAssociation - connecting to AET "DEAD": TCP Initialization Error: Connection refused',
  });
  expect(Object.keys(failed.Content)).toEqual([
    "Description",
    "FailedInstancesCount",
    "InstancesCount",
    "LocalAet",
    "ParentResources",
    "RemoteAet",
  ]);
  expect(failed.Content).toMatchObject({ RemoteAet: "DEAD", ParentResources: [instances[0]] });
}, 30_000);
