// The bytes of DIMSE exchanges: the Part 10 wrapper around a received dataset (meta header
// only; the dataset bytes are kept as they arrived), and a small writer for the identifiers
// Pharos builds itself (C-FIND answers and queries, C-MOVE/C-GET identifiers).
import { lookupTag } from "../dicom/dictionary.ts";
import { type DicomDataset, LONG_VRS, parseDicom, TransferSyntax } from "../dicom/parser.ts";
import { type Tag, tagElement, tagGroup } from "../dicom/tag.ts";

// A UUID-derived UID (PS3.5 B.2): Pharos owns no registered root.
export const PHAROS_IMPLEMENTATION_UID = "2.25.188956742270301179477131008468806802306";
export const PHAROS_IMPLEMENTATION_VERSION = "PHAROS_010";

export interface Element {
  tag: Tag;
  vr: string;
  value: Uint8Array;
}

const textEncoder = new TextEncoder();

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Pads a value to an even length as its VR requires (UIDs with NUL, text with spaces). */
export function padded(vr: string, value: Uint8Array): Uint8Array {
  if (value.length % 2 === 0) return value;
  const out = new Uint8Array(value.length + 1);
  out.set(value);
  out[value.length] = vr === "UI" || vr === "OB" || vr === "UN" ? 0 : 0x20;
  return out;
}

export function textElement(tag: Tag, vr: string, text: string, utf8 = false): Element {
  return { tag, vr, value: padded(vr, utf8 ? textEncoder.encode(text) : ascii(text)) };
}

/** Encodes the elements (sorted by tag) in implicit or explicit VR little endian. */
export function encodeDataset(elements: Element[], transferSyntax: string): Uint8Array {
  const explicit = transferSyntax !== TransferSyntax.ImplicitLittle;
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const e of sorted) {
    const value = padded(e.vr, e.value);
    const long = LONG_VRS.has(e.vr);
    const header = new Uint8Array(explicit ? (long ? 12 : 8) : 8);
    const view = new DataView(header.buffer);
    view.setUint16(0, tagGroup(e.tag), true);
    view.setUint16(2, tagElement(e.tag), true);
    if (!explicit) view.setUint32(4, value.length, true);
    else {
      header[4] = e.vr.charCodeAt(0);
      header[5] = e.vr.charCodeAt(1);
      if (long) view.setUint32(8, value.length, true);
      else view.setUint16(6, value.length, true);
    }
    parts.push(header, value);
    total += header.length + value.length;
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** The File Meta Information group (with preamble) for a dataset received over DIMSE. */
export function metaHeader(
  sopClassUid: string,
  sopInstanceUid: string,
  transferSyntax: string,
  sourceAet?: string,
): Uint8Array {
  const elements: Element[] = [
    { tag: 0x00020001, vr: "OB", value: new Uint8Array([0, 1]) },
    textElement(0x00020002, "UI", sopClassUid),
    textElement(0x00020003, "UI", sopInstanceUid),
    textElement(0x00020010, "UI", transferSyntax),
    textElement(0x00020012, "UI", PHAROS_IMPLEMENTATION_UID),
    textElement(0x00020013, "SH", PHAROS_IMPLEMENTATION_VERSION),
  ];
  if (sourceAet) elements.push(textElement(0x00020016, "AE", sourceAet));
  const body = encodeDataset(elements, TransferSyntax.ExplicitLittle);
  const out = new Uint8Array(128 + 4 + 12 + body.length);
  out.set(ascii("DICM"), 128);
  const view = new DataView(out.buffer);
  view.setUint16(132, 0x0002, true);
  view.setUint16(134, 0x0000, true);
  out[136] = 0x55; // "UL"
  out[137] = 0x4c;
  view.setUint16(138, 4, true);
  view.setUint32(140, body.length, true);
  out.set(body, 144);
  return out;
}

/** A Part 10 file: the meta header followed by the dataset bytes, unchanged. */
export function part10(
  dataset: Uint8Array[] | Uint8Array,
  sopClassUid: string,
  sopInstanceUid: string,
  transferSyntax: string,
  sourceAet?: string,
): Uint8Array {
  const chunks = Array.isArray(dataset) ? dataset : [dataset];
  const meta = metaHeader(sopClassUid, sopInstanceUid, transferSyntax, sourceAet);
  let size = meta.length;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  out.set(meta);
  let pos = meta.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

/** Parses a bare dataset (an identifier) received in a transfer syntax. */
export function parseIdentifier(bytes: Uint8Array, transferSyntax: string): DicomDataset {
  const file = part10(bytes, "1.2.840.10008.1.1", "1.2.3", transferSyntax);
  return parseDicom(file).dataset;
}

/** The VR of a tag for an identifier: the dictionary's, else UN (LO for private creators). */
export function vrOf(tag: Tag): string {
  if (tagGroup(tag) % 2 === 1 && tagElement(tag) >= 0x10 && tagElement(tag) <= 0xff) return "LO";
  const vr = lookupTag(tag)?.vr;
  if (!vr || vr.length !== 2 || vr.includes("/")) return "UN";
  return vr === "OX" ? "OW" : vr;
}

/** A US element (one value). */
export function usElement(tag: Tag, value: number): Element {
  return { tag, vr: "US", value: new Uint8Array([value & 0xff, (value >> 8) & 0xff]) };
}

/** A sequence of explicit-length items, each encoded in the transfer syntax. */
export function sequenceElement(tag: Tag, items: Element[][], transferSyntax: string): Element {
  const parts: Uint8Array[] = [];
  for (const item of items) {
    const body = encodeDataset(item, transferSyntax);
    const header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    view.setUint16(0, 0xfffe, true);
    view.setUint16(2, 0xe000, true);
    view.setUint32(4, body.length, true);
    parts.push(header, body);
  }
  return { tag, vr: "SQ", value: new Uint8Array(Bun.concatArrayBuffers(parts)) };
}
