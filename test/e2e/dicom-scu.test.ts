// Pharos as DICOM SCU through its REST API: /modalities, echo, store (synchronous and as a
// job), against storescp and a real Orthanc; then an Orthanc ⇄ Pharos round trip with
// /query, /queries/{id}/retrieve and Orthanc's own C-MOVE out of Pharos.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import {
  datasetOf,
  fileDataset,
  hasOrthanc,
  type RunningOrthanc,
  startOrthanc,
  startStoreScp,
  type StoreScp,
} from "../support/dimse.ts";
import { startInProcess } from "../support/in-process.ts";
import { freePort, samplesDir, type TestServer, waitFor } from "../support/server.ts";

const FLAIR_STUDY = "2.16.840.1.113669.632.20.1211.10000357775";

let pharos: TestServer;
let dicomPort: number;
let storescp: StoreScp;
let orthanc: RunningOrthanc | undefined;
let studyId: string;

const api = async (method: string, path: string, body?: unknown, base = pharos.url) => {
  const res = await fetch(`${base}${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
};

beforeAll(async () => {
  storescp = await startStoreScp("STORESCP");
  dicomPort = freePort();
  pharos = await startInProcess({
    config: {
      DicomPort: dicomPort,
      DicomAet: "PHAROS",
      DicomModalities: { storescp: ["STORESCP", "127.0.0.1", storescp.port] },
      LogExportedResources: true,
    },
  });
  const glob = new Bun.Glob("*.dcm");
  for await (const f of glob.scan({ cwd: join(samplesDir, "Brainix/Flair"), absolute: true })) {
    const r = await fetch(`${pharos.url}/instances`, { method: "POST", body: Bun.file(f) });
    studyId = (await r.json()).ParentStudy;
  }
  if (hasOrthanc) {
    orthanc = await startOrthanc("ORTHANCPEER", {
      DicomModalities: { pharos: ["PHAROS", "127.0.0.1", dicomPort] },
    });
  }
}, 60000);
afterAll(async () => {
  await pharos?.stop();
  await storescp?.stop();
  await orthanc?.stop();
});

test("GET/PUT/DELETE /modalities in both forms", async () => {
  expect((await api("GET", "/modalities")).body).toEqual(["storescp"]);
  expect(
    (await api("PUT", "/modalities/obj", {
      AET: "OBJ",
      Host: "127.0.0.1",
      Port: 1234,
      AllowFind: false,
    })).status,
  ).toBe(200);
  const expanded = (await api("GET", "/modalities?expand")).body;
  expect(expanded.storescp).toEqual({
    AET: "STORESCP",
    AllowEcho: true,
    AllowEventReport: true,
    AllowFind: true,
    AllowFindWorklist: true,
    AllowGet: true,
    AllowMove: true,
    AllowNAction: true,
    AllowStore: true,
    AllowTranscoding: true,
    Host: "127.0.0.1",
    LocalAet: "",
    Manufacturer: "Generic",
    Port: storescp.port,
    Timeout: 0,
    UseDicomTls: false,
  });
  expect(expanded.obj.AllowFind).toBe(false);
  expect((await api("GET", "/modalities/obj/configuration")).body.Port).toBe(1234);
  expect((await api("DELETE", "/modalities/obj")).status).toBe(200);
  const missing = await api("POST", "/modalities/obj/echo", {});
  expect(missing.status).toBe(404);
  expect(missing.body.OrthancStatus).toBe(7);
});

test("echo: a modality, /tools/dicom-echo, and a peer that is down", async () => {
  expect((await api("POST", "/modalities/storescp/echo", {})).status).toBe(200);
  expect(
    (await api("POST", "/tools/dicom-echo", {
      AET: "STORESCP",
      Host: "127.0.0.1",
      Port: storescp.port,
    }))
      .status,
  ).toBe(200);
  const down = await api("POST", "/tools/dicom-echo", {
    AET: "X",
    Host: "127.0.0.1",
    Port: freePort(),
  });
  expect(down.status).toBe(500);
  expect(down.body.OrthancStatus).toBe(9);
});

test("store to storescp: synchronous, byte-exact, then as a job in /jobs", async () => {
  const sync = await api("POST", "/modalities/storescp/store", studyId);
  expect(sync.status).toBe(200);
  expect(sync.body).toEqual({
    Description: "REST API",
    FailedInstancesCount: 0,
    InstancesCount: 22,
    LocalAet: "PHAROS",
    ParentResources: [studyId],
    RemoteAet: "STORESCP",
  });
  const files = storescp.files();
  expect(files.length).toBe(22);
  // LogExportedResources: one row per resource the request named, at its level, under the
  // modality's symbolic name, as Orthanc logs it.
  const exports = (await api("GET", "/exports?limit=100")).body as {
    Exports: Record<string, unknown>[];
    Last: number;
  };
  expect(exports.Exports.length).toBe(1);
  const study = (await api("GET", `/studies/${studyId}`)).body;
  expect(exports.Exports[0]).toMatchObject({
    ID: studyId,
    Path: `/studies/${studyId}`,
    PatientID: study.PatientMainDicomTags.PatientID,
    RemoteModality: "storescp",
    ResourceType: "Study",
    Seq: 1,
    StudyInstanceUID: study.MainDicomTags.StudyInstanceUID,
  });
  expect(Object.keys(exports.Exports[0]!).sort()).toEqual(
    [
      "Date",
      "ID",
      "Path",
      "PatientID",
      "RemoteModality",
      "ResourceType",
      "Seq",
      "StudyInstanceUID",
    ],
  );
  const sent = new Set(files.map((f) => Buffer.from(fileDataset(f)).toString("base64")));
  for (const id of (await api("GET", "/instances")).body as string[]) {
    const bytes = new Uint8Array(
      await (await fetch(`${pharos.url}/instances/${id}/file`)).arrayBuffer(),
    );
    expect(sent.has(Buffer.from(datasetOf(bytes)).toString("base64"))).toBe(true);
  }

  const job = await api("POST", "/modalities/storescp/store", {
    Resources: [studyId],
    Synchronous: false,
  });
  expect(job.body.Path).toBe(`/jobs/${job.body.ID}`);
  await waitFor(
    async () => (await api("GET", `/jobs/${job.body.ID}`)).body.State === "Success",
    "job",
  );
  const done = (await api("GET", `/jobs/${job.body.ID}`)).body;
  expect(done.Type).toBe("DicomModalityStore");
  expect(done.Progress).toBe(100);
  expect(done.ErrorCode).toBe(0);
  expect(done.Content.InstancesCount).toBe(22);
  expect(Object.keys(done)).toEqual([
    "CompletionTime",
    "Content",
    "CreationTime",
    "EffectiveRuntime",
    "ErrorCode",
    "ErrorDescription",
    "ErrorDetails",
    "ID",
    "Priority",
    "Progress",
    "State",
    "Timestamp",
    "Type",
  ]);
  expect((await api("GET", "/jobs")).body).toContain(job.body.ID);
  const both = (await api("GET", "/exports")).body;
  expect(both.Exports.map((e: { Seq: number }) => e.Seq)).toEqual([1, 2]);
  expect(both.Last).toBe(2);
  // Cleared, the log shows Last 0 again, while its numbering goes on.
  expect((await api("DELETE", "/exports")).status).toBe(200);
  expect((await api("GET", "/exports")).body).toEqual({ Done: true, Exports: [], Last: 0 });
}, 60000);

test.skipIf(!hasOrthanc)(
  "Orthanc ⇄ Pharos: store, query, retrieve, and Orthanc's C-MOVE",
  async () => {
    const o = orthanc!;
    // Pharos knows Orthanc (so that Orthanc may query and move).
    await api("PUT", "/modalities/orthanc", { AET: o.aet, Host: "127.0.0.1", Port: o.dicomPort });
    expect((await api("POST", "/modalities/orthanc/echo", {})).status).toBe(200);
    const stored = await api("POST", "/modalities/orthanc/store", [studyId]);
    expect(stored.body.InstancesCount).toBe(22);
    expect((await api("GET", "/statistics", undefined, o.url)).body.CountInstances).toBe(22);

    // Pharos queries Orthanc, then retrieves the study back after deleting it.
    const query = await api("POST", "/modalities/orthanc/query", {
      Level: "Study",
      Query: { PatientName: "", StudyDate: "" },
    });
    const qid = query.body.ID;
    expect((await api("GET", `/queries/${qid}/answers`)).body).toEqual(["0"]);
    const content = (await api("GET", `/queries/${qid}/answers/0/content?simplify`)).body;
    expect(content.StudyInstanceUID).toBe(FLAIR_STUDY);
    expect(content.PatientName).toBe("BRAINIX");
    expect(await (await fetch(`${pharos.url}/queries/${qid}/level`)).text()).toBe("Study");
    // One level down from that answer: the series of the study on Orthanc.
    const series = await api("POST", `/queries/${qid}/answers/0/query-series`, {
      Query: { Modality: "" },
    });
    expect(series.status).toBe(200);
    const seriesAnswers = (await api("GET", `/queries/${series.body.ID}/answers?expand`)).body as {
      "0008,0060": { Value: string };
    }[];
    expect(seriesAnswers.map((a) => a["0008,0060"].Value)).toEqual(["MR"]);
    expect(await (await fetch(`${pharos.url}/queries/${series.body.ID}/level`)).text()).toBe(
      "Series",
    );
    await api("DELETE", `/queries/${series.body.ID}`);
    await api("DELETE", `/studies/${studyId}`);
    expect((await api("GET", "/statistics")).body.CountInstances).toBe(0);
    const retrieved = await api("POST", `/queries/${qid}/answers/0/retrieve`, "PHAROS");
    expect(retrieved.status).toBe(200);
    // Orthanc 1.10.1 shows the answer's identifiers, and not the target.
    expect(retrieved.body.TargetAet).toBeUndefined();
    expect(retrieved.body.Query).toEqual([{
      "0008,0050": "0",
      "0008,0052": "STUDY",
      "0010,0020": "5Yp0E",
      "0020,000d": FLAIR_STUDY,
    }]);
    expect((await api("GET", "/statistics")).body.CountInstances).toBe(22);
    expect((await api("DELETE", `/queries/${qid}`)).status).toBe(200);
    expect((await api("GET", "/queries")).body).toEqual([]);

    // Orthanc queries Pharos and C-MOVEs the study out of Pharos to itself.
    await api("DELETE", `/studies/${studyId}`, undefined, o.url);
    const oq = await api("POST", "/modalities/pharos/query", {
      Level: "Series",
      Query: { StudyInstanceUID: FLAIR_STUDY, Modality: "" },
    }, o.url);
    expect(oq.status).toBe(200);
    const answers =
      (await api("GET", `/queries/${oq.body.ID}/answers?expand`, undefined, o.url)).body;
    expect(answers.length).toBe(1);
    expect(answers[0]["0008,0060"].Value).toBe("MR");
    const move = await api("POST", `/queries/${oq.body.ID}/retrieve`, o.aet, o.url);
    expect(move.status).toBe(200);
    expect((await api("GET", "/statistics", undefined, o.url)).body.CountInstances).toBe(22);
  },
  90000,
);
