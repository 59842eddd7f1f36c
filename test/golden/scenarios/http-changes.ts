// The change feed and the exports log (issue 11, changes and exports): Orthanc's stable changes
// and their order, paging, the changes of deleted resources leaving the feed, DELETE /changes
// and /exports, and one export logged per resource a store request names.
import type { Scenario, ScenarioSession } from "../scenario.ts";

interface Feed {
  Changes: { ChangeType: string }[];
}

/** Sends a store request without recording it: its answer is a job, with a random id. */
async function storeUnrecorded(s: ScenarioSession, resources: string[]): Promise<void> {
  const res = await fetch(`${s.url}/modalities/nowhere/store`, {
    method: "POST",
    body: JSON.stringify({ Resources: resources, Asynchronous: true }),
  });
  if (res.status !== 200) throw new Error(`store request: HTTP ${res.status}`);
  await res.arrayBuffer();
}

const stableCount = (body: unknown, type: string) =>
  (body as Feed).Changes.filter((c) => c.ChangeType === type).length;

const scenario: Scenario = {
  name: "http-changes",
  config: {
    StableAge: 1,
    LogExportedResources: true,
    // Nothing listens there: the exports are logged when the store is asked for.
    DicomModalities: { nowhere: ["NOWHERE", "127.0.0.1", 9] },
  },
  async run(s) {
    const first = await s.upload("Brainix/Flair/IM-0001-0001.dcm");
    await s.upload("Brainix/Flair/IM-0001-0002.dcm");
    const ct = await s.upload("DummyCT.dcm");
    await s.get("/changes");
    await s.waitUntil("/changes", (body) => stableCount(body, "StablePatient") === 2);
    await s.get("/changes");
    await s.get("/changes?limit=0");
    await s.get("/changes?since=100&limit=0");
    await s.get("/changes?since=2&limit=3");
    await s.get("/changes?since=100");
    await s.get("/changes?last");
    await s.get(`/studies/${first.ParentStudy}`);

    // Exports
    await s.get("/exports");
    await storeUnrecorded(s, [first.ParentStudy, ct.ID]);
    await storeUnrecorded(s, [first.ParentPatient, first.ParentSeries]);
    await s.get("/exports");
    await s.get("/exports?since=1&limit=1");
    await s.get("/exports?limit=0");
    await s.get("/exports?since=10");
    await s.request({ method: "DELETE", path: "/exports" });
    await s.get("/exports");
    await s.get("/exports?since=5");
    await storeUnrecorded(s, [ct.ParentSeries]);
    await s.get("/exports");

    // Deletions
    await s.request({ method: "DELETE", path: `/instances/${first.ID}` });
    await s.get("/changes");
    await s.request({ method: "DELETE", path: `/patients/${ct.ParentPatient}` });
    await s.get("/changes");
    await s.get("/changes?last");
    await s.request({ method: "DELETE", path: `/patients/${first.ParentPatient}` });
    await s.get("/changes");
    await s.get("/changes?last");
    await s.get("/changes?limit=0");
    await s.get("/exports");
    await s.upload("DummyCT.dcm");
    await s.get("/changes");
    await s.request({ method: "DELETE", path: "/changes" });
    await s.get("/changes");
    await s.get("/changes?last");
  },
};

export default scenario;
