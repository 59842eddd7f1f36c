// The PixelDataOffset metadata, found as Orthanc 1.10 finds it: a streaming pass over the file's
// top level that never parses values, stops at the pixel data, and reports the offset of its
// element header (tag) in the file. That pass has its own tolerance, distinct from the full
// parser's: it needs the preamble and a (0002,0000) group length, reads an explicit VR it does
// not know as a long one (reserved bytes and a 32-bit length), follows undefined lengths only by
// depth, and gives up (no offset) on anything it cannot walk. Where it yields a wrong position,
// the final check (the pixel data tag must be written there) drops it, as Orthanc does.
import { makeTag, type Tag, Tags } from "./tag.ts";
import { TransferSyntax } from "./uids.ts";

/** The transfer syntaxes Orthanc 1.10 knows by name; with any other, it finds no offset. */
const KNOWN_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([
  ...Object.values(TransferSyntax),
  // The retired JPEG processes, RFC 2557 MIME encapsulation and XML encoding.
  ...Array.from({ length: 15 }, (_, i) => `1.2.840.10008.1.2.4.${52 + i}`),
  "1.2.840.10008.1.2.6.1",
  "1.2.840.10008.1.2.6.2",
]);

/** The explicit VRs written with a 16-bit length (PS3.5 Table 7.1-2). */
const SHORT_VRS = new Set([
  "AE",
  "AS",
  "AT",
  "CS",
  "DA",
  "DS",
  "DT",
  "FL",
  "FD",
  "IS",
  "LO",
  "LT",
  "PN",
  "SH",
  "SL",
  "SS",
  "ST",
  "TM",
  "UI",
  "UL",
  "US",
]);

/** SHORT_VRS as the two bytes of each read as one big-endian number: a walk builds no strings. */
const SHORT_VR_CODES: ReadonlySet<number> = new Set(
  [...SHORT_VRS].map((vr) => (vr.charCodeAt(0) << 8) | vr.charCodeAt(1)),
);
const SQ_CODE = ("S".charCodeAt(0) << 8) | "Q".charCodeAt(0);

/** The VRs of the meta header Orthanc accepts; another one makes it give up. */
const META_VRS = new Set([
  ...SHORT_VRS,
  "OB",
  "OD",
  "OF",
  "OL",
  "OW",
  "SQ",
  "UC",
  "UN",
  "UR",
  "UT",
]);

/** The walk cannot go on: the file is not one this pass understands. */
class Unwalkable extends Error {}

const UNDEFINED = 0xffffffff;
const PREAMBLE_AND_GROUP_LENGTH = 144;

function ascii(bytes: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** The transfer syntax of a meta header that spans exactly [start, end), or Unwalkable. */
function metaTransferSyntax(bytes: Uint8Array, view: DataView, start: number, end: number): string {
  let pos = start;
  let syntax: string | undefined;
  while (pos + 8 <= end) {
    const tag = makeTag(view.getUint16(pos, true), view.getUint16(pos + 2, true));
    const vr = ascii(bytes, pos + 4, pos + 6);
    if (!META_VRS.has(vr)) throw new Unwalkable();
    if (SHORT_VRS.has(vr)) {
      const length = view.getUint16(pos + 6, true);
      if (pos + 8 + length > end) throw new Unwalkable();
      if (tag === Tags.TransferSyntaxUid) {
        // One trailing padding byte is dropped, not more.
        const value = ascii(bytes, pos + 8, pos + 8 + length).replace(/[ \0]$/, "");
        if (!KNOWN_TRANSFER_SYNTAXES.has(value)) throw new Unwalkable();
        syntax = value;
      }
      pos += 8 + length;
    } else {
      if (pos + 12 > end || view.getUint16(pos + 6, true) !== 0) throw new Unwalkable();
      pos += 12 + view.getUint32(pos + 8, true);
    }
  }
  if (pos !== end || syntax === undefined) throw new Unwalkable();
  return syntax;
}

/** Where the pixel data element starts in the file, or undefined where Orthanc finds none. */
export function pixelDataOffset(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (
    bytes.length < PREAMBLE_AND_GROUP_LENGTH || ascii(bytes, 128, 132) !== "DICM" ||
    view.getUint32(132, true) !== 0x00000002 || ascii(bytes, 136, 138) !== "UL" ||
    view.getUint16(138, true) !== 4
  ) {
    return undefined;
  }
  const metaEnd = PREAMBLE_AND_GROUP_LENGTH + view.getUint32(140, true);
  if (metaEnd > bytes.length) return undefined;
  try {
    const syntax = metaTransferSyntax(bytes, view, PREAMBLE_AND_GROUP_LENGTH, metaEnd);
    const found = walkDataset(bytes, view, metaEnd, syntax);
    if (found === undefined || found + 4 > bytes.length) return undefined;
    const littleEndian = syntax !== TransferSyntax.ExplicitVrBigEndian;
    const written = makeTag(
      view.getUint16(found, littleEndian),
      view.getUint16(found + 2, littleEndian),
    );
    return written === Tags.PixelData ? found : undefined;
  } catch (error) {
    if (error instanceof Unwalkable) return undefined;
    throw error;
  }
}

/**
 * Walks the dataset from `start` element by element, stepping over values and counting nesting
 * depth, and answers the offset of the top-level element it last saw as the pixel data before
 * it stopped (at the pixel data, or any later tag, or the end of the bytes).
 */
function walkDataset(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  syntax: string,
): number | undefined {
  const littleEndian = syntax !== TransferSyntax.ExplicitVrBigEndian;
  const implicitVr = syntax === TransferSyntax.ImplicitVrLittleEndian;
  let pos = start;
  let depth = 0;
  let found: number | undefined;
  // The last top-level element whose header was read: what a value, once read, belongs to.
  let currentTag: Tag = 0;
  let currentOffset = 0;
  const has = (n: number) => pos + n <= bytes.length;
  /** Reports an element to the search; false once the pixel data is reached or passed. */
  const visit = (): boolean => {
    if (currentTag === Tags.PixelData) found = currentOffset;
    return currentTag < Tags.PixelData;
  };
  /** Steps over a value of `length` bytes; false when the bytes end first. */
  const skipValue = (length: number): boolean => {
    if (!has(length)) return false;
    pos += length;
    return depth !== 0 || visit();
  };

  while (has(8)) {
    const tagOffset = pos;
    const tag = makeTag(view.getUint16(pos, littleEndian), view.getUint16(pos + 2, littleEndian));
    pos += 8;
    if (depth === 0 && tag === 0xffffffff) break;
    if (tag === Tags.Item || tag === Tags.ItemDelimitation || tag === Tags.SequenceDelimitation) {
      const length = view.getUint32(pos - 4, littleEndian);
      if (tag === Tags.Item) {
        if (length !== UNDEFINED && !skipValue(length)) break;
        continue;
      }
      if (length !== 0 || depth === 0) throw new Unwalkable();
      if (tag === Tags.SequenceDelimitation) depth--;
      continue;
    }
    if (implicitVr) {
      if (depth === 0) {
        currentTag = tag;
        currentOffset = tagOffset;
      }
      const length = view.getUint32(pos - 4, true);
      if (length === UNDEFINED) depth++;
      else if (!skipValue(length)) break;
      continue;
    }
    const vr = (bytes[pos - 4]! << 8) | bytes[pos - 3]!;
    if (vr === SQ_CODE) {
      depth++;
      if (!has(4)) break;
      const length = view.getUint32(pos, littleEndian);
      pos += 4;
      if (length === UNDEFINED) continue;
      if (!has(length)) break;
      pos += length;
      depth--;
      continue;
    }
    if (SHORT_VR_CODES.has(vr)) {
      if (depth === 0) {
        currentTag = tag;
        currentOffset = tagOffset;
      }
      if (!skipValue(view.getUint16(pos - 2, littleEndian))) break;
      continue;
    }
    if (view.getUint16(pos - 2, littleEndian) !== 0) throw new Unwalkable();
    if (depth === 0) {
      currentTag = tag;
      currentOffset = tagOffset;
    }
    if (!has(4)) break;
    const length = view.getUint32(pos, littleEndian);
    pos += 4;
    if (length === UNDEFINED) depth++;
    // The element is reported once its length is known, before its value is read.
    if (!visit()) break;
    if (length !== UNDEFINED && !skipValue(length)) break;
  }
  return found;
}
