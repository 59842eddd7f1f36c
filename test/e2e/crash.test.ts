// kill -9 in the middle of an ingest: after a restart the index is consistent and every
// instance it lists has its complete, byte-identical file.
import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sampleFiles, startPharos, waitFor } from "../support/server.ts";

const sha1 = (b: Uint8Array) => createHash("sha1").update(b).digest("hex");

/** The files of a storage area (Orthanc's <root>/ab/cd/<uuid> layout). */
const storedFiles = (dir: string) =>
  readdirSync(join(dir, "storage"), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile()).length;

test("a killed ingest leaves a consistent index and no half-written file recorded", async () => {
  const files = (await sampleFiles()).filter((f) => !f.endsWith("DICOMDIR"));
  const originals = new Map<string, string>();
  for (const f of files) originals.set(sha1(new Uint8Array(await Bun.file(f).arrayBuffer())), f);

  const first = await startPharos();
  const dir = first.dir;
  let next = 0;
  const client = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      await fetch(`${first.url}/instances`, { method: "POST", body: Bun.file(file) }).catch(() =>
        undefined
      );
    }
  };
  const uploads = Promise.all([client(), client(), client(), client()]);
  await waitFor(async () => {
    const stats = await (await fetch(`${first.url}/statistics`)).json();
    return stats.CountInstances >= 20;
  }, "some instances stored");
  await first.stop({ keep: true, signal: "SIGKILL" });
  await uploads;

  const second = await startPharos({ dir });
  try {
    const ids = (await (await fetch(`${second.url}/instances`)).json()) as string[];
    expect(ids.length).toBeGreaterThanOrEqual(20);
    const stats = await (await fetch(`${second.url}/statistics`)).json();
    expect(stats.CountInstances).toBe(ids.length);
    // The files written but not indexed when the server was killed are gone: one file an instance.
    expect(storedFiles(dir)).toBe(ids.length);
    for (const id of ids) {
      const res = await fetch(`${second.url}/instances/${id}/file`);
      expect(res.status).toBe(200);
      const body = new Uint8Array(await res.arrayBuffer());
      // Every recorded file is exactly one of the uploaded files.
      expect(originals.has(sha1(body))).toBe(true);
    }
    // The restarted server takes the rest of the files.
    for (const f of files) {
      const res = await fetch(`${second.url}/instances`, { method: "POST", body: Bun.file(f) });
      expect([200, 404]).toContain(res.status);
    }
    const after = await (await fetch(`${second.url}/statistics`)).json();
    // Orthanc 1.10.1 counts 151 instances in these samples.
    expect(after.CountInstances).toBe(151);
    expect(storedFiles(dir)).toBe(151);
  } finally {
    await second.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("SIGTERM during an ingest loses no acknowledged instance", async () => {
  const files = (await sampleFiles("Brainix")).concat(await sampleFiles("Knee"));
  const first = await startPharos();
  const dir = first.dir;
  const acknowledged: string[] = [];
  let next = 0;
  const client = async () => {
    while (next < files.length) {
      const res = await fetch(`${first.url}/instances`, {
        method: "POST",
        body: Bun.file(files[next++]!),
      })
        .catch(() => undefined);
      if (res?.status === 200) acknowledged.push((await res.json()).ID);
    }
  };
  const uploads = Promise.all([client(), client()]);
  await waitFor(() => acknowledged.length >= 10, "some acknowledged uploads");
  expect(await first.stop({ keep: true })).toBe(0);
  await uploads;
  const second = await startPharos({ dir });
  try {
    for (const id of acknowledged) {
      expect((await fetch(`${second.url}/instances/${id}`)).status).toBe(200);
    }
  } finally {
    await second.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
