// /instances/{id}/content/...: tags by hex (Orthanc's forms and DCMTK's "%x,%x") or by name,
// sequences and item indexes (a signed -1 being the last item), the pixel data's blocks
// (encapsulated fragments with the offset table first, or the one block of native data), and
// the errors of each step in Orthanc's order.
import type { Scenario } from "../scenario.ts";
import { oddFiles } from "../../support/odd-dicom.ts";

const scenario: Scenario = {
  name: "tags-content-paths",
  async run(s) {
    const mr = await s.upload("Brainix/Flair/IM-0001-0001.dcm");
    const jpeg = await s.upload("LenaTwiceWithFragments.dcm");
    const big = await s.upload("TransferSyntaxes/1.2.840.10008.1.2.2.dcm");
    const cp246 = oddFiles().find((f) => f.name === "un-sequence")!;
    const odd = await s.request({ method: "POST", path: "/instances", body: cp246.bytes });
    const oddId = (odd.body as { ID: string }).ID;

    for (
      const path of [
        "",
        "/",
        "/PatientName",
        "/0010-0010",
        "/0010,0010",
        "/00100010",
        "/10,10",
        "/0x0010,0x0010",
        "/10,10zz",
        "/-10,10",
        "/0010%2C0010",
        "/10-10",
        "/patientname",
        "/Foo",
        "/(0010,0010)",
        "/ReferencedImageSequence",
        "/0008-1140",
        "/0008-1140/0",
        "/0008-1140/0/",
        "/0008-1140/-1",
        "/0008-1140/-2",
        "/0008-1140/%2B1",
        "/0008-1140/01/0008-1150",
        "/0008-1140/3",
        "/0008-1140/x",
        "/0008-1140/x/Foo",
        "/0008-1140//0008-1150",
        "/0008-1140/18446744073709551615/0008-1150",
        "/ReferencedImageSequence/1/ReferencedSOPClassUID",
        "/0008-1140/1/0008-1150/",
        "/0008-1140/0/Foo",
        "/0008-1140/0/Foo/0",
        "/0008-1140/0/0008-9999",
        "/0008-1140/0/7fe0-0010",
        "/0010-0010/0",
        "/Foo/x",
        "/Foo/0",
        "/SpecificCharacterSet",
        "/TransferSyntaxUID",
        "/0002-0010",
        "/0018-9999",
        "/0028-0010",
        "/7fe0-0010",
        "/PixelData",
        "/7FE0-0010",
        "/7fe00010",
        "/7fe0-0010/0",
        "/7fe0-0010/00",
        "/7fe0-0010/+0",
        "/7fe0-0010/1",
        "/7fe0-0010/-1",
        "/7fe0-0010/x",
        "/7fe0-0010/0/0",
      ]
    ) {
      await s.get(`/instances/${mr.ID}/content${path}`);
    }
    for (
      const path of [
        "/7fe0-0010",
        "/7fe0-0010/0",
        "/7fe0-0010/1",
        "/7fe0-0010/3",
        "/7fe0-0010/-4294967295",
        "/7fe0-0010/4294967296",
        "/7fe0-0010/1/2",
      ]
    ) {
      await s.get(`/instances/${jpeg.ID}/content${path}`);
    }
    for (const path of ["/0028-0010", "/0028-0030", "/7fe0-0010", "/7fe0-0010/0"]) {
      await s.get(`/instances/${big.ID}/content${path}`);
    }
    for (
      const path of ["", "/0008-1140", "/0008-1140/1", "/0008-1140/1/0008-1155", "/0008-1140/2"]
    ) {
      await s.get(`/instances/${oddId}/content${path}`);
    }
  },
};

export default scenario;
