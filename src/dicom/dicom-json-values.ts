// The value of one element in DICOM JSON as Orthanc 1.10.1 writes it: text split into values
// (IS and DS as numbers, PN as name groups), binary numbers as numbers, OB/OW/UN as bytes, and
// the elements it leaves out (encapsulated pixel data, SV/UV/OV, DCMTK's ambiguous VRs).
import type { TextDecoding } from "./charsets.ts";
import { lookupTag } from "./dictionary.ts";
import { type DicomDataset, type DicomElement, latin1 } from "./parser.ts";
import { Tags } from "./tag.ts";
import { isTextVr } from "./vr.ts";

export type PersonNameJson = { Alphabetic?: string; Ideographic?: string; Phonetic?: string };
export type DicomJsonValue = string | number | null | PersonNameJson | DicomJsonDataset;
export type DicomJsonAttribute = {
  vr: string;
  Value?: DicomJsonValue[];
  InlineBinary?: string;
  BulkDataURI?: string;
};
export type DicomJsonDataset = { [tag: string]: DicomJsonAttribute };

/** A value of numbers or text (`values` undefined when the element is empty). */
export interface ListValue {
  kind: "list";
  vr: string;
  values?: DicomJsonValue[];
}

export interface BinaryValue {
  kind: "binary";
  vr: string;
  /** The bytes, 16-bit words in little endian for OW. */
  bytes(): Uint8Array;
}

export type LeafValue = ListValue | BinaryValue;

/** The text VRs DCMTK still reads as text from an element written as UN (UC and UR are not). */
const TEXT_FROM_UN = new Set([
  "AE",
  "AS",
  "CS",
  "DA",
  "DS",
  "DT",
  "IS",
  "LO",
  "LT",
  "PN",
  "SH",
  "ST",
  "TM",
  "UI",
  "UT",
]);

const UNSETTLED = new Set(["xs", "lt"]);

/** The value of a leaf element, or undefined when Orthanc leaves the element out. */
export function attributeValue(
  dataset: DicomDataset,
  e: DicomElement,
  decoding: TextDecoding,
): LeafValue | undefined {
  // Encapsulated pixel data has no value DCMTK hands over as bytes.
  if (e.fragments) return undefined;
  // Of DCMTK's ambiguous VRs, Orthanc settles "ox" (OB or OW) as OB, and skips the others.
  if (e.dcmtkVr !== undefined) return e.dcmtkVr === "ox" ? binary(dataset, e, "OB") : undefined;
  // Read in implicit VR, an element the dictionary gives "xs" (US or SS) or "lt" keeps that VR.
  if (!dataset.explicitVr && UNSETTLED.has(lookupTag(e.tag, e.privateCreator)?.ambiguousVr ?? "")) {
    return undefined;
  }
  if (e.vr === "UN") return unknownValue(dataset, e, decoding);
  if (e.vr === "OB" || e.vr === "OW") return binary(dataset, e, e.vr);
  if (isTextVr(e.vr)) return textValue(e, dcmtkString(dataset, e, decoding));
  const numbers = numberValues(dataset, e);
  if (!numbers) return undefined;
  return numbers.length > 0
    ? { kind: "list", vr: e.vr, values: numbers }
    : { kind: "list", vr: e.vr };
}

/**
 * An element written as UN takes the VR of the dictionary (Orthanc 1.9.5), but DCMTK still holds
 * its bytes as UN: text comes out up to the first NUL, unpadded; OB stays bytes; anything else
 * (numbers, OW, sequences, UC, UR) is left out.
 */
function unknownValue(
  dataset: DicomDataset,
  e: DicomElement,
  decoding: TextDecoding,
): LeafValue | undefined {
  const entry = lookupTag(e.tag, e.privateCreator);
  if (!entry) return binary(dataset, e, "UN");
  if (entry.ambiguousVr !== undefined) return undefined;
  if (entry.vr === "OB") return binary(dataset, e, "OB");
  if (!TEXT_FROM_UN.has(entry.vr)) return undefined;
  const raw = valueBytes(dataset, e);
  const nul = raw.indexOf(0);
  return textValue({ ...e, vr: entry.vr }, decoding.decode(nul < 0 ? raw : raw.subarray(0, nul)));
}

function valueBytes(dataset: DicomDataset, e: DicomElement): Uint8Array {
  return dataset.source.bytes.subarray(e.offset, e.offset + e.length);
}

function binary(dataset: DicomDataset, e: DicomElement, vr: string): BinaryValue {
  return {
    kind: "binary",
    vr,
    bytes: () => {
      const raw = valueBytes(dataset, e);
      // DCMTK pads an odd value with a NUL, and hands OW over as 16-bit words in the machine's
      // byte order (OB as it is).
      const out = new Uint8Array(raw.length + (raw.length % 2));
      out.set(raw);
      if (vr === "OW" && !dataset.source.littleEndian) {
        for (let i = 0; i < out.length; i += 2) out.set([out[i + 1]!, out[i]!], i);
      }
      return out;
    },
  };
}

/**
 * The text DCMTK hands over for a string element: spaces removed from the end (and from anywhere
 * in a UID, NULs from its end), then cut at the first NUL; SpecificCharacterSet is not decoded.
 */
function dcmtkString(dataset: DicomDataset, e: DicomElement, decoding: TextDecoding): string {
  let raw = valueBytes(dataset, e);
  if (e.vr === "UI" && raw.some(isSpace)) raw = raw.filter((b) => !isSpace(b));
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === 0x20 || (e.vr === "UI" && raw[end - 1] === 0))) end--;
  const nul = raw.indexOf(0);
  if (nul >= 0 && nul < end) end = nul;
  const text = end === raw.length ? raw : raw.subarray(0, end);
  return e.tag === Tags.SpecificCharacterSet ? latin1(text) : decoding.decode(text);
}

/** C's isspace in the "C" locale. */
const isSpace = (byte: number) => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);

/** Values are split on "\\"; an empty one is null, an IS or DS one that is not a number is dropped. */
function textValue(e: { tag: number; vr: string }, text: string): ListValue {
  if (text === "") return { kind: "list", vr: e.vr };
  const tokens = text.split("\\");
  // The leading empty value of a SpecificCharacterSet with code extensions is dropped.
  if (e.tag === Tags.SpecificCharacterSet && tokens.length > 1 && tokens[0] === "") tokens.shift();
  const values: DicomJsonValue[] = [];
  for (const token of tokens) {
    const value = tokenValue(e.vr, token);
    if (value !== INVALID) values.push(value);
  }
  return { kind: "list", vr: e.vr, values };
}

const INVALID = Symbol("invalid");

function tokenValue(vr: string, token: string): DicomJsonValue | typeof INVALID {
  switch (vr) {
    case "PN":
      return personName(token);
    case "IS": {
      const text = stripSpaces(token);
      if (text === "") return null;
      const n = parseInt64(text);
      return n === undefined ? INVALID : jsonInteger(n);
    }
    case "DS": {
      const text = stripSpaces(token);
      if (text === "") return null;
      const n = parseDouble(text);
      return n === undefined ? INVALID : jsonDouble(n);
    }
    default:
      return token === "" ? null : token;
  }
}

/** Name groups are split on "=" (an empty one kept as ""); an empty name is an empty object. */
function personName(token: string): PersonNameJson {
  if (token === "") return {};
  const [alphabetic, ideographic, phonetic] = token.split("=");
  const name: PersonNameJson = { Alphabetic: alphabetic! };
  if (ideographic !== undefined) name.Ideographic = ideographic;
  if (phonetic !== undefined) name.Phonetic = phonetic;
  return name;
}

/** C's isspace in the "C" locale, at either end (most values have none: no regex then). */
function stripSpaces(text: string): string {
  if (text === "" || (!isSpace(text.charCodeAt(0)) && !isSpace(text.charCodeAt(text.length - 1)))) {
    return text;
  }
  return text.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "");
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** boost::lexical_cast<int64_t>: an optional sign and decimal digits, within 64 bits. */
function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = BigInt(text);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** boost::lexical_cast<double>: a decimal number, "inf", "infinity" or "nan"; no overflow. */
function parseDouble(text: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) {
    if (special[2]!.toLowerCase() === "nan") return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Orthanc writes a whole number as a JSON integer, cut to 32 bits (signed if negative). */
export function jsonInteger(n: bigint): number {
  return Number(n < 0n ? BigInt.asIntN(32, n) : BigInt.asUintN(32, n));
}

/**
 * Orthanc writes a number within 100 epsilons of a whole number (rounded half away from zero)
 * as that integer, anything else (infinities and numbers beyond 64 bits included) as a double.
 */
export function jsonDouble(value: number): number {
  if (!Number.isFinite(value) || Math.abs(value) >= 2 ** 63) return value;
  const rounded = Math.sign(value) * Math.round(Math.abs(value));
  return Math.abs(value - rounded) <= Number.EPSILON * 100 ? jsonInteger(BigInt(rounded)) : value;
}

/** The numbers of a binary number VR, or undefined for VRs Orthanc leaves out (SV, UV, OV). */
function numberValues(dataset: DicomDataset, e: DicomElement): DicomJsonValue[] | undefined {
  const { view, littleEndian } = dataset.source;
  const read = NUMBER_READERS[e.vr];
  if (!read) return undefined;
  const values: DicomJsonValue[] = [];
  for (let p = e.offset; p + read.size <= e.offset + e.length; p += read.size) {
    values.push(read.get(view, p, littleEndian));
    // DCMTK counts one value in OF, OD and OL (their VM is 1), however long they are.
    if (OTHER_NUMBERS.has(e.vr)) break;
  }
  return values;
}

const OTHER_NUMBERS = new Set(["OF", "OD", "OL"]);

interface NumberReader {
  size: number;
  get(view: DataView, at: number, littleEndian: boolean): DicomJsonValue;
}

const integers = (size: number, get: (v: DataView, at: number, le: boolean) => number) => ({
  size,
  // Within 32 bits already: what jsonInteger would cut them to.
  get,
});

const NUMBER_READERS: Record<string, NumberReader | undefined> = {
  US: integers(2, (v, at, le) => v.getUint16(at, le)),
  SS: integers(2, (v, at, le) => v.getInt16(at, le)),
  UL: integers(4, (v, at, le) => v.getUint32(at, le)),
  OL: integers(4, (v, at, le) => v.getUint32(at, le)),
  SL: integers(4, (v, at, le) => v.getInt32(at, le)),
  FL: { size: 4, get: (v, at, le) => jsonDouble(v.getFloat32(at, le)) },
  OF: { size: 4, get: (v, at, le) => jsonDouble(v.getFloat32(at, le)) },
  FD: { size: 8, get: (v, at, le) => jsonDouble(v.getFloat64(at, le)) },
  OD: { size: 8, get: (v, at, le) => jsonDouble(v.getFloat64(at, le)) },
  AT: {
    size: 4,
    get: (v, at, le) => `${hex4(v.getUint16(at, le))}${hex4(v.getUint16(at + 2, le))}`,
  },
};

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");
