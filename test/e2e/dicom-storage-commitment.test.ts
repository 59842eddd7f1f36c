// Storage commitment (Push Model) against a real Orthanc 1.10.1, both ways: Orthanc asks Pharos
// (N-ACTION to Pharos's SCP, N-EVENT-REPORT back on a new association to Orthanc), and Pharos
// asks Orthanc (/modalities/{id}/storage-commitment, the report received by Pharos's SCP).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { hasOrthanc, type RunningOrthanc, startOrthanc } from "../support/dimse.ts";
import { startInProcess } from "../support/in-process.ts";
import { freePort, samplesDir, type TestServer, waitFor } from "../support/server.ts";

const MISSING = { SOPClassUID: "1.2.840.10008.5.1.4.1.1.4", SOPInstanceUID: "1.2.3.4.5.6.7.8.9" };

let pharos: TestServer;
let orthanc: RunningOrthanc;
let studyId: string;
/** SOPClassUID/SOPInstanceUID of the instances uploaded to Pharos. */
let stored: { SOPClassUID: string; SOPInstanceUID: string }[] = [];

const api = async (method: string, path: string, body?: unknown, base = pharos.url) => {
  const res = await fetch(`${base}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
};

/** Polls a storage commitment report until it is no longer Pending. */
async function report(base: string, id: string): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  await waitFor(
    async () => {
      last = (await api("GET", `/storage-commitment/${id}`, undefined, base)).body;
      return last.Status !== "Pending";
    },
    "storage commitment report",
    20000,
  );
  return last;
}

const byUid = (a: { SOPInstanceUID: string }, b: { SOPInstanceUID: string }) =>
  a.SOPInstanceUID < b.SOPInstanceUID ? -1 : 1;

beforeAll(async () => {
  if (!hasOrthanc) return;
  const dicomPort = freePort();
  const deadPort = freePort();
  orthanc = await startOrthanc("SCORTHANC", {
    DicomModalities: {
      pharos: ["PHAROS", "127.0.0.1", dicomPort],
      // Calls Pharos as SCNO, which Pharos does not allow storage commitment.
      refused: { AET: "PHAROS", Host: "127.0.0.1", Port: dicomPort, LocalAet: "SCNO" },
      // Calls Pharos as SCDEAD, whose report Pharos sends to a port where nobody listens.
      deaf: { AET: "PHAROS", Host: "127.0.0.1", Port: dicomPort, LocalAet: "SCDEAD" },
      phdead: ["PHDEAD", "127.0.0.1", deadPort],
    },
  });
  pharos = await startInProcess({
    config: {
      DicomPort: dicomPort,
      DicomAet: "PHAROS",
      DicomCheckCalledAet: false,
      DicomModalities: {
        orthanc: ["SCORTHANC", "127.0.0.1", orthanc.dicomPort],
        refused: {
          AET: "SCNO",
          Host: "127.0.0.1",
          Port: orthanc.dicomPort,
          AllowStorageCommitment: false,
        },
        scdead: ["SCDEAD", "127.0.0.1", deadPort],
        // Orthanc sends the report for PHDEAD to a port where nobody listens.
        deaf: { AET: "SCORTHANC", Host: "127.0.0.1", Port: orthanc.dicomPort, LocalAet: "PHDEAD" },
      },
    },
  });
  const glob = new Bun.Glob("*.dcm");
  const files = [];
  for await (const f of glob.scan({ cwd: join(samplesDir, "Brainix/Flair"), absolute: true })) {
    files.push(f);
  }
  for (const f of files.sort().slice(0, 3)) {
    const r = await fetch(`${pharos.url}/instances`, { method: "POST", body: Bun.file(f) });
    const id = (await r.json()).ID;
    const tags = (await api("GET", `/instances/${id}/simplified-tags`)).body;
    stored.push({ SOPClassUID: tags.SOPClassUID, SOPInstanceUID: tags.SOPInstanceUID });
    studyId = (await api("GET", `/instances/${id}/study`)).body.ID;
  }
  stored = stored.sort(byUid);
}, 60000);

afterAll(async () => {
  await pharos?.stop();
  await orthanc?.stop();
});

test.skipIf(!hasOrthanc)("Orthanc → Pharos: Pharos reports what it has", async () => {
  const all = await api("POST", "/modalities/pharos/storage-commitment", {
    DicomInstances: stored,
  }, orthanc.url);
  expect(all.status).toBe(200);
  expect(all.body.Path).toBe(`/storage-commitment/${all.body.ID}`);
  const ok = await report(orthanc.url, all.body.ID);
  expect(ok).toEqual({ RemoteAET: "PHAROS", Status: "Success", Success: stored, Failures: [] });

  // One instance Pharos does not have, one with the wrong SOP class.
  const wrongClass = { ...stored[0]!, SOPClassUID: "1.2.840.10008.5.1.4.1.1.2" };
  const some = await api("POST", "/modalities/pharos/storage-commitment", {
    DicomInstances: [...stored.slice(1), MISSING, wrongClass],
  }, orthanc.url);
  expect(some.status).toBe(200);
  const failed = await report(orthanc.url, some.body.ID);
  expect(failed.Status).toBe("Failure");
  expect(failed.RemoteAET).toBe("PHAROS");
  expect(failed.Success).toEqual(stored.slice(1));
  const failures = failed.Failures as Record<string, unknown>[];
  expect(failures.map((f) => [f.SOPInstanceUID, f.SOPClassUID, f.FailureReason])).toEqual([
    [MISSING.SOPInstanceUID, MISSING.SOPClassUID, 0x0112],
    [wrongClass.SOPInstanceUID, wrongClass.SOPClassUID, 0x0112],
  ]);
}, 60000);

test.skipIf(!hasOrthanc)("Orthanc → Pharos: refused without AllowStorageCommitment", async () => {
  const refused = await api("POST", "/modalities/refused/storage-commitment", {
    DicomInstances: stored,
  }, orthanc.url);
  expect(refused.status).not.toBe(200);
  // Pharos still serves the others.
  const again = await api("POST", "/modalities/pharos/storage-commitment", {
    DicomInstances: stored,
  }, orthanc.url);
  expect((await report(orthanc.url, again.body.ID)).Status).toBe("Success");
}, 60000);

test.skipIf(!hasOrthanc)("Pharos → Orthanc: the report arrives on Pharos's SCP", async () => {
  // Orthanc has the study (sent by Pharos), except for one instance deleted there.
  expect((await api("POST", "/modalities/orthanc/store", [studyId])).body.InstancesCount).toBe(3);
  const inOrthanc = (await api("POST", "/tools/find", {
    Level: "Instance",
    Query: { SOPInstanceUID: stored[0]!.SOPInstanceUID },
  }, orthanc.url)).body as string[];
  expect(inOrthanc.length).toBe(1);

  const all = await api("POST", "/modalities/orthanc/storage-commitment", {
    Resources: [studyId],
  });
  expect(all.status).toBe(200);
  expect(all.body.Path).toBe(`/storage-commitment/${all.body.ID}`);
  const pending = (await api("GET", `/storage-commitment/${all.body.ID}`)).body;
  expect(["Pending", "Success"]).toContain(pending.Status);
  const ok = await report(pharos.url, all.body.ID);
  expect({ ...ok, Success: (ok.Success as typeof stored).sort(byUid) } as unknown).toEqual({
    RemoteAET: "SCORTHANC",
    Status: "Success",
    Success: stored,
    Failures: [],
  });

  await api("DELETE", `/instances/${inOrthanc[0]}`, undefined, orthanc.url);
  const some = await api("POST", "/modalities/orthanc/storage-commitment", {
    Resources: [studyId],
    DicomInstances: [MISSING],
    Timeout: 10,
  });
  expect(some.status).toBe(200);
  const failed = await report(pharos.url, some.body.ID);
  // Same JSON as Orthanc's own report for the same outcome.
  const mirror = await api("POST", "/modalities/pharos/storage-commitment", {
    DicomInstances: [MISSING],
  }, orthanc.url);
  const orthancReport = await report(orthanc.url, mirror.body.ID);
  expect(Object.keys(failed).sort()).toEqual(Object.keys(orthancReport).sort());
  expect(failed.Status).toBe("Failure");
  expect((failed.Success as typeof stored).sort(byUid)).toEqual(stored.slice(1));
  const failures = (failed.Failures as Record<string, unknown>[]).sort(byUid as never);
  expect(failures).toEqual(
    [
      { ...MISSING, FailureReason: 0x0112 },
      { ...stored[0]!, FailureReason: 0x0112 },
    ].map((f) => ({
      ...f,
      Description: (orthancReport.Failures as Record<string, unknown>[])[0]!.Description,
    })).sort(byUid),
  );

  // Unknown reports and resources, as Orthanc answers them.
  expect((await api("GET", "/storage-commitment/nope")).status).toBe(404);
  expect((await api("POST", "/modalities/orthanc/storage-commitment", {})).status).toBe(400);
  expect(
    (await api("POST", "/modalities/orthanc/storage-commitment", { Resources: ["nope"] })).status,
  ).toBe(404);
}, 60000);

test.skipIf(!hasOrthanc)("a report that never comes stays Pending, as in Orthanc", async () => {
  const theirs = await api("POST", "/modalities/deaf/storage-commitment", {
    DicomInstances: stored,
  }, orthanc.url);
  expect(theirs.status).toBe(200);
  const ours = await api("POST", "/modalities/deaf/storage-commitment", { Resources: [studyId] });
  expect(ours.status).toBe(200);
  // Neither report can be delivered: both stay Pending (the same JSON on both sides).
  const orthancPending =
    (await api("GET", `/storage-commitment/${theirs.body.ID}`, undefined, orthanc.url))
      .body;
  expect(orthancPending).toEqual({ RemoteAET: "PHAROS", Status: "Pending" });
  expect((await api("GET", `/storage-commitment/${ours.body.ID}`)).body).toEqual({
    RemoteAET: "SCORTHANC",
    Status: "Pending",
  });
  // The SCP's report is a StorageCommitmentScp job, failed with the network error on both sides.
  const failedJob = async (base: string, transactionUid: string, aets: string[]) => {
    let job: Record<string, unknown> | undefined;
    await waitFor(
      async () => {
        const jobs = (await api("GET", "/jobs?expand", undefined, base)).body as Record<
          string,
          { TransactionUid?: string }
        >[];
        job = jobs.find((j) => j.Content?.TransactionUid === transactionUid);
        return job?.State === "Failure";
      },
      "the failed StorageCommitmentScp job",
      20000,
    );
    let text = JSON.stringify({
      ...job,
      Content: { ...job!.Content as object, TransactionUid: "" },
    });
    for (const [i, aet] of aets.entries()) text = text.replaceAll(aet, `AET${i}`);
    const {
      ID: _id,
      CreationTime: _c,
      CompletionTime: _d,
      Timestamp: _t,
      EffectiveRuntime: _r,
      ...rest
    } = JSON.parse(text);
    return rest;
  };
  const inPharos = await failedJob(pharos.url, theirs.body.ID, ["PHAROS", "SCDEAD"]);
  expect(inPharos).toEqual(await failedJob(orthanc.url, ours.body.ID, ["SCORTHANC", "PHDEAD"]));
  expect(inPharos.Type).toBe("StorageCommitmentScp");
}, 60000);

test.skipIf(!hasOrthanc)("/storage-commitment/{id}/remove deletes what was committed", async () => {
  const remove = async (base: string, id: string) => {
    const res = await fetch(`${base}/storage-commitment/${id}/remove`, { method: "POST" });
    return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
  };
  /** The answer of a failed remove, with the transaction UID in its words masked. */
  const masked = (answer: { status: number; body: Record<string, unknown> }, id: string) => ({
    status: answer.status,
    body: JSON.parse(JSON.stringify(answer.body).replaceAll(id, "<uid>")),
  });
  expect(masked(await remove(pharos.url, "1.2.3"), "1.2.3")).toEqual(
    masked(await remove(orthanc.url, "1.2.3"), "1.2.3"),
  );

  // Not after a failure, nor while Pending.
  const ours = (await api("POST", "/modalities/orthanc/storage-commitment", {
    DicomInstances: [MISSING],
  })).body.ID as string;
  const theirs = (await api("POST", "/modalities/pharos/storage-commitment", {
    DicomInstances: [MISSING],
  }, orthanc.url)).body.ID as string;
  expect((await report(pharos.url, ours)).Status).toBe("Failure");
  expect((await report(orthanc.url, theirs)).Status).toBe("Failure");
  const failed = masked(await remove(pharos.url, ours), ours);
  expect(failed).toEqual(masked(await remove(orthanc.url, theirs), theirs));
  expect(failed.status).toBe(500);
  const pending = await api("POST", "/modalities/deaf/storage-commitment", {
    Resources: [studyId],
  });
  expect((await remove(pharos.url, pending.body.ID)).status).toBe(500);

  // After a success, the committed instance is gone from Pharos, and only that one.
  expect((await api("POST", "/modalities/orthanc/store", [studyId])).body.InstancesCount).toBe(3);
  const committed = (await api("POST", "/modalities/orthanc/storage-commitment", {
    DicomInstances: [stored[2]],
  })).body.ID as string;
  expect((await report(pharos.url, committed)).Status).toBe("Success");
  const mirror = (await api("POST", "/modalities/pharos/storage-commitment", {
    DicomInstances: [stored[1]],
  }, orthanc.url)).body.ID as string;
  expect((await report(orthanc.url, mirror)).Status).toBe("Success");
  const answer = await remove(pharos.url, committed);
  expect(answer).toEqual({ status: 200, type: "application/json", body: {} });
  expect(answer).toEqual(await remove(orthanc.url, mirror));
  const find = (uid: string) =>
    api("POST", "/tools/find", { Level: "Instance", Query: { SOPInstanceUID: uid } });
  expect((await find(stored[2]!.SOPInstanceUID)).body).toEqual([]);
  expect((await find(stored[1]!.SOPInstanceUID)).body).toHaveLength(1);
}, 60000);
