// Pharos as SCU: C-GET from a real Orthanc 1.10.1 (/modalities/{id}/get, synchronous and as a
// job), and /modalities/{id}/store-straight to storescp (byte-exact) and to Orthanc.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  datasetOf,
  dcmtk,
  fileDataset,
  hasOrthanc,
  type RunningOrthanc,
  startOrthanc,
  startStoreScp,
  type StoreScp,
} from "../support/dimse.ts";
import { startInProcess } from "../support/in-process.ts";
import { freePort, samplesDir, type TestServer, waitFor } from "../support/server.ts";

const FLAIR = join(samplesDir, "Brainix/Flair");
const FLAIR_STUDY = "2.16.840.1.113669.632.20.1211.10000357775";
const DUMMY_CT = join(samplesDir, "DummyCT.dcm");

let pharos: TestServer;
let storescp: StoreScp;
let orthanc: RunningOrthanc | undefined;

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${pharos.url}${path}`, {
    method,
    body: body === undefined ? undefined : body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
};

beforeAll(async () => {
  storescp = await startStoreScp("STORESCP");
  const dicomPort = freePort();
  if (hasOrthanc) {
    orthanc = await startOrthanc("ORTHANCGET", {
      DicomModalities: { pharos: ["PHAROS", "127.0.0.1", dicomPort] },
    });
    const glob = new Bun.Glob("*.dcm");
    for await (const f of glob.scan({ cwd: FLAIR, absolute: true })) {
      await fetch(`${orthanc.url}/instances`, { method: "POST", body: Bun.file(f) });
    }
  }
  pharos = await startInProcess({
    config: {
      DicomPort: dicomPort,
      DicomAet: "PHAROS",
      DicomModalities: {
        storescp: ["STORESCP", "127.0.0.1", storescp.port],
        ...(orthanc ? { orthanc: ["ORTHANCGET", "127.0.0.1", orthanc.dicomPort] } : {}),
      },
    },
  });
}, 60000);
afterAll(async () => {
  await pharos?.stop();
  await storescp?.stop();
  await orthanc?.stop();
});

test("store-straight: the body goes to storescp byte for byte", async () => {
  // storescp accepts only uncompressed syntaxes: a JPEG file is refused, never mangled.
  const jpeg = await api(
    "POST",
    "/modalities/storescp/store-straight",
    new Uint8Array(readFileSync(DUMMY_CT)),
  );
  expect(jpeg.status).toBe(500);
  expect(jpeg.body.OrthancStatus).toBe(9);
  expect(storescp.files()).toEqual([]);
  const bytes = new Uint8Array(readFileSync(join(FLAIR, "IM-0001-0002.dcm")));
  const r = await api("POST", "/modalities/storescp/store-straight", bytes);
  expect(r.status).toBe(200);
  expect(Object.keys(r.body).sort()).toEqual(["SOPClassUID", "SOPInstanceUID"]);
  expect(r.body.SOPClassUID).toBe("1.2.840.10008.5.1.4.1.1.4");
  const files = storescp.files();
  expect(files.length).toBe(1);
  expect(Buffer.compare(fileDataset(files[0]!), datasetOf(bytes))).toBe(0);
  // Nothing is stored in Pharos.
  expect((await api("GET", "/instances")).body).toEqual([]);
  const bad = await api("POST", "/modalities/storescp/store-straight", new Uint8Array(10));
  expect(bad.status).toBe(400);
});

test.skipIf(!hasOrthanc)("store-straight to Orthanc", async () => {
  const bytes = new Uint8Array(readFileSync(DUMMY_CT));
  const r = await api("POST", "/modalities/orthanc/store-straight", bytes);
  expect(r.status).toBe(200);
  const found = await (await fetch(`${orthanc!.url}/tools/lookup`, {
    method: "POST",
    body: r.body.SOPInstanceUID,
  })).json();
  expect(found.length).toBe(1);
});

test.skipIf(!hasOrthanc)(
  "C-GET of a study from Orthanc: synchronous, stored as received",
  async () => {
    const r = await api("POST", "/modalities/orthanc/get", {
      Level: "Study",
      Resources: [{ StudyInstanceUID: FLAIR_STUDY }],
    });
    expect(r.status).toBe(200);
    expect(r.body.RemoteAet).toBe("ORTHANCGET");
    const stats = (await api("GET", "/statistics")).body;
    expect(stats.CountInstances).toBe(22);
    // The stored file holds the instance Orthanc sent (DCMTK re-writes it: same UID and pixels).
    const sample = new Uint8Array(readFileSync(join(FLAIR, "IM-0001-0001.dcm")));
    const uid = /\(0008,0018\) UI \[([0-9.]+)\]/.exec(
      (await dcmtk(["dcmdump", "+P", "0008,0018", join(FLAIR, "IM-0001-0001.dcm")])).out,
    )![1]!;
    const [found] = await (await fetch(`${pharos.url}/tools/lookup`, { method: "POST", body: uid }))
      .json();
    const stored = new Uint8Array(
      await (await fetch(`${pharos.url}/instances/${found.ID}/file`)).arrayBuffer(),
    );
    const tail = (b: Uint8Array) => b.subarray(b.length - 4096);
    expect(Buffer.compare(tail(datasetOf(stored)), tail(datasetOf(sample)))).toBe(0);
    const meta = (await api("GET", `/instances/${found.ID}/metadata?expand`)).body;
    expect(meta.Origin).toBe("DicomProtocol");
    expect(meta.RemoteAET).toBe("ORTHANCGET");
  },
);

test.skipIf(!hasOrthanc)("C-GET as a job, and a failing peer", async () => {
  const r = await api("POST", "/modalities/orthanc/get", {
    Level: "Series",
    Resources: [{
      StudyInstanceUID: FLAIR_STUDY,
      SeriesInstanceUID: "1.3.46.670589.11.0.0.11.4.2.0.8743.5.5396.2006120114285654497",
    }],
    Asynchronous: true,
  });
  expect(r.status).toBe(200);
  let job: { State: string; Type: string } = { State: "", Type: "" };
  await waitFor(async () => {
    job = (await api("GET", r.body.Path)).body;
    return job.State === "Success" || job.State === "Failure";
  }, "C-GET job");
  expect(job.State).toBe("Success");
  expect(job.Type).toBe("DicomGetScu");
  await api("PUT", "/modalities/down", ["DOWN", "127.0.0.1", freePort()]);
  const down = await api("POST", "/modalities/down/get", {
    Level: "Study",
    Resources: [{ StudyInstanceUID: FLAIR_STUDY }],
  });
  expect(down.status).toBe(500);
  expect(down.body.OrthancStatus).toBe(9);
});
