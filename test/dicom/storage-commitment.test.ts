// The storage commitment datasets Pharos writes (N-ACTION, N-EVENT-REPORT) read back by Pharos.
import { expect, test } from "bun:test";
import {
  NO_SUCH_OBJECT,
  readCommitment,
  reportDataset,
  requestDataset,
} from "../../src/dimse/storage-commitment.ts";
import { StorageSopClass, TransferSyntax } from "../../src/dicom/uids.ts";

const EXPLICIT = TransferSyntax.ExplicitVrLittleEndian;
const IMPLICIT = TransferSyntax.ImplicitVrLittleEndian;
const a = { sopClassUid: StorageSopClass.MrImage, sopInstanceUid: "1.2.3.4" };
const b = { sopClassUid: StorageSopClass.CtImage, sopInstanceUid: "1.2.3.45" };

test("N-ACTION dataset round trip in both uncompressed syntaxes", () => {
  for (const ts of [EXPLICIT, IMPLICIT]) {
    const bytes = requestDataset("2.25.1", [a, b])(ts);
    expect(readCommitment({ sopClassUid: "", transferSyntax: ts, bytes })).toEqual({
      transactionUid: "2.25.1",
      referenced: [a, b],
      failed: [],
    });
  }
});

test("N-EVENT-REPORT dataset: successes and failures with their reason", () => {
  for (const ts of [EXPLICIT, IMPLICIT]) {
    const bytes = reportDataset("2.25.7", [a], [{ ...b, reason: NO_SUCH_OBJECT }])(ts);
    expect(readCommitment({ sopClassUid: "", transferSyntax: ts, bytes })).toEqual({
      transactionUid: "2.25.7",
      referenced: [a],
      failed: [{ ...b, reason: 0x0112 }],
    });
  }
  // Without a transaction UID, the dataset is refused.
  expect(readCommitment({ sopClassUid: "", transferSyntax: EXPLICIT, bytes: new Uint8Array(0) }))
    .toBeUndefined();
});
