// The named UIDs: each spelt once, well formed, and the storage classes where isStorageClass
// looks for them (under the storage arc, or listed apart).
import { describe, expect, test } from "bun:test";
import {
  OtherStorageSopClass,
  PHAROS_IMPLEMENTATION_UID,
  SopClass,
  STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE,
  STORAGE_SOP_CLASS_ARC,
  StorageSopClass,
  TransferSyntax,
  UNCOMPRESSED_TRANSFER_SYNTAXES,
} from "../../src/dicom/uids.ts";

const ALL = [
  ...Object.values(TransferSyntax),
  ...Object.values(SopClass),
  ...Object.values(StorageSopClass),
  ...Object.values(OtherStorageSopClass),
  STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE,
  PHAROS_IMPLEMENTATION_UID,
];

describe("uids", () => {
  test("every UID is named once and is a valid UID (PS3.5 9.1)", () => {
    expect(new Set(ALL).size).toBe(ALL.length);
    for (const uid of ALL) {
      expect(uid).toMatch(/^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/);
      expect(uid.length).toBeLessThanOrEqual(64);
    }
  });

  test("storage classes lie under the storage arc, but for those listed apart", () => {
    for (const uid of Object.values(StorageSopClass)) {
      expect(uid).toStartWith(STORAGE_SOP_CLASS_ARC);
    }
    for (const uid of Object.values(OtherStorageSopClass)) {
      expect(uid.startsWith(STORAGE_SOP_CLASS_ARC)).toBe(false);
    }
  });

  test("the uncompressed syntaxes are the four of the standard", () => {
    expect([...UNCOMPRESSED_TRANSFER_SYNTAXES].sort()).toEqual([
      "1.2.840.10008.1.2",
      "1.2.840.10008.1.2.1",
      "1.2.840.10008.1.2.1.99",
      "1.2.840.10008.1.2.2",
    ]);
  });
});
