// Files in odd but readable encodings (test/support/odd-dicom.ts) that Orthanc stores: the same
// ids, and the same renderings of their tags, main tags and raw content.
import type { Scenario } from "../scenario.ts";
import { longValuesFile, oddFiles } from "../../support/odd-dicom.ts";

const scenario: Scenario = {
  name: "tags-odd-encodings",
  async run(s) {
    for (const { name, bytes } of [...oddFiles(), longValuesFile()]) {
      const id = await s.uploadBytes(name, bytes);
      if (!id) continue;
      for (const path of ["", "/tags", "/tags?short", "/tags?simplify", "/content"]) {
        await s.get(`/instances/${id}${path}`, { name: `${name}: ${path || "instance"}` });
      }
    }
  },
};

export default scenario;
