// Small answers (issue 11): empty bodies, text bodies and lists as Orthanc gives them, on the
// DICOM network settings, modalities, queries, frames and plugins routes.
import type { Scenario, ScenarioSession } from "../scenario.ts";

/** Declares the server itself as modality "self" (its DICOM port is only known once running). */
async function declareSelf(s: ScenarioSession): Promise<void> {
  const system = await (await fetch(`${s.url}/system`)).json() as {
    DicomAet: string;
    DicomPort: number;
  };
  await s.request({
    method: "PUT",
    path: "/modalities/self",
    body: JSON.stringify({ AET: system.DicomAet, Host: "127.0.0.1", Port: system.DicomPort }),
  });
}

/** Runs a C-FIND on "self" without recording it (its answer holds a random id). */
async function queryUnrecorded(s: ScenarioSession): Promise<string> {
  const res = await fetch(`${s.url}/modalities/self/query`, {
    method: "POST",
    body: JSON.stringify({ Level: "Study", Query: { PatientID: "5Yp0E" } }),
  });
  if (res.status !== 200) throw new Error(`query: HTTP ${res.status}`);
  return ((await res.json()) as { ID: string }).ID;
}

const scenario: Scenario = {
  name: "http-small",
  async run(s) {
    const single = await s.upload("Brainix/Flair/IM-0001-0001.dcm");
    const multi = await s.upload("MultiframeWindowing.dcm");

    // DICOM network settings
    await s.get("/tools/unknown-sop-class-accepted");
    for (const body of ["1", "true", "0", "maybe"]) {
      await s.request({ method: "PUT", path: "/tools/unknown-sop-class-accepted", body });
      await s.get("/tools/unknown-sop-class-accepted");
    }
    await s.get("/tools/accepted-transfer-syntaxes");
    await s.request({
      method: "PUT",
      path: "/tools/accepted-transfer-syntaxes",
      body: '["1.2.840.10008.1.2", "1.2.840.10008.1.2.4.*"]',
    });
    await s.get("/tools/accepted-transfer-syntaxes");
    await s.request({
      method: "PUT",
      path: "/tools/accepted-transfer-syntaxes",
      body: '"1.2.840.10008.1.2.1"',
    });
    await s.request({ method: "POST", path: "/tools/accepted-transfer-syntaxes", body: "[]" });

    // Modalities and queries
    await declareSelf(s);
    await s.get("/modalities");
    await s.get("/modalities/nothing");
    await s.request({ method: "POST", path: "/modalities/self/echo", body: "{}" });
    const query = await queryUnrecorded(s);
    await s.get(`/queries/${query}`, { name: "GET /queries/{id}" });
    await s.get(`/queries/${query}/answers`, { name: "GET /queries/{id}/answers" });
    await s.get(`/queries/${query}/level`, { name: "GET /queries/{id}/level" });
    await s.get(`/queries/${query}/modality`, { name: "GET /queries/{id}/modality" });
    await s.request({ method: "DELETE", path: `/queries/${query}`, name: "DELETE /queries/{id}" });
    await s.request({ method: "DELETE", path: `/queries/${query}`, name: "DELETE /queries/{id}" });
    await s.request({ method: "DELETE", path: "/modalities/self" });
    await s.request({ method: "DELETE", path: "/modalities/self" });
    await s.get("/modalities");

    // Frames (the routes below a frame are left out: Pharos has no matlab nor rendered yet)
    for (const id of [single.ID, multi.ID]) await s.get(`/instances/${id}/frames`);

    // Plugins
    await s.get("/plugins");
    await s.get("/plugins/explorer.js");
    await s.get("/plugins/nothing");
  },
};

export default scenario;
