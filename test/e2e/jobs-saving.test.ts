// SaveJobs through restarts of a real server: finished jobs come back in the history, a plugin
// job goes on from what it serialized, a paused one stays paused, a job without serialize() is
// gone, a C-STORE job cut by the stop runs again (to storescp), --no-jobs reloads nothing, and a
// submitted job is saved soon enough to survive a kill -9.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { GlobalProperty } from "../../src/server/model.ts";
import { startStoreScp } from "../support/dimse.ts";
import { onPostgreSQL } from "../support/postgresql.ts";
import {
  freePort,
  type RunningServer,
  samplesDir,
  startPharos,
  upload,
  waitFor,
} from "../support/server.ts";

const PLUGIN = resolve(import.meta.dir, "../plugins/saved-jobs.ts");
const FLAIR = join(samplesDir, "Brainix/Flair/IM-0001-0001.dcm");

let dir: string;
let server: RunningServer;
const storePort = freePort();
const config = {
  Plugins: [PLUGIN],
  ConcurrentJobs: 3,
  DicomModalities: { scp: ["STORESCP", "127.0.0.1", storePort] },
};
/** (Re)starts the server on the same folder; a server left running by a failed test is stopped. */
async function start(extraArgs: string[] = [], overrides: Record<string, unknown> = {}) {
  await server?.stop({ keep: true });
  server = await startPharos({ dir, config: { ...config, ...overrides }, extraArgs });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pharos-saved-jobs-"));
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// deno-lint-ignore no-explicit-any
const json = async (path: string, init?: RequestInit): Promise<any> =>
  await (await fetch(`${server.url}${path}`, init)).json();
const post = (path: string, body: unknown) =>
  json(path, { method: "POST", body: JSON.stringify(body) });
const submit = async (body: unknown): Promise<string> =>
  (await post("/saved-jobs/submit", body)).ID;

// deno-lint-ignore no-explicit-any
async function until(id: string, check: (job: any) => boolean, what: string) {
  // deno-lint-ignore no-explicit-any
  let job: any;
  await waitFor(async () => check(job = await json(`/jobs/${id}`)), `job ${id} ${what}`);
  return job;
}

/** The jobs saved in the index file, read beside the running server. */
function savedJobIds(): string[] {
  const db = new Database(join(dir, "index", "pharos-index.sqlite"), { readonly: true });
  try {
    const row = db.query("SELECT value FROM global_properties WHERE property = ?")
      .get(GlobalProperty.JobsRegistry) as { value: string } | null;
    return row ? Object.keys(JSON.parse(row.value).Jobs) : [];
  } finally {
    db.close();
  }
}

// The registry is read and damaged in the SQLite file itself, beside the server: SQLite only (on
// PostgreSQL, test/e2e/jobs-crash.test.ts covers the saved jobs of a restarted node).
describe.skipIf(onPostgreSQL)("SaveJobs", () => {
  const ids: Record<string, string> = {};
  let silent: Server;
  const sockets: Socket[] = [];

  test("jobs of every kind, then a stop", async () => {
    await start();
    expect((await upload(server.url, FLAIR)).status).toBe(200);

    ids.finished = await submit({ kind: "counter", target: 3 });
    await until(ids.finished, (j) => j.State === "Success", "succeeds");
    ids.running = await submit({ kind: "counter" });
    await until(ids.running, (j) => j.Content.Count >= 5, "counts");
    ids.paused = await submit({ kind: "counter" });
    await until(ids.paused, (j) => j.Content.Count >= 1, "counts");
    await post(`/jobs/${ids.paused}/pause`, {});
    await until(ids.paused, (j) => j.State === "Paused", "pauses");
    ids.volatile = await submit({ kind: "volatile" });
    await until(ids.volatile, (j) => j.State === "Running", "runs");

    // A peer that accepts the connection and never answers: the C-STORE job hangs Running.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((ok) => silent.listen(storePort, "127.0.0.1", ok));
    const store = await post("/modalities/scp/store", {
      Resources: [(await json("/instances"))[0]],
      Asynchronous: true,
    });
    ids.store = store.ID;
    await waitFor(() => sockets.length > 0, "the C-STORE association");
    expect((await json(`/jobs/${ids.store}`)).State).toBe("Running");

    expect(await server.stop({ keep: true })).toBe(0);
    for (const s of sockets) s.destroy();
    await new Promise((ok) => silent.close(ok));
  }, 30_000);

  test(
    "after a restart: history, resumed, paused, dropped, and the C-STORE runs again",
    async () => {
      const scp = await startStoreScp("STORESCP", storePort);
      try {
        await start();
        const listed: string[] = await json("/jobs");
        expect(listed).toContain(ids.finished);
        expect(listed).not.toContain(ids.volatile);

        const finished = await json(`/jobs/${ids.finished}`);
        expect(finished).toMatchObject({ State: "Success", Type: "Counter", Progress: 100 });
        expect(finished.Content).toEqual({ Count: 3, Target: 3, ResumedFrom: null });

        const running = await until(ids.running, (j) => j.Content.Count > 0, "counts again");
        expect(running.Type).toBe("Counter");
        expect(running.Content.ResumedFrom).toBeGreaterThanOrEqual(5);
        expect(running.Content.Count).toBeGreaterThanOrEqual(running.Content.ResumedFrom);

        const paused = await json(`/jobs/${ids.paused}`);
        expect(paused.State).toBe("Paused");
        await post(`/jobs/${ids.paused}/resume`, {});
        const resumed = await until(ids.paused, (j) => j.State === "Running", "resumes");
        expect(resumed.Content.ResumedFrom).toBeGreaterThanOrEqual(1);

        const store = await until(ids.store, (j) => j.State === "Success", "succeeds");
        expect(store.Type).toBe("DicomModalityStore");
        expect(store.Content).toMatchObject({ InstancesCount: 1, FailedInstancesCount: 0 });
        await waitFor(() => scp.files().length === 1, "the instance at storescp");
      } finally {
        await scp.stop();
      }
      await post(`/jobs/${ids.running}/cancel`, {});
      await post(`/jobs/${ids.paused}/cancel`, {});
      expect(await server.stop({ keep: true })).toBe(0);
    },
    30_000,
  );

  test("--no-jobs reloads nothing", async () => {
    expect(savedJobIds()).toContain(ids.store);
    await start(["--no-jobs"]);
    expect(await json("/jobs")).toEqual([]);
  }, 30_000);

  test("a submitted job is saved at once, and survives a kill -9", async () => {
    const id = await submit({ kind: "counter" });
    await waitFor(() => savedJobIds().includes(id), "the job in the index");
    await server.stop({ keep: true, signal: "SIGKILL" });
    await start();
    const job = await until(id, (j) => j.State === "Running", "runs");
    expect(job.Content.ResumedFrom).toBeGreaterThanOrEqual(0);
    await post(`/jobs/${id}/cancel`, {});
    await until(id, (j) => j.State === "Failure", "is canceled");
  }, 30_000);

  test("SaveJobs false saves nothing", async () => {
    await server.stop({ keep: true });
    await start([], { SaveJobs: false });
    const before = savedJobIds();
    const id = await submit({ kind: "counter", target: 2 });
    await until(id, (j) => j.State === "Success", "succeeds");
    await server.stop({ keep: true });
    expect(savedJobIds()).toEqual(before);
    await start([], { SaveJobs: false });
    expect(await json("/jobs")).toEqual([]);
  }, 30_000);

  test("a damaged saved registry: damaged jobs are left out, the others come back", async () => {
    await server.stop({ keep: true });
    const valid = {
      ID: "valid-job",
      Type: "Counter",
      Priority: 0,
      State: "Success",
      Progress: 100,
      Content: { Count: 1 },
      ErrorCode: 0,
      ErrorDescription: "Success",
      ErrorDetails: "",
      CreationTime: "20261124T000000.000000",
      CompletionTime: "20261124T000001.000000",
      RuntimeMs: 5,
    };
    const write = (text: string) => {
      const db = new Database(join(dir, "index", "pharos-index.sqlite"));
      try {
        db.query("INSERT OR REPLACE INTO global_properties (property, value) VALUES (?, ?)")
          .run(GlobalProperty.JobsRegistry, text);
      } finally {
        db.close();
      }
    };
    write(
      JSON.stringify({
        Jobs: {
          a: { ID: 3 },
          b: "nope",
          c: { ...valid, State: "Odd" },
          e: { ...valid, ID: "bad-content", Content: "text" },
          d: valid,
        },
      }),
    );
    await start();
    expect(await json("/jobs")).toEqual(["valid-job"]);
    expect((await json("/jobs/valid-job")).Content).toEqual({ Count: 1 });
    await server.stop({ keep: true });
    write("not JSON at all");
    await start();
    expect(await json("/jobs")).toEqual([]);
  }, 30_000);
});
