// One element replaced in a DICOM file, every other byte kept: the new value is encoded with
// the header form the file already uses (or, for a new element, the transfer syntax's form)
// and spliced in; a group length covering the element is adjusted.
import { latin1, LONG_VRS, type ParsedDicom, parseDicom, TransferSyntax } from "../dicom/parser.ts";
import { lookupTag } from "../dicom/dictionary.ts";
import { makeTag, parseTagText, type Tag, tagElement, tagGroup } from "../dicom/tag.ts";

const TEXT_VRS = new Set([
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
  "UC",
  "UI",
  "UR",
  "UT",
]);

export class DicomEditError extends Error {}

export function tagOf(tag: string | number): Tag {
  const parsed = typeof tag === "number" ? tag : parseTagText(tag);
  if (parsed === undefined || !Number.isInteger(parsed) || parsed < 0 || parsed > 0xffffffff) {
    throw new DicomEditError(`Bad tag: ${String(tag)}`);
  }
  return parsed >>> 0;
}

/** Where the header of a top-level element starts, from the offset of its value. */
function headerLength(parsed: ParsedDicom, tag: Tag, valueOffset: number): number {
  if (parsed.transferSyntax === TransferSyntax.ImplicitLittle) return 8;
  const bytes = parsed.dataset.source.bytes;
  const at = valueOffset - 12;
  if (at < 0) return 8;
  const le = parsed.dataset.source.littleEndian;
  const view = parsed.dataset.source.view;
  const vr = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!);
  const sameTag = makeTag(view.getUint16(at, le), view.getUint16(at + 2, le)) === tag;
  return sameTag && LONG_VRS.has(vr) && bytes[at + 6] === 0 && bytes[at + 7] === 0 ? 12 : 8;
}

function encodeText(value: string, vr: string, charset: string): Uint8Array {
  let bytes: Uint8Array;
  const below = (limit: number) => [...value].every((c) => c.charCodeAt(0) < limit);
  if (below(0x80)) bytes = new TextEncoder().encode(value);
  else if (charset === "ISO_IR 192") bytes = new TextEncoder().encode(value);
  else if ((charset === "" || charset === "ISO_IR 100") && below(0x100)) {
    bytes = Uint8Array.from(value, (c) => c.charCodeAt(0));
  } else {
    throw new DicomEditError(
      `Cannot write "${value}" in the character set "${charset || "ISO_IR 6"}"`,
    );
  }
  if (bytes.length % 2 === 0) return bytes;
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  padded[bytes.length] = vr === "UI" ? 0 : 0x20;
  return padded;
}

function encodeHeader(
  tag: Tag,
  vr: string,
  length: number,
  form: { explicit: boolean; littleEndian: boolean; long: boolean },
): Uint8Array {
  const size = form.explicit && form.long ? 12 : 8;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const le = form.littleEndian;
  view.setUint16(0, tagGroup(tag), le);
  view.setUint16(2, tagElement(tag), le);
  if (!form.explicit) {
    view.setUint32(4, length, le);
  } else {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    if (form.long) view.setUint32(8, length, le);
    else {
      if (length > 0xffff) throw new DicomEditError(`Value too long for VR ${vr}`);
      view.setUint16(6, length, le);
    }
  }
  return out;
}

/** A copy of `input` where the top-level element `tag` holds `value` (added if missing). */
export function replaceElement(
  input: Uint8Array,
  tagText: string | number,
  value: string,
): Uint8Array {
  const tag = tagOf(tagText);
  if (tagGroup(tag) === 0x0002) throw new DicomEditError("The meta header cannot be edited");
  if (tagElement(tag) === 0) throw new DicomEditError("Group lengths cannot be edited");
  const parsed = parseDicom(input);
  if (parsed.transferSyntax === TransferSyntax.Deflated) {
    throw new DicomEditError("Deflated files cannot be edited in place");
  }
  const { dataset } = parsed;
  const { view, littleEndian } = dataset.source;
  const explicit = parsed.transferSyntax !== TransferSyntax.ImplicitLittle;
  const charsetElement = dataset.elements.find((e) => e.tag === 0x00080005);
  const charset = charsetElement
    ? latin1(input.subarray(charsetElement.offset, charsetElement.offset + charsetElement.length))
      .replace(/[\0 ]+$/, "").split("\\")[0]!.trim().toUpperCase()
    : "";

  const existing = dataset.elements.find((e) => e.tag === tag);
  let start: number;
  let end: number;
  let vr: string;
  let long: boolean;
  if (existing) {
    if (existing.items || existing.fragments || existing.undefinedLength) {
      throw new DicomEditError("Sequences and encapsulated data cannot be edited");
    }
    const header = headerLength(parsed, tag, existing.offset);
    start = existing.offset - header;
    end = existing.offset + existing.length;
    // The VR as written in the file (implicit files: the dictionary's).
    vr = explicit ? String.fromCharCode(input[start + 4]!, input[start + 5]!) : existing.vr;
    long = explicit && header === 12;
  } else {
    vr = lookupTag(tag)?.vr ?? "UN";
    long = LONG_VRS.has(vr);
    const next = dataset.elements.find((e) => e.tag > tag && e.tag !== 0xfffcfffc) ??
      dataset.elements.find((e) => e.tag === 0xfffcfffc);
    start = next ? next.offset - headerLength(parsed, next.tag, next.offset) : input.length;
    end = start;
  }
  if (!TEXT_VRS.has(vr)) throw new DicomEditError(`Elements of VR ${vr} cannot be edited as text`);
  const body = encodeText(value, vr, charset);
  const header = encodeHeader(tag, vr, body.length, { explicit, littleEndian, long });
  const out = new Uint8Array(input.length - (end - start) + header.length + body.length);
  out.set(input.subarray(0, start), 0);
  out.set(header, start);
  out.set(body, start + header.length);
  out.set(input.subarray(end), start + header.length + body.length);

  // A group length element (gggg,0000) before the edit counts the bytes of its group.
  const groupLength = dataset.elements.find((e) => e.tag === makeTag(tagGroup(tag), 0));
  if (groupLength && groupLength.length === 4 && groupLength.offset < start) {
    const delta = header.length + body.length - (end - start);
    const outView = new DataView(out.buffer);
    outView.setUint32(
      groupLength.offset,
      view.getUint32(groupLength.offset, littleEndian) + delta,
      littleEndian,
    );
  }
  return out;
}
