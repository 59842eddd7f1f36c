// Found by bench/api-diff.ts: a resource's Dicom*Size counts its DICOM files only, user
// attachments aside; PUT /tools/default-encoding answers the encoding now in force; a job action
// answers {} as application/json, and a bare 400 when the job is not in a state it applies to; a
// failed job can be resubmitted.
import type { Scenario } from "../scenario.ts";

const scenario: Scenario = {
  name: "sweep-statistics",
  config: {
    UserContentType: { note: 4242 },
    // Nothing listens there: the job fails at once.
    DicomModalities: { nowhere: ["NOWHERE", "127.0.0.1", 9] },
  },
  async run(s) {
    const { ID, ParentStudy } = await s.upload("Brainix/Flair/IM-0001-0001.dcm");
    await s.request({ method: "PUT", path: `/instances/${ID}/attachments/note`, body: "hello" });
    for (const path of [`/instances/${ID}/statistics`, `/studies/${ParentStudy}/statistics`]) {
      await s.get(path);
    }
    await s.request({ method: "PUT", path: "/tools/default-encoding", body: "Utf8" });
    await s.get("/tools/default-encoding");
    await s.request({ method: "PUT", path: "/tools/default-encoding", body: "Latin1" });
    // The job's id differs between servers: it is read without being recorded.
    const started = await fetch(`${s.url}/modalities/nowhere/store`, {
      method: "POST",
      body: JSON.stringify({ Resources: [ID], Asynchronous: true }),
    });
    const job = ((await started.json()) as { ID: string }).ID;
    await s.waitUntil(`/jobs/${job}`, (j) => (j as { State?: string }).State === "Failure");
    for (const action of ["resume", "pause", "cancel", "resubmit"]) {
      await s.request({
        method: "POST",
        path: `/jobs/${job}/${action}`,
        name: `${action} a failed job`,
      });
    }
  },
};

export default scenario;
