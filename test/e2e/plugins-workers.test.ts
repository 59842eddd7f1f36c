// host.workers.run through a running server: a plugin route that computes for seconds in a
// worker leaves the server answering meanwhile; a throwing task, a task past its timeout and a
// missing module become Orthanc's 500 error JSON, logged, and the pool goes on working.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { type RunningServer, startPharos, waitFor } from "../support/server.ts";

let server: RunningServer;
let stderr: Promise<string>;
beforeAll(async () => {
  server = await startPharos({
    config: { Plugins: [resolve(import.meta.dir, "../plugins/cpu.ts")] },
  });
  stderr = new Response(server.process.stderr as ReadableStream).text();
});
afterAll(async () => {
  await server?.stop();
});

const get = (path: string) => fetch(`${server.url}${path}`);

test("the server answers while a plugin computes in a worker", async () => {
  let slowDone = false;
  const slow = get("/cpu-probe/burn?ms=2000").then((res) => {
    slowDone = true;
    return res;
  });
  await waitFor(
    async () => (await (await get("/cpu-probe/started")).json()).started === 1,
    "the burn",
  );
  expect((await get("/system")).status).toBe(200);
  expect((await get("/tools/now")).status).toBe(200);
  expect(slowDone).toBe(false);
  const answer = await slow;
  expect(answer.status).toBe(200);
  expect((await answer.json()).turns).toBeGreaterThan(0);
});

test("a throwing task, a timed-out task and a missing module answer 500", async () => {
  for (const path of ["/cpu-probe/burn?fail", "/cpu-probe/burn?forever", "/cpu-probe/missing"]) {
    const res = await get(path);
    expect(res.status).toBe(500);
    expect((await res.json()).OrthancError).toBe("Error encountered within the plugin engine");
  }
  const again = await get("/cpu-probe/burn?ms=1");
  expect(again.status).toBe(200);
});

test("the failures were logged with the plugin's name", async () => {
  await server.stop();
  const log = await stderr;
  expect(log).toContain("cpu-task: failing on purpose");
  expect(log).toContain("the worker timed out after 300 ms");
  expect(log).toMatch(/plugin "cpu-probe".*no-such-module/);
});
