// /tools/find by Orthanc's matching rules: CaseSensitive, "*" as a wildcard that needs the tag
// (main tags and others), lists of exact values, date ranges read before lists, and wildcards
// refused on the VRs that do not allow them.
import type { Scenario } from "../scenario.ts";

const QUERIES: [string, Record<string, string>, boolean?][] = [
  ["Patient", { PatientName: "brainix" }, true],
  ["Patient", { PatientName: "BRAINIX" }, true],
  ["Patient", { PatientName: "b*" }, true],
  ["Patient", { PatientName: "b*" }, false],
  ["Patient", { PatientID: "5yp0e" }, true],
  ["Patient", { PatientID: "5yp0e" }, false],
  ["Study", { StudyDescription: "irm*" }, true],
  ["Study", { StudyDescription: "*CÉRÉBRALE*" }, true],
  ["Study", { StudyDescription: "*CÉRÉBRALE*" }, false],
  ["Series", { SeriesDescription: "st2w/flair" }, true],
  ["Series", { SeriesDescription: "ST2W/FLAIR" }, false],
  ["Series", { Modality: "mr" }, true],
  ["Series", { Modality: "MR\\mr" }, true],
  ["Series", { Modality: "M?" }, true],
  ["Instance", { PatientName: "brainix" }, true],
  ["Study", { StudyDescription: "*" }],
  ["Study", { StudyDescription: "" }],
  ["Study", { AccessionNumber: "*" }],
  ["Study", { PatientSex: "*" }],
  ["Study", { StudyDescription: "*\\x" }],
  ["Series", { SeriesDescription: "*" }],
  ["Instance", { ImageComments: "*" }],
  ["Instance", { ImageComments: "a\\*" }],
  ["Study", { ModalitiesInStudy: "*" }],
  ["Study", { ModalitiesInStudy: "M*" }],
  ["Study", { StudyDate: "20061201\\19970424-19970425" }],
  ["Study", { StudyDate: "-" }],
  ["Study", { StudyDate: "2006*" }],
  ["Study", { StudyInstanceUID: "1.2*" }],
  ["Series", { SeriesNumber: "*" }],
  ["Patient", { PatientBirthDate: "*" }],
];

const scenario: Scenario = {
  name: "net-tools-find",
  async run(s) {
    for (
      const file of [
        "Brainix/Flair/IM-0001-0001.dcm",
        "DummyCT.dcm",
        "TransferSyntaxes/1.2.840.10008.1.2.dcm",
        "TransferSyntaxes/1.2.840.10008.1.2.2.dcm",
        "TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm",
        "Knee/T1/IM-0001-0001.dcm",
      ]
    ) await s.upload(file);
    for (const [level, query, caseSensitive] of QUERIES) {
      const body = JSON.stringify({
        Level: level,
        Query: query,
        ...(caseSensitive === undefined ? {} : { CaseSensitive: caseSensitive }),
      });
      await s.request({ method: "POST", path: "/tools/find", body, name: `find ${body}` });
    }
  },
};

export default scenario;
