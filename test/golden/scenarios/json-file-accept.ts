// GET /instances/{id}/file with an Accept header: exactly "application/dicom+json" gets the
// instance in DICOM JSON, exactly "application/dicom+xml" in the Native DICOM Model, anything
// else (lists, parameters, another case, other types) the file. The files of
// test/support/dicom-json-files.ts and odd-dicom.ts show how each kind of value is written, and
// each answer is recorded both parsed and by digest, which pins it byte for byte.
import type { Scenario } from "../scenario.ts";
import { dicomJsonFiles } from "../../support/dicom-json-files.ts";
import { longValuesFile, oddFiles } from "../../support/odd-dicom.ts";

const JSON_TYPE = "application/dicom+json";
const XML_TYPE = "application/dicom+xml";
/** Its JSON holds infinities, which a parsed recording cannot keep: recorded by digest only. */
const DIGEST_ONLY = new Set(["json-infinities"]);

const scenario: Scenario = {
  name: "json-file-accept",
  async run(s) {
    const mr = await s.upload("Brainix/Flair/IM-0001-0001.dcm");
    const file = `/instances/${mr.ID}/file`;
    for (
      const accept of [
        JSON_TYPE,
        XML_TYPE,
        "Application/DICOM+JSON",
        "application/dicom+XML",
        `${JSON_TYPE};q=1`,
        `${JSON_TYPE}; charset=utf-8`,
        `${XML_TYPE}, ${JSON_TYPE}`,
        `${JSON_TYPE},${XML_TYPE}`,
        "application/json",
        "application/xml",
        "text/xml",
        "application/dicom",
        "*/*",
        'multipart/related; type="application/dicom+xml"',
        "",
      ]
    ) {
      await s.get(file, { name: `Accept: ${accept}`, headers: { Accept: accept }, binary: true });
    }
    // The Accept header comes before the other options of the route.
    for (const query of ["?transcode=1.2.840.10008.1.2", "?filename=x.dcm"]) {
      await s.get(`${file}${query}`, { headers: { Accept: JSON_TYPE }, binary: true });
    }
    await s.get("/instances/unknown/file", { headers: { Accept: JSON_TYPE } });
    await s.get("/instances/unknown/file", { headers: { Accept: XML_TYPE } });

    for (const { name, bytes } of [...dicomJsonFiles(), ...oddFiles(), longValuesFile()]) {
      const id = await s.uploadBytes(name, bytes);
      if (!id) continue;
      for (const accept of [JSON_TYPE, XML_TYPE]) {
        const headers = { Accept: accept };
        if (!DIGEST_ONLY.has(name) || accept === XML_TYPE) {
          await s.get(`/instances/${id}/file`, { name: `${name}: ${accept}`, headers });
        }
        await s.get(`/instances/${id}/file`, {
          name: `${name}: ${accept}, bytes`,
          headers,
          binary: true,
        });
      }
    }
  },
};

export default scenario;
