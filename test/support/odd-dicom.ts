// Small DICOM files in odd but readable encodings (CP-246 sequences, elements written as UN,
// mixed lengths, elements out of order…), built byte by byte so that each one shows exactly the
// encoding under test. Orthanc 1.10.1 stores every one of them; the golden scenarios
// tags-odd-encodings and tags-pixel-data-offset pin its answers.
import {
  type Encoding,
  EXPLICIT_VR_LITTLE_ENDIAN,
  Output,
  writeFileMeta,
} from "../../src/dicom/writer.ts";
import { makeTag, type Tag, tagElement, tagGroup } from "../../src/dicom/tag.ts";
import { TransferSyntax } from "../../src/dicom/uids.ts";

const IMPLICIT: Encoding = { explicitVr: false, littleEndian: true };
const BIG: Encoding = { explicitVr: true, littleEndian: false };
const UNDEFINED = 0xffffffff;
const LONG_VRS = new Set([
  "OB",
  "OD",
  "OF",
  "OL",
  "OV",
  "OW",
  "SQ",
  "UC",
  "UN",
  "UR",
  "UT",
  "SV",
  "UV",
]);

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

function even(value: Uint8Array, pad: number): Uint8Array {
  if (value.length % 2 === 0) return value;
  const out = new Uint8Array(value.length + 1);
  out.set(value);
  out[value.length] = pad;
  return out;
}

/** One element's header: explicit (VR then a 16- or 32-bit length) or implicit (32-bit length). */
function header(tag: Tag, vr: string, length: number, to: Encoding): Uint8Array {
  // DCMTK's "ox" and "lt" take the long header, its "xs" and "up" the short one.
  const explicitLong = to.explicitVr && (LONG_VRS.has(vr) || vr === "ox" || vr === "lt");
  const bytes = new Uint8Array(to.explicitVr ? (explicitLong ? 12 : 8) : 8);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, tagGroup(tag), to.littleEndian);
  view.setUint16(2, tagElement(tag), to.littleEndian);
  if (!to.explicitVr) {
    view.setUint32(4, length, to.littleEndian);
    return bytes;
  }
  bytes[4] = vr.charCodeAt(0);
  bytes[5] = vr.charCodeAt(1);
  if (explicitLong) view.setUint32(8, length, to.littleEndian);
  else view.setUint16(6, length, to.littleEndian);
  return bytes;
}

function raw(tag: Tag, length: number, to: Encoding): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, tagGroup(tag), to.littleEndian);
  view.setUint16(2, tagElement(tag), to.littleEndian);
  view.setUint32(4, length, to.littleEndian);
  return bytes;
}

/** A text element (space padded, NUL for UI). */
export function text(tag: Tag, vr: string, value: string, to: Encoding): Uint8Array {
  const v = even(ascii(value), vr === "UI" ? 0 : 0x20);
  return concat([header(tag, vr, v.length, to), v]);
}

export function binary(tag: Tag, vr: string, value: Uint8Array, to: Encoding): Uint8Array {
  return concat([header(tag, vr, value.length, to), value]);
}

interface SequenceOptions {
  /** The VR written in the header (SQ, or UN for a CP-246 sequence). */
  vr?: string;
  undefinedLength?: boolean;
  undefinedItems?: boolean;
  /** How the items are framed; by default implicit VR for a UN sequence (CP-246), else `to`. */
  itemTo?: Encoding;
}

/** A sequence of items already encoded (in `to`, or implicit VR for CP-246). */
export function sequence(
  tag: Tag,
  items: Uint8Array[],
  to: Encoding,
  { vr = "SQ", undefinedLength = true, undefinedItems = true, itemTo }: SequenceOptions = {},
): Uint8Array {
  itemTo ??= vr === "UN" ? IMPLICIT : to;
  const body = concat(
    items.map((item) =>
      undefinedItems
        ? concat([raw(0xfffee000, UNDEFINED, itemTo), item, raw(0xfffee00d, 0, itemTo)])
        : concat([raw(0xfffee000, item.length, itemTo), item])
    ),
  );
  return undefinedLength
    ? concat([header(tag, vr, UNDEFINED, to), body, raw(0xfffee0dd, 0, itemTo)])
    : concat([header(tag, vr, body.length, to), body]);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Output();
  for (const p of parts) out.push(p);
  return out.bytes();
}

const T = {
  SopClassUid: makeTag(0x0008, 0x0016),
  SopInstanceUid: makeTag(0x0008, 0x0018),
  Modality: makeTag(0x0008, 0x0060),
  ReferencedStudySequence: makeTag(0x0008, 0x1110),
  ReferencedImageSequence: makeTag(0x0008, 0x1140),
  ReferencedSopClassUid: makeTag(0x0008, 0x1150),
  ReferencedSopInstanceUid: makeTag(0x0008, 0x1155),
  PatientName: makeTag(0x0010, 0x0010),
  PatientId: makeTag(0x0010, 0x0020),
  StudyInstanceUid: makeTag(0x0020, 0x000d),
  SeriesInstanceUid: makeTag(0x0020, 0x000e),
  InstanceNumber: makeTag(0x0020, 0x0013),
};

const SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";

/** A file: meta header (explicit little endian) then the dataset, given as encoded parts. */
export function file(
  name: string,
  transferSyntax: string,
  dataset: Uint8Array,
): { name: string; bytes: Uint8Array } {
  const meta = writeFileMeta([
    { tag: makeTag(0x0002, 0x0001), vr: "OB", value: new Uint8Array([0, 1]) },
    { tag: makeTag(0x0002, 0x0002), vr: "UI", value: ascii(SECONDARY_CAPTURE) },
    { tag: makeTag(0x0002, 0x0003), vr: "UI", value: ascii(uid(name)) },
    { tag: makeTag(0x0002, 0x0010), vr: "UI", value: ascii(transferSyntax) },
  ]);
  return { name, bytes: concat([meta.bytes(), dataset]) };
}

/** A stable UID per file name, so that each file is its own instance. */
function uid(name: string, suffix = ""): string {
  let n = 0;
  for (const c of name) n = (n * 31 + c.charCodeAt(0)) % 1_000_000_007;
  return `1.2.826.0.1.3680043.2.1143.777.${n}${suffix}`;
}

/**
 * The identifying elements of a file, with `middle` (already encoded, its tags between (0008,0018)
 * and (0010,0010)) and `after` (tags above (0020,0013)) in their places.
 */
export function dataset(
  name: string,
  to: Encoding,
  middle: Uint8Array[] = [],
  after: Uint8Array[] = [],
): Uint8Array {
  return concat([
    text(T.SopClassUid, "UI", SECONDARY_CAPTURE, to),
    text(T.SopInstanceUid, "UI", uid(name), to),
    text(T.Modality, "CS", "OT", to),
    ...middle,
    text(T.PatientName, "PN", `Odd^${name}`, to),
    text(T.PatientId, "LO", "ODD-ENCODINGS", to),
    text(T.StudyInstanceUid, "UI", uid("study"), to),
    text(T.SeriesInstanceUid, "UI", uid("series"), to),
    text(T.InstanceNumber, "IS", "1", to),
    ...after,
  ]);
}

function referenced(to: Encoding, k: number): Uint8Array {
  return concat([
    text(T.ReferencedSopClassUid, "UI", SECONDARY_CAPTURE, to),
    text(T.ReferencedSopInstanceUid, "UI", uid("ref", `.${k}`), to),
  ]);
}

const PIXEL_DATA = makeTag(0x7fe0, 0x0010);
const E = EXPLICIT_VR_LITTLE_ENDIAN;
const I = IMPLICIT;
const LE = TransferSyntax.ExplicitVrLittleEndian;

const privateCreator = (to: Encoding) => text(makeTag(0x0009, 0x0010), "LO", "ODDCREATOR", to);
const pixels = (to: Encoding) => binary(PIXEL_DATA, "OW", new Uint8Array([1, 2, 3, 4]), to);
function u16(tag: Tag, vr: string, n: number, to: Encoding): Uint8Array {
  const value = new Uint8Array(2);
  new DataView(value.buffer).setUint16(0, n, to.littleEndian);
  return binary(tag, vr, value, to);
}
/** CP-246: a sequence whose VR was lost, written as UN of undefined length, items in implicit VR. */
const cp246 = (items: Uint8Array[], options: SequenceOptions = {}) =>
  sequence(T.ReferencedImageSequence, items, E, { vr: "UN", ...options });

function encapsulated(): Uint8Array {
  return concat([
    header(PIXEL_DATA, "OB", UNDEFINED, E),
    raw(0xfffee000, 0, E),
    raw(0xfffee000, 4, E),
    new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
    raw(0xfffee0dd, 0, E),
  ]);
}

/** One file of explicit VR little endian, its odd elements in the middle and after. */
const plain = (name: string, middle: Uint8Array[], after: Uint8Array[] = []) =>
  file(name, LE, dataset(name, E, middle, after));

/** Every odd file, each a distinct instance of one patient and series. */
export function oddFiles(): { name: string; bytes: Uint8Array }[] {
  return [
    plain("un-sequence", [cp246([referenced(I, 1), referenced(I, 2)])]),
    plain("un-sequence-defined-items", [cp246([referenced(I, 1)], { undefinedItems: false })]),
    plain("un-sequence-nested", [
      sequence(
        T.ReferencedStudySequence,
        [
          concat([referenced(I, 1), sequence(makeTag(0x0008, 0x114a), [referenced(I, 3)], I)]),
        ],
        E,
        { vr: "UN" },
      ),
    ]),
    plain("un-sequence-empty", [cp246([])]),
    plain("un-sequence-private", [
      privateCreator(E),
      sequence(makeTag(0x0009, 0x1001), [referenced(I, 1)], E, { vr: "UN" }),
    ]),
    file(
      "un-sequence-big-endian",
      TransferSyntax.ExplicitVrBigEndian,
      dataset("un-sequence-big-endian", BIG, [
        sequence(T.ReferencedImageSequence, [referenced(I, 1)], BIG, { vr: "UN" }),
      ], [pixels(BIG)]),
    ),
    // A UN of defined length stays an opaque value, even when it holds a sequence.
    plain("un-defined-length", [
      cp246([referenced(I, 1)], { undefinedLength: false, undefinedItems: false }),
    ]),
    // Known elements written as UN: text values are shown as they are, padding included.
    plain("un-known-elements", [
      text(makeTag(0x0008, 0x0020), "UN", "20200101", E),
      text(makeTag(0x0008, 0x0070), "UN", "Maker", E),
      text(makeTag(0x0008, 0x0080), "UN", " Inst ", E),
      text(makeTag(0x0008, 0x1030), "UN", "Desc\0", E),
    ], [
      u16(makeTag(0x0028, 0x0010), "UN", 7, E),
      text(makeTag(0x0028, 0x0030), "UN", "1.5\\2 ", E),
      text(makeTag(0x0028, 0x1052), "UN", "-1024", E),
    ]),
    // The identifying elements themselves written as UN.
    file(
      "un-uids",
      LE,
      concat([
        text(T.SopClassUid, "UN", SECONDARY_CAPTURE, E),
        text(T.SopInstanceUid, "UN", uid("un-uids"), E),
        text(T.PatientId, "UN", "ODD-UN", E),
        text(T.StudyInstanceUid, "UN", uid("un-study"), E),
        text(T.SeriesInstanceUid, "UN", uid("un-series"), E),
      ]),
    ),
    plain("sequence-defined-items", [
      sequence(T.ReferencedImageSequence, [referenced(E, 1)], E, { undefinedItems: false }),
    ], [pixels(E)]),
    plain("sequence-defined-length", [
      sequence(T.ReferencedImageSequence, [referenced(E, 1)], E, { undefinedLength: false }),
    ], [pixels(E)]),
    plain("sequence-empty-items", [
      sequence(T.ReferencedStudySequence, [], E),
      sequence(T.ReferencedImageSequence, [new Uint8Array()], E, { undefinedItems: false }),
    ]),
    file(
      "implicit-private-sequence",
      TransferSyntax.ImplicitVrLittleEndian,
      dataset("implicit-private-sequence", I, [
        privateCreator(I),
        sequence(makeTag(0x0009, 0x1001), [referenced(I, 1)], I),
      ], [pixels(I)]),
    ),
    file(
      "implicit-unknown-sequence",
      TransferSyntax.ImplicitVrLittleEndian,
      dataset("implicit-unknown-sequence", I, [
        sequence(makeTag(0x0009, 0x1001), [referenced(I, 1)], I),
      ]),
    ),
    // Orthanc's streaming reader reads the implicit items of a CP-246 sequence as explicit VR.
    plain("pixels-after-un-sequence", [cp246([referenced(I, 1)])], [pixels(E)]),
    plain("pixels-after-sequence", [
      sequence(T.ReferencedImageSequence, [referenced(E, 1)], E),
    ], [pixels(E)]),
    file(
      "pixels-encapsulated",
      TransferSyntax.JpegBaseline,
      dataset("pixels-encapsulated", E, [], [encapsulated()]),
    ),
    plain("pixels-in-item-only", [], [
      sequence(makeTag(0x0088, 0x0200), [
        concat([u16(makeTag(0x0028, 0x0010), "US", 1, E), pixels(E)]),
      ], E),
    ]),
    // DCMTK sorts the elements of a dataset, and of two with one tag keeps the first.
    plain("out-of-order", [], [text(makeTag(0x0008, 0x0070), "LO", "Late", E), privateCreator(E)]),
    plain("duplicate-element", [
      text(makeTag(0x0008, 0x0070), "LO", "First", E),
      text(makeTag(0x0008, 0x0070), "LO", "Second", E),
    ]),
    // DCMTK's names for ambiguous VRs, found in files written by DCMTK-based tools.
    plain("dcmtk-internal-vrs", [
      text(makeTag(0x0008, 0x0070), "ox", "x", E),
    ], [
      u16(makeTag(0x0028, 0x0106), "xs", 3, E),
      u16(makeTag(0x0028, 0x0107), "xs", 9, E),
      binary(makeTag(0x0028, 0x1201), "lt", new Uint8Array([1, 0, 2, 0]), E),
      binary(makeTag(0x0072, 0x0003), "up", new Uint8Array([5, 0, 0, 0]), E),
    ]),
    plain("odd-length", [concat([header(makeTag(0x0008, 0x0070), "LO", 3, E), ascii("abc")])]),
    plain("trailing-padding", [], [binary(0xfffcfffc, "OB", new Uint8Array(8), E)]),
    file(
      "group-length",
      LE,
      concat([
        binary(makeTag(0x0008, 0x0000), "UL", new Uint8Array([1, 0, 0, 0]), E),
        dataset("group-length", E),
      ]),
    ),
  ];
}

/** Values around Orthanc's 256-byte limit on the text it shows in /tags (its "TooLong" type). */
export function longValuesFile(): { name: string; bytes: Uint8Array } {
  const latin1 = (tag: Tag, vr: string, bytes: number[]) =>
    binary(tag, vr, new Uint8Array(bytes.length % 2 ? [...bytes, 0x20] : bytes), E);
  return file(
    "long-values",
    LE,
    concat([
      text(makeTag(0x0008, 0x0005), "CS", "ISO_IR 100", E),
      dataset("long-values", E, [
        text(makeTag(0x0008, 0x0070), "LO", "x".repeat(64), E),
        text(makeTag(0x0008, 0x0080), "LO", "y".repeat(255), E),
        text(makeTag(0x0008, 0x0081), "ST", "z".repeat(256), E),
        text(makeTag(0x0008, 0x0092), "ST", "w".repeat(257), E),
        // 200 bytes in the file, 400 in UTF-8.
        latin1(makeTag(0x0008, 0x0094), "SH", Array(200).fill(0xe9)),
        text(makeTag(0x0008, 0x0096), "LO", "v".repeat(256) + "  ", E),
        text(makeTag(0x0008, 0x1010), "SH", "  " + "u".repeat(255), E),
        text(makeTag(0x0008, 0x1030), "LO", "S".repeat(300), E),
        text(makeTag(0x0008, 0x1090), "LO", "  " + "r".repeat(255), E),
        text(makeTag(0x0008, 0x103e), "LO", "a\\".repeat(100) + "b", E),
        text(makeTag(0x0008, 0x1040), "UN", "t".repeat(300), E),
      ], [
        binary(makeTag(0x0028, 0x1201), "OW", new Uint8Array(600), E),
        text(makeTag(0x0028, 0x0034), "IS", "1\\".repeat(150) + "1", E),
        binary(makeTag(0x0028, 0x1203), "US", new Uint8Array(400), E),
        text(makeTag(0x0032, 0x4000), "LT", "q".repeat(300), E),
        sequence(
          makeTag(0x0040, 0x0275),
          [text(makeTag(0x0040, 0x0007), "LO", "s".repeat(300), E)],
          E,
        ),
      ]),
    ]),
  );
}
