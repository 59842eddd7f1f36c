// Every sample file in DICOM JSON and XML (GET /instances/{id}/file with Accept:
// application/dicom+json or +xml), recorded by digest: each answer is pinned byte for byte
// (character sets, private tags, sequences, pixel data inline, big endian words).
import { sampleFiles } from "../cases.ts";
import type { Scenario } from "../scenario.ts";
import { sample } from "../scenario.ts";

const scenario: Scenario = {
  name: "json-file-samples",
  async run(s) {
    for (const name of sampleFiles()) {
      const upload = await s.request({
        method: "POST",
        path: "/instances",
        name: `upload ${name}`,
        body: sample(name),
      });
      if (upload.status !== 200) continue;
      const id = (upload.body as { ID: string }).ID;
      for (const accept of ["application/dicom+json", "application/dicom+xml"]) {
        await s.get(`/instances/${id}/file`, {
          name: `${name}: ${accept}`,
          headers: { Accept: accept },
          binary: true,
        });
      }
    }
  },
};

export default scenario;
