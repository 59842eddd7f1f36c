// The DICOMweb client's STOW-RS request, beside Orthanc 1.10.1 with its DICOMweb plugin sending the
// same instances to the same recording server: one request, streamed with chunked transfer
// encoding unless the server's ChunkedTransfers is false, and the plugin's check of the answer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type RecordingOrthanc, startRecordingOrthanc } from "../golden/orthanc.ts";
import { hasOrthanc } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir, waitFor } from "../support/server.ts";

const PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";
const ready = hasOrthanc && existsSync(PLUGIN);
const FILES = ["IM-0001-0001.dcm", "IM-0001-0002.dcm", "IM-0001-0003.dcm"].map((f) =>
  readFileSync(join(samplesDir, "Brainix/Flair", f))
);

interface Seen {
  path: string;
  transferEncoding: string | null;
  contentLength: string | null;
  parts: number;
  partLengths: number;
}

/** What the recording server answers, by path below it. */
const ANSWERS: Record<string, unknown> = {
  "/good/studies": undefined,
  "/empty/studies": {},
  "/short/studies": { "00081199": { vr: "SQ", Value: [{}] } },
  "/failed/studies": {
    "00081199": { vr: "SQ", Value: [{}, {}, {}] },
    "00081198": { vr: "SQ", Value: [{}] },
  },
};
const seen: Seen[] = [];
let target: ReturnType<typeof Bun.serve>;
let oracle: RecordingOrthanc;
let pharos: InProcessServer;

beforeAll(async () => {
  if (!ready) return;
  target = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const path = new URL(request.url).pathname;
      const text = new TextDecoder("latin1").decode(await request.arrayBuffer());
      seen.push({
        path,
        transferEncoding: request.headers.get("transfer-encoding"),
        contentLength: request.headers.get("content-length"),
        parts: (text.match(/Content-Type: application\/dicom\r\n/g) ?? []).length,
        partLengths: (text.match(/Content-Length: \d+\r\n/g) ?? []).length,
      });
      const answer = ANSWERS[path] ?? {
        "00081199": { vr: "SQ", Value: FILES.map(() => ({})) },
      };
      return Response.json(answer, { headers: { "Content-Type": "application/dicom+json" } });
    },
  });
  const url = (name: string) => `http://127.0.0.1:${target.port}/${name}/`;
  const servers = {
    good: [url("good")],
    buffered: { Url: url("buffered"), ChunkedTransfers: false },
    empty: [url("empty")],
    short: [url("short")],
    failed: [url("failed")],
  };
  const config = { DicomWeb: { Enable: true, Servers: servers } };
  oracle = await startRecordingOrthanc({ Plugins: [PLUGIN], ...config });
  pharos = await startInProcess({ config });
  for (const base of [oracle.url, pharos.url]) {
    for (const file of FILES) await fetch(`${base}/instances`, { method: "POST", body: file });
  }
});

afterAll(async () => {
  await oracle?.stop();
  await pharos?.stop();
  target?.stop(true);
});

/** The stow of every instance to a server, as an asynchronous job, and the job when it ended. */
async function stow(base: string, server: string): Promise<Record<string, unknown>> {
  const ids = await (await fetch(`${base}/instances`)).json() as string[];
  const answer = await fetch(`${base}/dicom-web/servers/${server}/stow`, {
    method: "POST",
    body: JSON.stringify({ Resources: ids, Asynchronous: true }),
  });
  const id = ((await answer.json()) as { ID: string }).ID;
  let job: Record<string, unknown> = {};
  await waitFor(async () => {
    job = await (await fetch(`${base}/jobs/${id}`)).json();
    return job.State === "Success" || job.State === "Failure";
  }, "the stow job's end");
  return { State: job.State, ErrorCode: job.ErrorCode, Content: job.Content };
}

/** The requests one stow made, taken from the recording. */
async function requestsOf(base: string, server: string) {
  seen.length = 0;
  const job = await stow(base, server);
  return { job, requests: seen.splice(0) };
}

describe.skipIf(!ready)("STOW-RS out of Pharos, as the plugin sends it", () => {
  for (const server of ["good", "buffered"]) {
    test(`to a server with ChunkedTransfers ${server === "good"}`, async () => {
      const fromOrthanc = await requestsOf(oracle.url, server);
      const fromPharos = await requestsOf(pharos.url, server);
      expect(fromPharos.job).toEqual(fromOrthanc.job);
      expect(fromPharos.job.State).toBe("Success");
      const shape = (r: Seen) => ({
        path: r.path,
        chunked: r.transferEncoding === "chunked",
        sized: r.contentLength !== null,
        parts: r.parts,
        partLengths: r.partLengths,
      });
      expect(fromPharos.requests.map(shape)).toEqual(fromOrthanc.requests.map(shape));
      expect(fromPharos.requests).toHaveLength(1);
      expect(fromPharos.requests[0]!.transferEncoding === "chunked").toBe(server === "good");
    });
  }

  for (const server of ["empty", "short", "failed"]) {
    test(`an answer the plugin refuses (${server}) fails the job as the plugin's`, async () => {
      const fromOrthanc = await stow(oracle.url, server);
      const fromPharos = await stow(pharos.url, server);
      expect(fromPharos).toEqual(fromOrthanc);
      expect(fromPharos.State).toBe("Failure");
    });
  }
});
