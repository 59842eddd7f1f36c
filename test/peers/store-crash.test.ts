// kill -9 in the middle of an OrthancPeerStore job, then a restart on the same folder (SaveJobs):
// the job goes on where it stopped, each instance reaching the peer once, but for the one in
// flight when the process died. The peer is a slow HTTP server of the test, which also checks
// the peer's credentials and HttpHeaders on every request.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCorpus } from "../../bench/dicom-corpus.ts";
import { type RunningServer, startPharos, waitFor } from "../support/server.ts";

const dir = mkdtempSync(join(tmpdir(), "pharos-peer-crash-"));
/** The MD5 of each body the peer received, in order. */
const received: string[] = [];
/** The credentials and extra header of each request. */
const headers = new Set<string>();
const peer = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const body = new Uint8Array(await request.arrayBuffer());
    headers.add(`${request.headers.get("authorization")} ${request.headers.get("x-token")}`);
    received.push(new Bun.CryptoHasher("md5").update(body).digest("hex"));
    await Bun.sleep(300);
    return Response.json({ Status: "Success" });
  },
});
const config = {
  OrthancPeers: {
    slow: {
      Url: `http://127.0.0.1:${peer.port}`,
      Username: "u",
      Password: "p",
      HttpHeaders: { "X-Token": "t" },
    },
  },
  SaveJobs: true,
};
let server: RunningServer;

beforeAll(async () => {
  server = await startPharos({ dir, config });
}, 30_000);
afterAll(async () => {
  await server?.stop();
  peer.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

test("a peer store killed mid-way goes on after the restart without sending again", async () => {
  const corpus = generateCorpus({ count: 6, patients: 1, studiesPerPatient: 1, seriesPerStudy: 1 });
  let study = "";
  for (const { bytes } of corpus.instances) {
    const r = await fetch(`${server.url}/instances`, { method: "POST", body: bytes });
    study = (await r.json() as { ParentStudy: string }).ParentStudy;
  }
  const started = await fetch(`${server.url}/peers/slow/store`, {
    method: "POST",
    body: JSON.stringify({ Resources: [study], Asynchronous: true }),
  });
  const { ID } = await started.json() as { ID: string };
  await waitFor(() => received.length >= 2, "two instances at the peer", 30_000);
  await server.stop({ keep: true, signal: "SIGKILL" });
  server = await startPharos({ dir, config });

  let job: { State?: string; Content?: Record<string, unknown> } = {};
  await waitFor(
    async () => {
      job = await (await fetch(`${server.url}/jobs/${ID}`)).json();
      return job.State === "Success";
    },
    "the job's success after the restart",
    30_000,
  );
  expect(job.Content).toMatchObject({ InstancesCount: 6, FailedInstancesCount: 0 });
  expect(new Set(received).size).toBe(6);
  // Only the instance in flight when the process died may have gone twice.
  expect(received.length).toBeLessThanOrEqual(7);
  // Every request, before and after the restart, carried the peer's credentials and headers.
  expect([...headers]).toEqual([`Basic ${btoa("u:p")} t`]);
}, 60_000);
