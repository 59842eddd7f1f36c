// PostgreSQL restarted under an ingest (issue 16): the requests in flight fail with Orthanc's
// error and leave nothing half-written, the node reconnects by itself, and no acknowledged
// instance is lost, nor any file left over.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { postgresqlSection, restartClusterMeanwhile } from "../support/postgresql.ts";
import { type RunningServer, sampleFiles, startPharos, waitFor } from "../support/server.ts";

let server: RunningServer;
// The first test of a process also starts the cluster.
beforeAll(async () => {
  server = await startPharos({ config: { PostgreSQL: postgresqlSection(), StableAge: 3600 } });
}, 30_000);
afterAll(() => server.stop());

const storedFiles = (dir: string) =>
  readdirSync(join(dir, "storage"), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile()).length;

test("a restart of PostgreSQL during an ingest loses no acknowledged instance", async () => {
  const files = (await sampleFiles()).filter((f) => !f.endsWith("DICOMDIR"));
  const acknowledged = new Set<string>();
  const refusals: { status: number; body: Record<string, unknown> }[] = [];
  let next = 0;
  const client = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      const res = await fetch(`${server.url}/instances`, { method: "POST", body: Bun.file(file) });
      const body = await res.json();
      if (res.status === 200) acknowledged.add(body.ID);
      else if (res.status !== 404) refusals.push({ status: res.status, body });
    }
  };
  const uploads = Promise.all([client(), client(), client(), client()]);
  await waitFor(() => acknowledged.size >= 20, "some instances stored");
  await restartClusterMeanwhile();
  await uploads;
  // Uploads went on while PostgreSQL was down.
  expect(refusals.length).toBeGreaterThan(0);

  // The refused requests got Orthanc's error for an unavailable database.
  for (const r of refusals) {
    expect(r.status).toBe(503);
    expect(r.body.OrthancError).toBe(
      "The database is currently not available (probably a transient situation)",
    );
  }
  // The node reconnected by itself: the refused files go in now.
  for (const file of files) {
    const res = await fetch(`${server.url}/instances`, { method: "POST", body: Bun.file(file) });
    expect([200, 404]).toContain(res.status);
  }
  const ids = new Set((await (await fetch(`${server.url}/instances`)).json()) as string[]);
  for (const id of acknowledged) expect(ids.has(id)).toBe(true);
  const stats = await (await fetch(`${server.url}/statistics`)).json();
  expect(stats.CountInstances).toBe(151);
  expect(storedFiles(server.dir)).toBe(151);
}, 60_000);
