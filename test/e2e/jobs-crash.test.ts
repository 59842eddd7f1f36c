// kill -9 in the middle of a job, then a restart on the same folder (SaveJobs):
// - a C-STORE job to a slow storescp goes on where it stopped: each instance reaches the peer
//   once, but for the one in flight when the process died;
// - a modify job leaves its source intact, and once resumed its new study holds one copy of each
//   instance (no second copy of the instances it did again), every file readable.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { generateCorpus } from "../../bench/dicom-corpus.ts";
import { dcmtk, DCMTK_ENV } from "../support/dimse.ts";
import { freePort, type RunningServer, startPharos, waitFor } from "../support/server.ts";

const dir = mkdtempSync(join(tmpdir(), "pharos-jobs-crash-"));
const scpPort = freePort();
const receivedLog = join(dir, "received.log");
const config = {
  DicomModalities: { slow: ["SLOWSCP", "127.0.0.1", scpPort] },
  // Every file is written as is, so that a file's MD5 tells whether it changed.
  StorageCompression: false,
};
let server: RunningServer;
let scp: Subprocess;

/** The last of what the servers wrote: read as it comes, so that a full pipe never blocks them. */
let logs = "";

async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) logs = (logs + decoder.decode(chunk)).slice(-8000);
}

async function start(): Promise<void> {
  server = await startPharos({ dir, config });
  void drain(server.process.stdout as ReadableStream<Uint8Array>);
  void drain(server.process.stderr as ReadableStream<Uint8Array>);
}

beforeAll(async () => {
  // storescp sleeps a second after each C-STORE and logs each file before it answers.
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
      join(dir, "received"),
      String(scpPort),
    ],
    { stdout: "ignore", stderr: "ignore", env: DCMTK_ENV },
  );
  Bun.spawnSync(["mkdir", "-p", join(dir, "received")]);
  await waitFor(
    async () =>
      (await dcmtk(["echoscu", "-aec", "SLOWSCP", "127.0.0.1", String(scpPort)])).code === 0,
    "storescp",
  );
  await start();
}, 30_000);
afterAll(async () => {
  await server?.stop();
  scp?.kill();
  await scp?.exited;
  rmSync(dir, { recursive: true, force: true });
});

// deno-lint-ignore no-explicit-any
async function call(method: string, path: string, body?: unknown): Promise<any> {
  const init = {
    method,
    body: body === undefined || body instanceof Uint8Array ? body : JSON.stringify(body),
  };
  const res = await fetch(`${server.url}${path}`, init);
  expect(res.status).toBe(200);
  return await res.json();
}

// deno-lint-ignore no-explicit-any
async function until(id: string, check: (job: any) => boolean, what: string): Promise<any> {
  // deno-lint-ignore no-explicit-any
  let job: any;
  try {
    await waitFor(
      async () => check(job = await call("GET", `/jobs/${id}`)),
      `job ${id} ${what}`,
      60_000,
    );
  } catch (error) {
    // The job as last seen (a failure's error, a state stuck) says why it never got there.
    throw new Error(
      `${(error as Error).message}; last seen: ${JSON.stringify(job)}\nserver log:\n${logs}`,
    );
  }
  return job;
}

async function uploadStudy(count: number): Promise<{ study: string; instances: string[] }> {
  const corpus = generateCorpus({ count, patients: 1, studiesPerPatient: 1, seriesPerStudy: 1 });
  const instances: string[] = [];
  let study = "";
  for (const { bytes } of corpus.instances) {
    const stored = await call("POST", "/instances", bytes);
    instances.push(stored.ID);
    study = stored.ParentStudy;
  }
  return { study, instances };
}

/** The SOP instance UIDs storescp received, one line per reception. */
async function received(): Promise<string[]> {
  const file = Bun.file(receivedLog);
  if (!(await file.exists())) return [];
  return (await file.text()).split("\n").filter((l) => l !== "").map((l) =>
    l.slice(l.indexOf(".") + 1)
  );
}

async function killAndRestart(): Promise<void> {
  await server.stop({ keep: true, signal: "SIGKILL" });
  await start();
}

test(
  "a send killed mid-way goes on after the restart without sending again what was sent",
  async () => {
    const { study, instances } = await uploadStudy(6);
    const id = (await call("POST", "/modalities/slow/store", {
      Resources: [study],
      Asynchronous: true,
    })).ID;
    await waitFor(async () => (await received()).length >= 2, "two instances at storescp", 30_000);
    await killAndRestart();

    const done = await until(id, (j) => j.State === "Success", "succeeds after the restart");
    expect(done.Content).toMatchObject({ InstancesCount: 6, FailedInstancesCount: 0 });
    const uids = await received();
    expect(new Set(uids).size).toBe(instances.length);
    // Only the instance in flight when the process died may have gone twice.
    expect(uids.length).toBeLessThanOrEqual(instances.length + 1);
  },
  60_000,
);

test(
  "a modify job killed mid-way leaves its source intact and no second copy once resumed",
  async () => {
    const count = 300;
    const { study, instances } = await uploadStudy(count);
    const stats = await call("GET", "/statistics");
    const md5 = async (id: string) =>
      new Bun.CryptoHasher("md5").update(
        await (await fetch(`${server.url}/instances/${id}/file`)).arrayBuffer(),
      ).digest("hex");
    const before = await Promise.all(instances.map(md5));

    const id = (await call("POST", `/studies/${study}/modify`, {
      Replace: { StudyDescription: "CRASH" },
      Asynchronous: true,
    })).ID;
    // Past the first save (soon after the submission), before the end.
    await waitFor(
      async () => (await call("GET", `/jobs/${id}`)).Progress >= 10,
      "the job under way",
      30_000,
    );
    await killAndRestart();

    const done = await until(id, (j) => j.State === "Success", "succeeds after the restart");
    expect(done.Content.InstancesCount).toBe(count);
    const copy = done.Content.ID as string;
    expect(await call("GET", `/studies/${study}/instances`)).toHaveLength(count);
    expect(await Promise.all(instances.map(md5))).toEqual(before);
    const copies = await call("GET", `/studies/${copy}/instances?expand`);
    expect(copies).toHaveLength(count);
    // deno-lint-ignore no-explicit-any
    const copied = await Promise.all(copies.map(async (i: any) => {
      const tags = await call("GET", `/instances/${i.ID}/simplified-tags`);
      return tags.StudyDescription as string;
    }));
    expect(new Set(copied)).toEqual(new Set(["CRASH"]));
    expect(await call("GET", "/statistics")).toMatchObject({
      CountStudies: stats.CountStudies + 1,
      CountInstances: stats.CountInstances + count,
    });
  },
  120_000,
);
