// A faithful DICOM reader: it walks the element headers and records where each value lies in
// the original bytes; values are decoded on demand (values.ts). Nothing is re-encoded.
import { inflateRawSync } from "node:zlib";
import { lookupTag } from "./dictionary.ts";
import { isPrivateGroup, type Tag, tagElement, tagGroup, Tags } from "./tag.ts";
import { TransferSyntax } from "./uids.ts";
import { explicitHeaderLength, isKnownVr, isLongVr, knownVr } from "./vr.ts";

export interface ByteSource {
  bytes: Uint8Array;
  view: DataView;
  littleEndian: boolean;
}

export interface Fragment {
  offset: number;
  length: number;
}

export interface DicomElement {
  tag: Tag;
  vr: string;
  /** Offset of the element's header (its tag) in `source.bytes`. */
  start: number;
  /** Offset of the value in `source.bytes`. */
  offset: number;
  /** Value length in bytes; for sequences and encapsulated data, the bytes they span. */
  length: number;
  /** True when the length was written as undefined (0xFFFFFFFF). */
  undefinedLength: boolean;
  items?: DicomDataset[];
  fragments?: Fragment[];
  /** Private creator that reserves this private element's block, if any. */
  privateCreator?: string;
  /** DCMTK's name for an ambiguous VR (ox, lt, xs, up) when the file carries one (`vr` is OB). */
  dcmtkVr?: string;
}

export interface DicomDataset {
  source: ByteSource;
  elements: DicomElement[];
  /** False when the dataset was encoded in implicit VR: its VRs then come from the dictionary. */
  explicitVr: boolean;
  /** For an item: its length was written as undefined (it ends with an item delimiter). */
  undefinedLength?: boolean;
}

export interface ParsedDicom {
  meta: DicomDataset;
  dataset: DicomDataset;
  transferSyntax: string;
  /** Offset of the main dataset in the file (the end of the meta header). */
  datasetOffset: number;
  /** A meta header without TransferSyntaxUID: `transferSyntax` is guessed from the dataset. */
  metaWithoutTransferSyntax?: true;
}

export class DicomParseError extends Error {}

const UNDEFINED = 0xffffffff;

/** A deflated dataset inflated, viewed in place: a copy would double its cost in memory. */
function inflated(deflated: Uint8Array): Uint8Array {
  const out = inflateRawSync(deflated);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

function sourceOf(bytes: Uint8Array, littleEndian: boolean): ByteSource {
  return {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    littleEndian,
  };
}

interface ReadContext {
  source: ByteSource;
  explicitVr: boolean;
  /** The bytes end inside the value of the main dataset's pixel data (parseDicomHeader). */
  cutInPixelData?: boolean;
}

/**
 * How deep items may nest. Real files stay within a few levels; without a bound, a file of
 * 20,000 nested sequences (a few hundred KB) overflows the stack of every walker of the dataset.
 */
const MAX_DEPTH = 256;

class Reader {
  constructor(private ctx: ReadContext, private readonly depth = 0) {}

  /** Reads elements from `pos` until `end` (or a delimiter when `end` is undefined). */
  readDataset(
    pos: number,
    end: number | undefined,
    inherited?: Map<number, string>,
  ): { dataset: DicomDataset; pos: number } {
    const { source, explicitVr } = this.ctx;
    const elements: DicomElement[] = [];
    // Of two elements with one tag DCMTK keeps the first: a repeated tag is read past and not
    // kept, so a run of identical elements (zero bytes read as (0000,0000) again and again)
    // costs no memory.
    // Tags mostly come in ascending order: one above all kept so far is new without a look-up,
    // and the set of kept tags is built only for a file that goes back.
    let highest = -1;
    let kept: Set<Tag> | undefined;
    const isKept = (tag: Tag): boolean => {
      if (tag > highest) return false;
      kept ??= new Set(elements.map((e) => e.tag));
      return kept.has(tag);
    };
    // Items see the private creators of their enclosing datasets, as DCMTK resolves them.
    const creators = new Map<number, string>(inherited);
    const limit = end ?? source.bytes.length;
    while (pos < limit) {
      if (pos + 8 > source.bytes.length) throw new DicomParseError("truncated element header");
      const tag = this.readTag(pos);
      if (tag === Tags.ItemDelimitation) {
        if (end !== undefined) throw new DicomParseError("unexpected item delimiter");
        return { dataset: { source, elements: inTagOrder(elements), explicitVr }, pos: pos + 8 };
      }
      if (tag === Tags.SequenceDelimitation && end === undefined) {
        return { dataset: { source, elements: inTagOrder(elements), explicitVr }, pos };
      }
      const repeated = isKept(tag);
      if (repeated) {
        const next = this.skipDefinedLength(pos);
        if (next !== undefined) {
          pos = next;
          continue;
        }
      }
      const element = this.readElement(pos, tag, creators);
      if (!repeated) {
        elements.push(element.element);
        kept?.add(tag);
        if (tag > highest) highest = tag;
      }
      pos = element.next;
    }
    if (end === undefined && pos >= source.bytes.length) {
      throw new DicomParseError("missing item delimiter");
    }
    if (pos > limit) throw new DicomParseError("element overruns its container");
    return { dataset: { source, elements: inTagOrder(elements), explicitVr }, pos };
  }

  /**
   * Where an element of defined length ends, reading its header only (no object is built), or
   * undefined for one of undefined length, which readElement walks.
   */
  private skipDefinedLength(pos: number): number | undefined {
    const { view, littleEndian, bytes } = this.ctx.source;
    let header = 8;
    let length: number;
    if (!this.ctx.explicitVr) length = view.getUint32(pos + 4, littleEndian);
    else {
      header = explicitHeaderLength(bytes[pos + 4]!, bytes[pos + 5]!);
      if (pos + header > bytes.length) return undefined;
      length = header === 12
        ? view.getUint32(pos + 8, littleEndian)
        : view.getUint16(pos + 6, littleEndian);
    }
    if (length === UNDEFINED || pos + header + length > bytes.length) return undefined;
    return pos + header + length;
  }

  private readTag(pos: number): Tag {
    const { view, littleEndian } = this.ctx.source;
    // One 32-bit read: little endian puts the element in its high half, big endian the group.
    const word = view.getUint32(pos, littleEndian);
    return littleEndian ? ((word << 16) | (word >>> 16)) >>> 0 : word;
  }

  private readElement(
    start: number,
    tag: Tag,
    creators: Map<number, string>,
  ): { element: DicomElement; next: number } {
    const { source, explicitVr } = this.ctx;
    const { view, littleEndian, bytes } = source;
    let vr: string;
    let dcmtkVr: string | undefined;
    let length: number;
    let pos = start + 4;
    const privateCreator = isPrivateGroup(tag) && tagElement(tag) > 0xff
      ? creators.get(tagGroup(tag) * 256 + (tagElement(tag) >> 8))
      : undefined;
    const known = explicitVr ? knownVr(bytes[pos]!, bytes[pos + 1]!) : undefined;
    if (known) {
      vr = known.vr;
      if (known.longLength) {
        if (pos + 8 > bytes.length) throw new DicomParseError("truncated element header");
        length = view.getUint32(pos + 4, littleEndian);
        pos += 8;
      } else {
        length = view.getUint16(pos + 2, littleEndian);
        pos += 4;
      }
    } else if (explicitVr) {
      vr = String.fromCharCode(bytes[pos]!, bytes[pos + 1]!);
      const internal = DCMTK_INTERNAL_VRS.get(vr);
      if (internal) {
        const { long } = internal;
        if (pos + (long ? 8 : 4) > bytes.length) {
          throw new DicomParseError("truncated element header");
        }
        length = long
          ? view.getUint32(pos + 4, littleEndian)
          : view.getUint16(pos + 2, littleEndian);
        pos += long ? 8 : 4;
        dcmtkVr = vr;
        vr = "OB";
      } else {
        // DCMTK reads a VR it does not know as a future one (two upper-case letters: reserved
        // bytes and a 32-bit length, PS3.5 7.1.2) or else with a 16-bit length, and Orthanc
        // shows its value as null: held as opaque bytes.
        const future = /^[A-Z]{2}$/.test(vr);
        if (pos + (future ? 8 : 4) > bytes.length) {
          throw new DicomParseError("truncated element header");
        }
        length = future
          ? view.getUint32(pos + 4, littleEndian)
          : view.getUint16(pos + 2, littleEndian);
        pos += future ? 8 : 4;
        vr = "OB";
      }
    } else {
      length = view.getUint32(pos, littleEndian);
      pos += 4;
      vr = implicitVr(tag, privateCreator, length);
    }
    const undefinedLength = length === UNDEFINED;
    const element: DicomElement = { tag, vr, start, offset: pos, length, undefinedLength };
    if (privateCreator !== undefined) element.privateCreator = privateCreator;
    if (dcmtkVr !== undefined) element.dcmtkVr = dcmtkVr;

    if (tag === Tags.PixelData && this.ctx.cutInPixelData && this.depth === 0) {
      // Its value is not there: recorded as declared, its fragments unknown.
      if (undefinedLength) element.fragments = [];
      if (undefinedLength || pos + length > bytes.length) {
        return { element, next: bytes.length };
      }
    }
    if (tag === Tags.PixelData && undefinedLength) {
      const { fragments, next } = this.readFragments(pos);
      element.fragments = fragments;
      element.length = next - pos;
      return { element, next };
    }
    if (vr === "SQ" || (undefinedLength && vr === "UN")) {
      // An undefined-length UN is a sequence encoded in implicit VR little endian (PS3.5 6.2.2).
      const reader = vr === "UN" && undefinedLength
        ? new Reader({
          source: this.ctx.source.littleEndian ? source : sourceOf(bytes, true),
          explicitVr: false,
        }, this.depth)
        : this;
      const { items, next } = reader.readItems(
        pos,
        undefinedLength ? undefined : pos + length,
        creators,
      );
      element.vr = "SQ";
      element.items = items;
      element.length = next - pos;
      return { element, next };
    }
    if (undefinedLength) throw new DicomParseError("undefined length on a non-sequence element");
    if (pos + length > bytes.length) throw new DicomParseError("truncated element value");
    if (isPrivateGroup(tag) && tagElement(tag) >= 0x10 && tagElement(tag) <= 0xff) {
      const creator = latin1(bytes.subarray(pos, pos + length)).replace(/[\s\0]+$/, "").replace(
        /^\s+/,
        "",
      );
      creators.set(tagGroup(tag) * 256 + tagElement(tag), creator);
    }
    return { element, next: pos + length };
  }

  private readItems(
    pos: number,
    end: number | undefined,
    creators: Map<number, string>,
  ): { items: DicomDataset[]; next: number } {
    const { source } = this.ctx;
    if (this.depth >= MAX_DEPTH) throw new DicomParseError("sequences nested too deeply");
    const inner = new Reader(this.ctx, this.depth + 1);
    const items: DicomDataset[] = [];
    const limit = end ?? source.bytes.length;
    while (pos < limit) {
      if (pos + 8 > source.bytes.length) throw new DicomParseError("truncated sequence");
      const tag = this.readTag(pos);
      const length = source.view.getUint32(pos + 4, source.littleEndian);
      if (tag === Tags.SequenceDelimitation) {
        if (end !== undefined) throw new DicomParseError("unexpected sequence delimiter");
        return { items, next: pos + 8 };
      }
      if (tag !== Tags.Item) throw new DicomParseError("expected an item in a sequence");
      pos += 8;
      if (length === UNDEFINED) {
        const r = inner.readDataset(pos, undefined, creators);
        items.push({ ...r.dataset, undefinedLength: true });
        pos = r.pos;
      } else {
        if (pos + length > source.bytes.length) throw new DicomParseError("truncated item");
        const r = inner.readDataset(pos, pos + length, creators);
        items.push(r.dataset);
        pos = pos + length;
      }
    }
    if (end === undefined) throw new DicomParseError("missing sequence delimiter");
    return { items, next: pos };
  }

  private readFragments(pos: number): { fragments: Fragment[]; next: number } {
    const { source } = this.ctx;
    const fragments: Fragment[] = [];
    while (true) {
      if (pos + 8 > source.bytes.length) throw new DicomParseError("truncated pixel data");
      const tag = this.readTag(pos);
      const length = source.view.getUint32(pos + 4, source.littleEndian);
      pos += 8;
      if (tag === Tags.SequenceDelimitation) return { fragments, next: pos };
      if (tag !== Tags.Item || length === UNDEFINED || pos + length > source.bytes.length) {
        throw new DicomParseError("malformed pixel data fragment");
      }
      fragments.push({ offset: pos, length });
      pos += length;
    }
  }
}

/**
 * DCMTK also reads the names it uses for ambiguous VRs when a file carries them ("ox": OB or OW,
 * "lt": OW, "xs": US or SS, "up": UL), with the header of the VR they stand for; Orthanc shows
 * their values as null, so they are held as opaque bytes.
 */
const DCMTK_INTERNAL_VRS: ReadonlyMap<string, { long: boolean }> = new Map([
  ["ox", { long: true }],
  ["lt", { long: true }],
  ["xs", { long: false }],
  ["up", { long: false }],
]);

/**
 * The elements as DCMTK holds a dataset: in ascending tag order, and of two elements with one tag
 * only the first (it ignores the second with a warning). Their bytes stay where they are.
 */
function inTagOrder(elements: DicomElement[]): DicomElement[] {
  if (elements.every((e, i) => i === 0 || elements[i - 1]!.tag < e.tag)) return elements;
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  return sorted.filter((e, i) => i === 0 || sorted[i - 1]!.tag !== e.tag);
}

function implicitVr(tag: Tag, privateCreator: string | undefined, length: number): string {
  if (tagElement(tag) === 0) return "UL";
  const entry = lookupTag(tag, privateCreator);
  if (entry) return entry.vr;
  return length === UNDEFINED ? "SQ" : "UN";
}

export function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

export function hasPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 &&
    bytes[131] === 0x4d;
}

interface MetaHeader {
  meta: DicomDataset;
  transferSyntax: string;
  /** Whether the meta header names the transfer syntax (else it is guessed from the dataset). */
  declared: boolean;
  /** Where the dataset begins. */
  end: number;
}

/** The meta header of a Part 10 file, or undefined for a dataset with none. */
function readMetaHeader(input: Uint8Array): MetaHeader | undefined {
  const fileSource = sourceOf(input, true);
  const pos = hasPreamble(input) ? 132 : 0;
  if (pos === 0 && !(input.length >= 8 && input[0] === 0x02 && input[1] === 0x00)) {
    return undefined;
  }
  const end = findMetaEnd(fileSource, pos);
  const meta = new Reader({ source: fileSource, explicitVr: true }).readDataset(pos, end).dataset;
  const tsElement = meta.elements.find((e) => e.tag === Tags.TransferSyntaxUid);
  // Without one, DCMTK guesses the encoding from the dataset, as for a file with no meta header.
  const transferSyntax = tsElement
    ? latin1(input.subarray(tsElement.offset, tsElement.offset + tsElement.length))
      .replace(/[\0 ]+$/, "")
    : syntaxOf(guessEncoding(fileSource.view, end));
  return { meta, transferSyntax, declared: tsElement !== undefined, end };
}

/**
 * Where the dataset of a Part 10 file begins and its transfer syntax as its meta header names
 * it; undefined for a file without one, or whose header does not name the syntax.
 */
export function datasetStart(
  input: Uint8Array,
): { at: number; transferSyntax: string } | undefined {
  const header = readMetaHeader(input);
  return header?.declared ? { at: header.end, transferSyntax: header.transferSyntax } : undefined;
}

/** The deflated bytes of a file in the deflated transfer syntax, else undefined. */
export function deflatedDatasetOf(input: Uint8Array): Uint8Array | undefined {
  let header: MetaHeader | undefined;
  try {
    header = readMetaHeader(input);
  } catch {
    return undefined;
  }
  return header?.transferSyntax === TransferSyntax.DeflatedExplicitVrLittleEndian
    ? input.subarray(header.end)
    : undefined;
}

/**
 * Parses a DICOM Part 10 file (with or without preamble). Throws DicomParseError. A file of the
 * deflated transfer syntax is inflated here, unless its dataset comes already inflated
 * (inflate.ts, which costs less memory).
 */
export function parseDicom(input: Uint8Array, inflatedDataset?: Uint8Array): ParsedDicom {
  return parseFile(input, inflatedDataset, false);
}

/**
 * Parses the start of a file that ends inside the value of its pixel data (a file read up to
 * the pixel data's element header): the pixel data element is there, its length as written,
 * and encapsulated pixel data has no fragments. Its value must not be read.
 */
export function parseDicomHeader(input: Uint8Array): ParsedDicom {
  return parseFile(input, undefined, true);
}

function parseFile(
  input: Uint8Array,
  inflatedDataset: Uint8Array | undefined,
  cutInPixelData: boolean,
): ParsedDicom {
  const header = readMetaHeader(input);
  if (!header) return parseBareDataset(input);
  const { meta, transferSyntax } = header;
  const fileSource = meta.source;
  const pos = header.end;

  let source = fileSource;
  let datasetStart = pos;
  if (transferSyntax === TransferSyntax.DeflatedExplicitVrLittleEndian) {
    try {
      source = sourceOf(inflatedDataset ?? inflated(input.subarray(pos)), true);
    } catch {
      throw new DicomParseError("cannot inflate a deflated dataset");
    }
    datasetStart = 0;
  } else if (transferSyntax === TransferSyntax.ExplicitVrBigEndian) {
    source = sourceOf(input, false);
  }
  const explicitVr = transferSyntax !== TransferSyntax.ImplicitVrLittleEndian;
  const dataset = new Reader({ source, explicitVr, cutInPixelData }).readDataset(
    datasetStart,
    source.bytes.length,
  ).dataset;
  const parsed: ParsedDicom = { meta, dataset, transferSyntax, datasetOffset: pos };
  if (!header.declared) parsed.metaWithoutTransferSyntax = true;
  return parsed;
}

/**
 * A bare dataset received in a known transfer syntax (a DIMSE identifier): read whole, group
 * 0002 elements included, which a meta header in front of it would have absorbed.
 */
export function parseDataset(bytes: Uint8Array, transferSyntax: string): DicomDataset {
  let source = sourceOf(bytes, transferSyntax !== TransferSyntax.ExplicitVrBigEndian);
  if (transferSyntax === TransferSyntax.DeflatedExplicitVrLittleEndian) {
    try {
      source = sourceOf(inflated(bytes), true);
    } catch {
      throw new DicomParseError("cannot inflate a deflated dataset");
    }
  }
  const explicitVr = transferSyntax !== TransferSyntax.ImplicitVrLittleEndian;
  return new Reader({ source, explicitVr }).readDataset(0, source.bytes.length).dataset;
}

/**
 * DCMTK also reads a dataset with no meta header, guessing its encoding from the first element
 * (guessEncoding). To tell such a dataset from arbitrary bytes, it must start with a plausible
 * group and contain a SOP instance.
 */
function parseBareDataset(input: Uint8Array): ParsedDicom {
  const { explicitVr, littleEndian } = guessEncoding(sourceOf(input, true).view, 0);
  const source = sourceOf(input, littleEndian);
  const group = input.length >= 8 ? source.view.getUint16(0, littleEndian) : 1;
  if (group > 0x0008 || group % 2 !== 0) throw new DicomParseError("not a DICOM file");
  const dataset = new Reader({ source, explicitVr }).readDataset(0, input.length).dataset;
  const meta: DicomDataset = { source, elements: [], explicitVr: true };
  return {
    meta,
    dataset,
    transferSyntax: syntaxOf({ explicitVr, littleEndian }),
    datasetOffset: 0,
  };
}

interface Encoding {
  explicitVr: boolean;
  littleEndian: boolean;
}

/**
 * The encoding of a dataset that does not say it, as DCMTK guesses it from the first element:
 * explicit VR when a known VR follows the tag, and the byte order that makes the first group the
 * smaller number (datasets begin with low groups: 0008 reads 0x0800 in the wrong order).
 */
function guessEncoding(view: DataView, pos: number): Encoding {
  if (pos + 6 > view.byteLength) return { explicitVr: false, littleEndian: true };
  const explicitVr = isKnownVr(String.fromCharCode(view.getUint8(pos + 4), view.getUint8(pos + 5)));
  return { explicitVr, littleEndian: view.getUint16(pos, true) <= view.getUint16(pos, false) };
}

function syntaxOf({ explicitVr, littleEndian }: Encoding): string {
  if (!littleEndian) return TransferSyntax.ExplicitVrBigEndian;
  return explicitVr ? TransferSyntax.ExplicitVrLittleEndian : TransferSyntax.ImplicitVrLittleEndian;
}

/** The meta group ends where group 0002 ends; its group length is trusted only if consistent. */
function findMetaEnd(source: ByteSource, start: number): number {
  const { view, bytes } = source;
  let pos = start;
  while (pos + 8 <= bytes.length && view.getUint16(pos, true) === 0x0002) {
    const vr = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!);
    if (isLongVr(vr)) {
      if (pos + 12 > bytes.length) throw new DicomParseError("truncated meta header");
      pos += 12 + view.getUint32(pos + 8, true);
    } else {
      pos += 8 + view.getUint16(pos + 6, true);
    }
  }
  if (pos === start || pos > bytes.length) throw new DicomParseError("invalid meta header");
  // Like DCMTK, trust (0002,0000) when it reaches further: elements it covers belong to the header.
  if (
    view.getUint32(start, true) === 0x00000002 && bytes[start + 4] === 0x55 &&
    bytes[start + 5] === 0x4c
  ) {
    const declared = start + 12 + view.getUint32(start + 8, true);
    if (declared > pos && declared <= bytes.length) return declared;
  }
  return pos;
}

export function findElement(dataset: DicomDataset, tag: Tag): DicomElement | undefined {
  // Elements are in ascending tag order in valid files; a linear scan keeps odd files working.
  for (const e of dataset.elements) if (e.tag === tag) return e;
  return undefined;
}

export function elementBytes(dataset: DicomDataset, element: DicomElement): Uint8Array {
  return dataset.source.bytes.subarray(element.offset, element.offset + element.length);
}
