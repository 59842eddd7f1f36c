// DICOM files that break the rules in ways a hostile or broken sender does, built in code: the
// hostile-input suite (test/e2e/hostile.test.ts) checks that Pharos gives each Orthanc's verdict
// without a crash, and within bounded memory.
import { deflateRawSync } from "node:zlib";
import { EXPLICIT_VR_LITTLE_ENDIAN, writeFileMeta } from "../../src/dicom/writer.ts";
import { makeTag } from "../../src/dicom/tag.ts";
import { TransferSyntax } from "../../src/dicom/uids.ts";
import { BIG, concat, dataset, file, raw, referenced, T, text } from "./odd-dicom.ts";

const E = EXPLICIT_VR_LITTLE_ENDIAN;
const UNDEFINED = 0xffffffff;
const ascii = (s: string) => new TextEncoder().encode(s);

export interface HostileFile {
  name: string;
  bytes: Uint8Array;
}

/** A dataset with no meta header, explicit VR, in either byte order. */
export function bareExplicit(littleEndian: boolean): HostileFile {
  const name = `bare-explicit-${littleEndian ? "le" : "be"}`;
  return { name, bytes: dataset(name, littleEndian ? E : BIG) };
}

/** A meta header without TransferSyntaxUID (0002,0010), then an explicit little endian dataset. */
export function metaWithoutTransferSyntax(): HostileFile {
  const name = "meta-without-transfer-syntax";
  const meta = writeFileMeta([
    { tag: makeTag(0x0002, 0x0001), vr: "OB", value: new Uint8Array([0, 1]) },
    { tag: makeTag(0x0002, 0x0002), vr: "UI", value: ascii("1.2.840.10008.5.1.4.1.1.7") },
  ]);
  return { name, bytes: concat([meta.bytes(), dataset(name, E)]) };
}

/** A sequence of defined length whose one item claims more bytes than the sequence holds. */
export function itemLongerThanSequence(): HostileFile {
  const name = "item-longer-than-sequence";
  const item = referenced(E, 1);
  const inner = concat([raw(0xfffee000, item.length + 16, E), item]);
  const seq = concat([
    new Uint8Array([0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0, 0]),
    u32(inner.length),
    inner,
  ]);
  return file(name, TransferSyntax.ExplicitVrLittleEndian, dataset(name, E, [seq]));
}

/** A sequence of defined length that ends before its one item does (Orthanc stores it). */
export function itemPastSequenceEnd(): HostileFile {
  const name = "item-past-sequence-end";
  const item = referenced(E, 1);
  const seq = concat([
    new Uint8Array([0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0, 0]),
    u32(item.length),
    raw(0xfffee000, item.length, E),
    item,
  ]);
  return file(name, TransferSyntax.ExplicitVrLittleEndian, dataset(name, E, [seq]));
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** A SOPInstanceUID of `length` characters. */
export function longSopInstanceUid(length: number): HostileFile {
  const name = "long-sop-instance-uid";
  const uid = `1.2.${"3".repeat(length - 4)}`;
  const ds = concat([
    text(T.SopClassUid, "UI", "1.2.840.10008.5.1.4.1.1.7", E),
    text(T.SopInstanceUid, "UI", uid, E),
    text(T.PatientId, "LO", "HOSTILE", E),
    text(T.StudyInstanceUid, "UI", "1.2.3.4", E),
    text(T.SeriesInstanceUid, "UI", "1.2.3.4.5", E),
  ]);
  return file(name, TransferSyntax.ExplicitVrLittleEndian, ds);
}

/** Sequences of undefined length nested `depth` times. */
export function deeplyNested(depth: number): HostileFile {
  const name = "deeply-nested";
  const open = concat([
    new Uint8Array([0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0, 0]),
    u32(UNDEFINED),
    raw(0xfffee000, UNDEFINED, E),
  ]);
  const close = concat([raw(0xfffee00d, 0, E), raw(0xfffee0dd, 0, E)]);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < depth; i++) parts.push(open);
  for (let i = 0; i < depth; i++) parts.push(close);
  return file(name, TransferSyntax.ExplicitVrLittleEndian, dataset(name, E, [concat(parts)]));
}

/** A deflated file whose dataset is valid, then `zeros` zero bytes (a few KB once deflated). */
export function deflatedZeroRun(zeros: number): HostileFile {
  const name = "deflated-zero-run";
  const ds = concat([dataset(name, E), new Uint8Array(zeros)]);
  const meta = writeFileMeta([
    { tag: makeTag(0x0002, 0x0001), vr: "OB", value: new Uint8Array([0, 1]) },
    { tag: makeTag(0x0002, 0x0002), vr: "UI", value: ascii("1.2.840.10008.5.1.4.1.1.7") },
    { tag: makeTag(0x0002, 0x0003), vr: "UI", value: ascii("1.2.826.0.1.3680043.2.1143.99") },
    {
      tag: makeTag(0x0002, 0x0010),
      vr: "UI",
      value: ascii(TransferSyntax.DeflatedExplicitVrLittleEndian),
    },
  ]);
  return { name, bytes: concat([meta.bytes(), new Uint8Array(deflateRawSync(ds))]) };
}

/** Every hostile file whose verdict is compared with Orthanc's. */
export function hostileFiles(): HostileFile[] {
  return [
    bareExplicit(true),
    bareExplicit(false),
    metaWithoutTransferSyntax(),
    itemLongerThanSequence(),
    longSopInstanceUid(9000),
    deeplyNested(20_000),
  ];
}
