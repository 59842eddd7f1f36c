// /matlab, the frames listing, /series/{id}/ordered-slices and /series/{id}/numpy against
// Orthanc 1.10.1 on the same files: same statuses, content types and bodies (errors included).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type RecordingOrthanc, startRecordingOrthanc } from "../golden/orthanc.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";

const BRAINIX = readdirSync(join(samplesDir, "Brainix/Epi")).slice(0, 4)
  .map((f) => `Brainix/Epi/${f}`);
const FILES = [
  ...BRAINIX,
  "MultiframeWindowing.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.1.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm",
  "MarekLatin2.dcm",
];

let orthanc: RecordingOrthanc;
let pharos: InProcessServer;
const instances = new Map<string, string>();
const series = new Set<string>();

beforeAll(async () => {
  orthanc = await startRecordingOrthanc();
  pharos = await startInProcess();
  for (const file of FILES) {
    const body = readFileSync(join(samplesDir, file));
    await fetch(`${orthanc.url}/instances`, { method: "POST", body });
    const res = await fetch(`${pharos.url}/instances`, { method: "POST", body });
    const { ID, ParentSeries } = (await res.json()) as { ID: string; ParentSeries: string };
    instances.set(file, ID);
    series.add(ParentSeries);
  }
}, 60_000);

afterAll(async () => {
  await orthanc?.stop();
  await pharos?.stop();
});

async function same(path: string) {
  const [a, b] = await Promise.all([
    fetch(`${orthanc.url}${path}`),
    fetch(`${pharos.url}${path}`),
  ]);
  expect(`${path} ${b.status}`).toBe(`${path} ${a.status}`);
  const [x, y] = [new Uint8Array(await a.arrayBuffer()), new Uint8Array(await b.arrayBuffer())];
  // Orthanc 1.10.1 labels its JSON error bodies with no content type.
  if (a.status === 200) expect(b.headers.get("content-type")).toBe(a.headers.get("content-type"));
  if (a.status !== 200 || a.headers.get("content-type")?.startsWith("application/json")) {
    expect(JSON.parse(new TextDecoder().decode(y))).toEqual(
      JSON.parse(new TextDecoder().decode(x)),
    );
  } else {
    expect(`${path} ${Buffer.from(y).equals(Buffer.from(x))}`).toBe(`${path} true`);
  }
}

describe("series and MATLAB routes as in Orthanc 1.10.1", () => {
  for (const file of FILES) {
    test(`${file}: /matlab, frames/0/matlab, frames/1/matlab, the frame listing`, async () => {
      const id = instances.get(file)!;
      for (const route of ["matlab", "frames/0/matlab", "frames/1/matlab", "frames/0"]) {
        await same(`/instances/${id}/${route}`);
      }
    });
  }
  test("/series/{id}/ordered-slices and /numpy", async () => {
    for (const id of series) {
      await same(`/series/${id}/ordered-slices`);
      await same(`/series/${id}/numpy`);
      await same(`/series/${id}/numpy?rescale=false`);
    }
  });
});
