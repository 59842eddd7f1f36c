// A plugin cannot take the server down. Each case misbehaves on purpose (test/plugins/
// misbehave.ts) and the server keeps answering /system and DICOM echo: stray rejections and
// timer throws are logged with the plugin's name; a REST callback or an HTTP filter that never
// answers gets Orthanc's Timeout error after PluginCallbackTimeout; an on-change callback that
// never returns delays only its plugin (another still sees StableStudy), and the stop still
// closes the index. In a worker (PluginsIsolation), CPU and microtask loops leave the server
// free, and the wedged worker is terminated and restarted.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { dcmtk } from "../support/dimse.ts";
import { onPostgreSQL } from "../support/postgresql.ts";
import {
  freePort,
  type RunningServer,
  samplesDir,
  startPharos,
  upload,
  waitFor,
} from "../support/server.ts";

const misbehave = resolve(import.meta.dir, "../plugins/misbehave.ts");
const recorder = resolve(import.meta.dir, "../plugins/recorder.ts");

async function echo(port: number): Promise<number> {
  return (await dcmtk(["echoscu", "-aec", "PHAROS", "127.0.0.1", String(port)])).code;
}

interface Started {
  server: RunningServer;
  stderr: Promise<string>;
  dicomPort: number;
}

async function start(config: Record<string, unknown>): Promise<Started> {
  const dicomPort = freePort();
  const server = await startPharos({ config: { DicomPort: dicomPort, ...config } });
  const stderr = new Response(server.process.stderr as ReadableStream).text();
  return { server, stderr, dicomPort };
}

function expectTimeout(body: Record<string, unknown>): void {
  expect(body.HttpStatus).toBe(500);
  expect(body.OrthancError).toBe("Timeout");
  expect(body.OrthancStatus).toBe(16);
}

describe("in-process plugins", () => {
  let s: Started;
  const get = (path: string, init?: RequestInit) => fetch(`${s.server.url}${path}`, init);
  beforeAll(async () => {
    s = await start({
      Plugins: [misbehave, recorder],
      PluginCallbackTimeout: 1,
      Misbehave: { HangOnChange: true, Filter: true },
      StableAge: 1,
    });
  });
  afterAll(async () => {
    await s?.server.stop();
  });

  test("a stray rejection and a throw in a timer leave the server running", async () => {
    expect(await (await get("/misbehave/reject")).text()).toBe("rejected");
    expect(await (await get("/misbehave/timer-throw")).text()).toBe("thrown");
    await waitFor(async () => (await get("/system")).status === 200, "/system");
    expect(await echo(s.dicomPort)).toBe(0);
    expect(s.server.process.exitCode).toBeNull();
  });

  test("a REST callback that never answers gets Orthanc's Timeout error", async () => {
    const pending = get("/misbehave/hang");
    expect((await get("/system")).status).toBe(200);
    expect(await echo(s.dicomPort)).toBe(0);
    const res = await pending;
    expect(res.status).toBe(500);
    expectTimeout(await res.json());
  });

  test("an HTTP filter that never answers gets Orthanc's Timeout error", async () => {
    const res = await get("/system", { headers: { "x-misbehave": "hang" } });
    expect(res.status).toBe(500);
    expectTimeout(await res.json());
    expect((await get("/system")).status).toBe(200);
    expect(await echo(s.dicomPort)).toBe(0);
  });

  test("a stuck on-change callback delays only its own plugin", async () => {
    const res = await upload(s.server.url, join(samplesDir, "DummyCT.dcm"));
    expect(res.status).toBe(200);
    await waitFor(
      async () => (await (await get("/recorder/changes")).json()).includes("StableStudy"),
      "StableStudy at the recorder",
    );
    const changes = await (await get("/changes")).json();
    expect(changes.Changes.map((c: { ChangeType: string }) => c.ChangeType)).toContain(
      "StableStudy",
    );
    // The stuck plugin saw OrthancStarted and its first NewInstance, nothing after.
    expect((await (await get("/misbehave/ok")).json()).changes).toBe(2);
    expect(await echo(s.dicomPort)).toBe(0);
  });

  test("the stop closes the index after a bounded wait for the stuck plugin", async () => {
    const index = join(s.server.dir, "index");
    expect(await s.server.stop({ keep: true })).toBe(0);
    const log = await s.stderr;
    expect(log).toMatch(/Uncaught error in plugin "misbehave" .*misbehave: stray rejection/);
    expect(log).toMatch(/Uncaught error in plugin "misbehave" .*misbehave: timer throw/);
    expect(log).toContain('The REST callback of plugin "misbehave" (GET /misbehave/hang) did not');
    expect(log).toContain('The HTTP request filter of plugin "misbehave" did not answer');
    expect(log).toContain("Stopping without waiting any longer for the plugins' on-change");
    expect(log).toContain("Pharos has stopped");
    // SQLite removes the write-ahead log when the last connection closes cleanly (on PostgreSQL
    // there is no index folder: the stop's log line above is what shows the index closed).
    if (!onPostgreSQL) expect(readdirSync(index).filter((f) => f.endsWith("-wal"))).toEqual([]);
  });
});

describe("a plugin in a worker (PluginsIsolation)", () => {
  let s: Started;
  const get = (path: string) => fetch(`${s.server.url}${path}`);
  const looping = (mark: number) => async () =>
    (await (await get("/tools/metrics-prometheus")).text()).includes(`misbehave_loop ${mark}`);
  beforeAll(async () => {
    s = await start({
      Plugins: [misbehave],
      PluginsIsolation: { misbehave: "Worker" },
      // Long enough for the checks below to run while the loop does.
      PluginCallbackTimeout: 3,
    });
  });
  afterAll(async () => {
    await s?.server.stop();
  });

  for (const [mark, loop] of ["spin", "microtasks"].entries()) {
    test(`a ${loop} loop leaves the server answering; the worker is restarted`, async () => {
      let done = false;
      const pending = get(`/misbehave/${loop}?ms=10000&mark=${mark + 1}`).then((res) => {
        done = true;
        return res;
      });
      await waitFor(looping(mark + 1), "the loop");
      expect((await get("/system")).status).toBe(200);
      expect(await echo(s.dicomPort)).toBe(0);
      expect(done).toBe(false);
      const res = await pending;
      expect(res.status).toBe(500);
      expectTimeout(await res.json());
      // The restarted worker ran initialize() again and answers.
      await waitFor(async () => (await get("/misbehave/ok")).status === 200, "the new worker");
    });
  }

  test("changes and uploads reach the plugin in its worker; strays are logged", async () => {
    const uploaded = await upload(s.server.url, join(samplesDir, "DummyCT.dcm"));
    expect(uploaded.status).toBe(200);
    // A host call that writes the index, made from the worker.
    const { ID } = await uploaded.json();
    expect(await (await get(`/misbehave/reconstruct/${ID}`)).text()).toBe("reconstructed");
    await waitFor(
      async () => (await (await get("/misbehave/ok")).json()).changes > 0,
      "a change in the worker",
    );
    expect(await (await get("/misbehave/reject")).text()).toBe("rejected");
    expect(await (await get("/misbehave/timer-throw")).text()).toBe("thrown");
    expect((await get("/misbehave/ok")).status).toBe(200);
    expect(await s.server.stop()).toBe(0);
    const log = await s.stderr;
    expect(log).toContain('Plugin "misbehave" (version 1.0.0) loaded from');
    expect(log).toMatch(/The worker of plugin "misbehave" is terminated and restarted/);
    expect(log).toMatch(/Uncaught error in plugin "misbehave" \(in its worker\).*stray rejection/);
    expect(log).toMatch(/Uncaught error in plugin "misbehave" \(in its worker\).*timer throw/);
    // Only the two loops restarted the worker: the strays did not end it.
    expect(log.match(/is terminated and restarted/g)).toHaveLength(2);
  });
});

describe("HttpRequestTimeout", () => {
  let s: Started;
  beforeAll(async () => {
    s = await start({ Plugins: [misbehave], HttpRequestTimeout: 1, PluginCallbackTimeout: 6 });
  });
  afterAll(async () => {
    await s?.server.stop();
  });

  test("closes an idle connection, never one whose answer is under way", async () => {
    // Longer than Bun's idle timer needs to fire (it ticks every few seconds).
    const res = await fetch(`${s.server.url}/misbehave/hang`);
    expect(res.status).toBe(500);
    expectTimeout(await res.json());
    let closed = false;
    await Bun.connect({
      hostname: "127.0.0.1",
      port: s.server.port,
      socket: {
        open: (socket) => void socket.write("GET /system HTTP/1.1\r\nHost: pharos\r\n\r\n"),
        data: () => {},
        close: () => void (closed = true),
      },
    });
    await waitFor(() => closed, "the idle connection to close");
  }, 30_000);
});

describe("a worker that cannot be restarted", () => {
  let s: Started;
  const get = (path: string) => fetch(`${s.server.url}${path}`);
  beforeAll(async () => {
    s = await start({
      Plugins: [misbehave],
      PluginsIsolation: { misbehave: "Worker" },
      PluginCallbackTimeout: 1,
      Misbehave: { HangOnRestart: true },
    });
  });
  afterAll(async () => {
    await s?.server.stop();
  });

  test("fails the plugin's calls, tries again at each call, and the server goes on", async () => {
    expectTimeout(await (await get("/misbehave/spin?ms=5000")).json());
    // The new worker's initialize() never returns: the calls fail (their own deadline passes
    // while they wait for it), and each tries a new worker again.
    for (let i = 0; i < 3; i++) {
      const res = await get("/misbehave/ok");
      expect(res.status).toBe(500);
      expect([1, 16]).toContain((await res.json()).OrthancStatus);
    }
    expect((await get("/system")).status).toBe(200);
    expect(await echo(s.dicomPort)).toBe(0);
    expect(await s.server.stop()).toBe(0);
    const log = await s.stderr;
    expect(log).toMatch(/could not be restarted: .*initialize\(\) of plugin "misbehave"/);
    expect(log).toContain('The worker of plugin "misbehave" is terminated and restarted: its last');
  });
});
