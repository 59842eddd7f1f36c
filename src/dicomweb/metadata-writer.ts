// The WADO-RS metadata text of an instance written straight from its bytes in one pass: no
// element objects, no DICOM JSON objects to serialize after (metadata-json.ts's general way took
// 0.3 ms for the 3.5 KB header of an MR image, most of it building and walking objects). It
// covers the files viewers meet: a dataset in explicit VR little endian, in tag order, its text
// in a character set that leaves printable ASCII as it is. Anything else (implicit VR, UN, a
// repeated tag, DCMTK's own VRs, an empty item before others, a truncated file) gives undefined,
// and the general way writes it, the same answer by another road: the tests compare both.
import { type Encoding, type TextDecoding, textDecoding } from "../dicom/charsets.ts";
import { attributeValue, jsonDouble } from "../dicom/dicom-json-values.ts";
import { jsonTag } from "../dicom/dicom-json.ts";
import { datasetStart, type DicomDataset, type DicomElement } from "../dicom/parser.ts";
import { Tags } from "../dicom/tag.ts";
import { TransferSyntax } from "../dicom/uids.ts";
import { attributeText, quoted } from "./json.ts";

const UNDEFINED = 0xffffffff;
/** Files up to this size are decoded as text at once (a header cut in its pixel data is). */
const WHOLE_TEXT_BELOW = 64 * 1024;
/** Deeper items go the general way, which bounds the depth as the parser does. */
const MAX_DEPTH = 64;

/** How a VR's value is written here. */
const enum Kind {
  /** Text split on backslashes into strings (null for an empty one). */
  Text,
  /** Numbers written as text (DS, IS), and person names. */
  Decimal,
  Integer,
  Name,
  /** Written by the general code. */
  General,
  Unsigned16,
  Signed16,
  Unsigned32,
  Signed32,
  Float32,
  Float64,
  /** A bulk data URI. */
  Binary,
  Sequence,
  /** Left out, as Orthanc leaves out SV, UV and OV. */
  Omitted,
}

interface VrInfo {
  /** `"vr":"XX"}`, how every attribute of the VR ends. */
  tail: string;
  vr: string;
  long: boolean;
  kind: Kind;
}

const VR_KINDS: [string, Kind, boolean][] = [
  ["AE", Kind.Text, false],
  ["AS", Kind.Text, false],
  ["AT", Kind.General, false],
  ["CS", Kind.Text, false],
  ["DA", Kind.Text, false],
  ["DS", Kind.Decimal, false],
  ["DT", Kind.Text, false],
  ["FD", Kind.Float64, false],
  ["FL", Kind.Float32, false],
  ["IS", Kind.Integer, false],
  ["LO", Kind.Text, false],
  ["LT", Kind.Text, false],
  ["OB", Kind.Binary, true],
  ["OD", Kind.General, true],
  ["OF", Kind.General, true],
  ["OL", Kind.General, true],
  ["OV", Kind.Omitted, true],
  ["OW", Kind.Binary, true],
  ["PN", Kind.Name, false],
  ["SH", Kind.Text, false],
  ["SL", Kind.Signed32, false],
  ["SQ", Kind.Sequence, true],
  ["SS", Kind.Signed16, false],
  ["ST", Kind.Text, false],
  ["SV", Kind.Omitted, true],
  ["TM", Kind.Text, false],
  ["UC", Kind.Text, true],
  ["UI", Kind.Text, false],
  ["UL", Kind.Unsigned32, false],
  ["UR", Kind.Text, true],
  ["US", Kind.Unsigned16, false],
  ["UT", Kind.Text, true],
  ["UV", Kind.Omitted, true],
];

/** By the VR's two bytes (A-Z each); UN and unknown VRs are not there. */
const VRS: (VrInfo | undefined)[] = (() => {
  const table: (VrInfo | undefined)[] = new Array(26 * 26);
  for (const [vr, kind, long] of VR_KINDS) {
    const code = (vr.charCodeAt(0) - 0x41) * 26 + vr.charCodeAt(1) - 0x41;
    table[code] = { tail: `"vr":"${vr}"}`, vr, long, kind };
  }
  return table;
})();

function vrAt(bytes: Uint8Array, at: number): VrInfo | undefined {
  const a = bytes[at]!;
  const b = bytes[at + 1]!;
  if (a < 0x41 || a > 0x5a || b < 0x41 || b > 0x5a) return undefined;
  return VRS[(a - 0x41) * 26 + b - 0x41];
}

/** `"XXXXXXXX":{`, the start of an attribute, by tag (bounded against odd private tags). */
const keys = new Map<number, string>();
function keyOf(tag: number): string {
  let key = keys.get(tag);
  if (key === undefined) {
    key = `"${jsonTag(tag)}":{`;
    if (keys.size < 65_536) keys.set(tag, key);
  }
  return key;
}

/** The tag at `pos`, little endian: group, then element. */
function tagAt(bytes: Uint8Array, pos: number): number {
  return ((bytes[pos + 1]! << 24) | (bytes[pos]! << 16) | (bytes[pos + 3]! << 8) |
    bytes[pos + 2]!) >>>
    0;
}

const hex = (tag: number) => (tag >>> 0).toString(16).padStart(8, "0");

/** Printable ASCII: whether a character set decodes it unchanged, by SpecificCharacterSet value. */
const PRINTABLE = Uint8Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i);
const PRINTABLE_TEXT = String.fromCharCode(...PRINTABLE);

/** Decodings by SpecificCharacterSet value and fallback; undefined where text changes. */
const decodings = new Map<string, TextDecoding | undefined>();

/** The decoding of a character set, if it leaves plain text as it is (written as is then). */
function plainDecoding(value: string | undefined, fallback: Encoding): TextDecoding | undefined {
  const key = `${fallback}\0${value ?? "\0"}`;
  if (decodings.has(key)) return decodings.get(key);
  const decoding = textDecoding(value?.split("\\"), fallback);
  const plain = decoding.decode(PRINTABLE) === PRINTABLE_TEXT ? decoding : undefined;
  // Bounded: odd values must not grow it without end.
  if (decodings.size < 256) decodings.set(key, plain);
  return plain;
}

/** The general way must write this instance. */
class Unusual extends Error {}
const unusual = new Unusual();

class Writer {
  private readonly view: DataView;
  private readonly text: Buffer;
  /** The bytes as Latin-1 text, decoded at once where they are few (a header): values are slices. */
  private readonly whole?: string;
  /** For the general code's elements: the same bytes. */
  private readonly general: DicomDataset;
  private decoding?: TextDecoding;
  /** The pixel data of a cut file: where it was found. */
  pixelDataSeenAt = -1;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly cut: boolean,
    private readonly fallback: Encoding,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length <= WHOLE_TEXT_BELOW) this.whole = this.text.toString("latin1");
    this.general = {
      source: { bytes, view: this.view, littleEndian: true },
      elements: [],
      explicitVr: true,
    };
  }

  /** The attributes from `pos` to `end` (to an item delimiter when undefined), and where it stops. */
  dataset(pos: number, end: number | undefined, depth: number, bulk: string): [string[], number] {
    const { bytes, view } = this;
    const n = bytes.length;
    const limit = end ?? n;
    const parts: string[] = [];
    let last = -1;
    while (pos < limit) {
      if (pos + 8 > n) throw unusual;
      const tag = tagAt(bytes, pos);
      if (tag === Tags.ItemDelimitation) {
        if (end !== undefined) throw unusual;
        return [parts, pos + 8];
      }
      // Out of order, repeated, or a sequence delimiter that ends an item.
      if (tag <= last || tag === Tags.SequenceDelimitation) throw unusual;
      last = tag;
      const info = vrAt(bytes, pos + 4);
      // A sequence as a group length is left out by the general code, unread.
      if (info === undefined || (info.kind === Kind.Sequence && (tag & 0xffff) === 0)) {
        throw unusual;
      }
      let length: number;
      let at: number;
      if (info.long) {
        if (pos + 12 > n) throw unusual;
        length = view.getUint32(pos + 8, true);
        at = pos + 12;
      } else {
        length = bytes[pos + 6]! | (bytes[pos + 7]! << 8);
        at = pos + 8;
      }
      if (depth === 0 && this.decoding === undefined && tag >= Tags.SpecificCharacterSet) {
        this.decide(tag === Tags.SpecificCharacterSet ? this.latin1(at, at + length) : undefined);
      }
      if (tag === Tags.PixelData && depth === 0 && this.cut) {
        // A cut file ends in its pixel data, which must be the last element, its value absent.
        if (info.kind !== Kind.Binary) throw unusual;
        this.pixelDataSeenAt = pos;
        if (length !== UNDEFINED) parts.push(this.binary(tag, info, bulk));
        return [parts, n];
      }
      if (length === UNDEFINED) {
        if (info.kind === Kind.Sequence) {
          const [attribute, next] = this.sequence(tag, at, undefined, depth, bulk);
          if (attribute !== undefined) parts.push(attribute);
          pos = next;
        } else if (tag === Tags.PixelData) {
          // Encapsulated pixel data is left out.
          pos = this.skipFragments(at);
        } else {
          throw unusual;
        }
        continue;
      }
      const next = at + length;
      if (next > n) throw unusual;
      if (info.kind === Kind.Sequence) {
        const [attribute, after] = this.sequence(tag, at, next, depth, bulk);
        if (attribute !== undefined) parts.push(attribute);
        pos = after;
        continue;
      }
      // Group lengths are left out, at every depth.
      if ((tag & 0xffff) !== 0) {
        const attribute = this.leaf(tag, info, at, next, bulk);
        if (attribute !== undefined) parts.push(attribute);
      }
      pos = next;
    }
    if (end === undefined || pos > limit) throw unusual;
    return [parts, pos];
  }

  /** The items of a sequence, an item left empty skipped as Orthanc skips it. */
  private sequence(
    tag: number,
    pos: number,
    end: number | undefined,
    depth: number,
    bulk: string,
  ): [string | undefined, number] {
    if (depth >= MAX_DEPTH) throw unusual;
    const { bytes, view } = this;
    const n = bytes.length;
    const limit = end ?? n;
    const values: string[] = [];
    let count = 0;
    while (true) {
      if (pos >= limit) {
        if (end === undefined || pos > limit) throw unusual;
        break;
      }
      if (pos + 8 > n) throw unusual;
      const itemTag = tagAt(bytes, pos);
      const length = view.getUint32(pos + 4, true);
      pos += 8;
      if (itemTag === Tags.SequenceDelimitation) {
        if (end !== undefined) throw unusual;
        break;
      }
      if (itemTag !== Tags.Item) throw unusual;
      const prefix = `${bulk}${hex(tag)}/${count + 1}/`;
      let parts: string[];
      if (length === UNDEFINED) {
        [parts, pos] = this.dataset(pos, undefined, depth + 1, prefix);
      } else {
        if (pos + length > n) throw unusual;
        [parts] = this.dataset(pos, pos + length, depth + 1, prefix);
        pos += length;
      }
      if (parts.length > 0) {
        // An empty item before one with attributes: the general way fails as Orthanc does.
        if (values.length !== count) throw unusual;
        values.push(`{${parts.join(",")}}`);
      }
      count++;
    }
    if (count === 0) return [`${keyOf(tag)}"vr":"SQ"}`, pos];
    if (values.length === 0) return [undefined, pos];
    return [`${keyOf(tag)}"Value":[${values.join(",")}],"vr":"SQ"}`, pos];
  }

  private skipFragments(pos: number): number {
    const { bytes, view } = this;
    while (true) {
      if (pos + 8 > bytes.length) throw unusual;
      const tag = tagAt(bytes, pos);
      const length = view.getUint32(pos + 4, true);
      pos += 8;
      if (tag === Tags.SequenceDelimitation) return pos;
      if (tag !== Tags.Item || length === UNDEFINED || pos + length > bytes.length) throw unusual;
      pos += length;
    }
  }

  private leaf(
    tag: number,
    info: VrInfo,
    at: number,
    end: number,
    bulk: string,
  ): string | undefined {
    switch (info.kind) {
      case Kind.Text:
      case Kind.Decimal:
      case Kind.Integer:
      case Kind.Name:
        return this.textAttribute(tag, info, at, end);
      case Kind.General:
        return this.generalAttribute(tag, info, at, end);
      case Kind.Binary:
        return this.binary(tag, info, bulk);
      case Kind.Omitted:
        return undefined;
      default:
        return this.numbers(tag, info, at, end);
    }
  }

  /**
   * Plain text as DCMTK hands it over: trailing spaces (and a UID's NULs) removed, then cut at
   * the first NUL.
   */
  private textAttribute(tag: number, info: VrInfo, at: number, end: number): string | undefined {
    const { bytes } = this;
    const uid = info.vr === "UI";
    if (tag === Tags.SpecificCharacterSet || this.decoding === undefined) {
      return this.generalAttribute(tag, info, at, end);
    }
    const full = end;
    while (end > at && (bytes[end - 1] === 0x20 || (uid && bytes[end - 1] === 0))) end--;
    // Scanned by the engine's native string and regular expression code, faster than a loop over
    // the bytes before the worker's code is compiled (a viewer's first call).
    let text = this.latin1(at, end);
    // The value ends at a NUL (as padded by some writers).
    const nul = text.indexOf("\0");
    if (nul >= 0) text = text.slice(0, nul);
    // Controls, quotes, non-ASCII, and spaces inside a UID: the general code.
    if (!PLAIN_TEXT.test(text) || (uid && text.includes(" "))) {
      return this.generalAttribute(tag, info, at, full);
    }
    const key = keyOf(tag);
    if (text === "") return `${key}${info.tail}`;
    if (info.kind === Kind.Text && !text.includes("\\")) {
      return `${key}"Value":["${text}"],${info.tail}`;
    }
    const tokens = text.split("\\");
    const values: string[] = [];
    for (const token of tokens) {
      const value = tokenText(info.kind, token);
      if (value === SPECIAL) return this.generalAttribute(tag, info, at, full);
      if (value !== undefined) values.push(value);
    }
    return `${key}"Value":[${values.join(",")}],${info.tail}`;
  }

  /** What the general code writes for one leaf element. */
  private generalAttribute(tag: number, info: VrInfo, at: number, end: number): string | undefined {
    if (this.decoding === undefined) throw unusual;
    const element: DicomElement = {
      tag,
      vr: info.vr,
      start: at,
      offset: at,
      length: end - at,
      undefinedLength: false,
    };
    const value = attributeValue(this.general, element, this.decoding);
    if (value === undefined) return undefined;
    if (value.kind !== "list") throw unusual;
    const attribute = value.values === undefined
      ? { vr: value.vr }
      : { vr: value.vr, Value: value.values };
    return `${keyOf(tag)}${attributeText(attribute).slice(1)}`;
  }

  private numbers(tag: number, info: VrInfo, at: number, end: number): string {
    const { view } = this;
    const values: string[] = [];
    switch (info.kind) {
      case Kind.Unsigned16:
        for (let p = at; p + 2 <= end; p += 2) values.push(String(view.getUint16(p, true)));
        break;
      case Kind.Signed16:
        for (let p = at; p + 2 <= end; p += 2) values.push(String(view.getInt16(p, true)));
        break;
      case Kind.Unsigned32:
        for (let p = at; p + 4 <= end; p += 4) values.push(String(view.getUint32(p, true)));
        break;
      case Kind.Signed32:
        for (let p = at; p + 4 <= end; p += 4) values.push(String(view.getInt32(p, true)));
        break;
      case Kind.Float32:
        for (let p = at; p + 4 <= end; p += 4) values.push(number(view.getFloat32(p, true)));
        break;
      case Kind.Float64:
        for (let p = at; p + 8 <= end; p += 8) values.push(number(view.getFloat64(p, true)));
        break;
    }
    const key = keyOf(tag);
    if (values.length === 0) return `${key}${info.tail}`;
    return `${key}"Value":[${values.join(",")}],${info.tail}`;
  }

  private binary(tag: number, info: VrInfo, bulk: string): string {
    return `${keyOf(tag)}"BulkDataURI":${quoted(`${bulk}${hex(tag)}`)},${info.tail}`;
  }

  private latin1(at: number, end: number): string {
    return this.whole?.slice(at, end) ?? this.text.toString("latin1", at, end);
  }

  /** The text decoding, from the main dataset's SpecificCharacterSet (its raw value). */
  private decide(value: string | undefined): void {
    const decoding = plainDecoding(value, this.fallback);
    if (decoding === undefined) throw unusual;
    this.decoding = decoding;
  }
}

/** Printable ASCII but the quote: written between quotes as it is. */
const PLAIN_TEXT = /^[\x20\x21\x23-\x7e]*$/;

/** A token the general code writes (an infinity, a NaN, a number beyond 32 bits). */
const SPECIAL = "special";
const DECIMAL = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const INTEGER = /^[+-]?[0-9]{1,9}$/;
const DIGITS = /^[+-]?[0-9]+$/;

/**
 * One value of plain text (printable ASCII without quotes) as JSON: undefined for a number that
 * does not parse, which is dropped.
 */
function tokenText(kind: Kind, token: string): string | undefined {
  switch (kind) {
    case Kind.Decimal: {
      // The text is printable: its only white space is spaces.
      const text = token.trim();
      if (text === "") return "null";
      if (!DECIMAL.test(text)) return /[a-z]/i.test(text) ? SPECIAL : undefined;
      const n = Number(text);
      return Number.isFinite(n) ? number(n) : undefined;
    }
    case Kind.Integer: {
      const text = token.trim();
      if (text === "") return "null";
      if (INTEGER.test(text)) return String(Number(text));
      return DIGITS.test(text) ? SPECIAL : undefined;
    }
    case Kind.Name: {
      if (token === "") return "{}";
      const [alphabetic, ideographic, phonetic] = token.split("=");
      let name = `{"Alphabetic":"${alphabetic}"`;
      if (ideographic !== undefined) name += `,"Ideographic":"${ideographic}"`;
      if (phonetic !== undefined) name += `,"Phonetic":"${phonetic}"`;
      return `${name}}`;
    }
    default:
      return token === "" ? "null" : `"${token}"`;
  }
}

/** A number as the general code writes it (JSON's null for NaN and the infinities). */
function number(value: number): string {
  const n = jsonDouble(value);
  return Number.isFinite(n) ? String(n) : "null";
}

/**
 * The metadata text of a Part 10 file (cut in its pixel data at `pixelDataAt`, when given), its
 * bulk data URIs below `instanceUrl`; undefined where the general way must write it.
 */
export function writeMetadata(
  bytes: Uint8Array,
  pixelDataAt: number | undefined,
  fallback: Encoding,
  instanceUrl: string,
): string | undefined {
  try {
    const start = datasetStart(bytes);
    if (
      start === undefined || start.transferSyntax === TransferSyntax.ImplicitVrLittleEndian ||
      start.transferSyntax === TransferSyntax.ExplicitVrBigEndian ||
      start.transferSyntax === TransferSyntax.DeflatedExplicitVrLittleEndian
    ) {
      return undefined;
    }
    const writer = new Writer(bytes, pixelDataAt !== undefined, fallback);
    const [parts] = writer.dataset(start.at, bytes.length, 0, `${instanceUrl}/bulk/`);
    if (pixelDataAt !== undefined && writer.pixelDataSeenAt !== pixelDataAt) return undefined;
    return `{${parts.join(",")}}`;
  } catch {
    return undefined;
  }
}
