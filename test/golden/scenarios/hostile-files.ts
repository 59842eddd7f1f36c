// Files a hostile or broken sender makes (test/support/hostile-dicom.ts), with Orthanc's verdict
// on each: datasets without meta header in both byte orders and a meta header without transfer
// syntax are stored (the encoding guessed from the first element); an item running past the end
// of its sequence is stored, one longer than the bytes left is refused; identifiers over 256
// bytes are refused; unknown VRs are read as DCMTK reads them. (20,000 nested sequences crash
// Orthanc 1.10.1: test/e2e/hostile.test.ts.)
import { EXPLICIT_VR_LITTLE_ENDIAN as E } from "../../../src/dicom/writer.ts";
import { TransferSyntax } from "../../../src/dicom/uids.ts";
import {
  bareExplicit,
  deflatedZeroRun,
  itemLongerThanSequence,
  itemPastSequenceEnd,
  longSopInstanceUid,
  metaWithoutTransferSyntax,
} from "../../support/hostile-dicom.ts";
import { dataset, file } from "../../support/odd-dicom.ts";
import type { Scenario } from "../scenario.ts";

/** Manufacturer (0008,0070) written with a VR nobody knows, in the long or short header. */
function unknownVr(vr: string, long: boolean) {
  const name = `unknown-vr-${vr}-${long ? "long" : "short"}`;
  const value = [0x61, 0x62, 0x63, 0x64];
  const element = new Uint8Array([
    0x08,
    0x00,
    0x70,
    0x00,
    vr.charCodeAt(0),
    vr.charCodeAt(1),
    ...(long ? [0, 0, 4, 0, 0, 0] : [4, 0]),
    ...value,
  ]);
  return file(name, TransferSyntax.ExplicitVrLittleEndian, dataset(name, E, [element]));
}

const scenario: Scenario = {
  name: "hostile-files",
  async run(s) {
    const files = [
      bareExplicit(true),
      bareExplicit(false),
      metaWithoutTransferSyntax(),
      itemLongerThanSequence(),
      itemPastSequenceEnd(),
      longSopInstanceUid(256),
      longSopInstanceUid(257),
      longSopInstanceUid(9000),
      deflatedZeroRun(1024),
      unknownVr("QQ", true),
      unknownVr("QQ", false),
      unknownVr("qq", true),
      unknownVr("qq", false),
    ];
    for (const f of files) {
      const id = await s.uploadBytes(f.name, f.bytes);
      if (!id) continue;
      await s.get(`/instances/${id}/tags`);
      await s.get(`/instances/${id}/metadata?expand`);
    }
    await s.get("/statistics");
  },
};

export default scenario;
