import { expect, test } from "bun:test";
import { orthancIds } from "../../src/dicom/identifiers.ts";

test("Orthanc identifiers are SHA-1 of the UID chain", () => {
  // Recorded from Orthanc 1.10.1 for Brainix/Epi/IM-0001-0001.dcm.
  const ids = orthancIds({
    patientId: "5Yp0E",
    studyInstanceUid: "2.16.840.1.113669.632.20.1211.10000357775",
    seriesInstanceUid: "1.3.46.670589.11.0.0.11.4.2.0.8743.5.5396.2006120114314125550",
    sopInstanceUid: "1.3.46.670589.11.0.0.11.4.2.0.8743.5.5396.2006120114333648576",
  });
  expect(ids).toEqual({
    patient: "16738bc3-e47ed42a-43ce044c-a3414a45-cb069bd0",
    study: "27f7126f-4f66fb14-03f4081b-f9341db2-53925988",
    series: "2ac1316d-3e432022-62eabff2-c59f5475-9b1ac3f8",
    instance: "1d429ccb-bdcc78a1-7d129d6a-ba4966ed-fe4dbd87",
  });
  // An absent PatientID hashes the empty string, as in Orthanc.
  expect(
    orthancIds({ patientId: "", studyInstanceUid: "", seriesInstanceUid: "", sopInstanceUid: "" })
      .patient,
  )
    .toBe("da39a3ee-5e6b4b0d-3255bfef-95601890-afd80709");
});
