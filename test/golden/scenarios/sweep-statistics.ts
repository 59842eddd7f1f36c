// Found by bench/api-diff.ts: a resource's Dicom*Size counts its DICOM files only, user
// attachments aside, and PUT /tools/default-encoding answers the encoding now in force.
import type { Scenario } from "../scenario.ts";

const scenario: Scenario = {
  name: "sweep-statistics",
  config: { UserContentType: { note: 4242 } },
  async run(s) {
    const { ID, ParentStudy } = await s.upload("Brainix/Flair/IM-0001-0001.dcm");
    await s.request({ method: "PUT", path: `/instances/${ID}/attachments/note`, body: "hello" });
    for (const path of [`/instances/${ID}/statistics`, `/studies/${ParentStudy}/statistics`]) {
      await s.get(path);
    }
    await s.request({ method: "PUT", path: "/tools/default-encoding", body: "Utf8" });
    await s.get("/tools/default-encoding");
    await s.request({ method: "PUT", path: "/tools/default-encoding", body: "Latin1" });
  },
};

export default scenario;
