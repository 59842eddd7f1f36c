// One element replaced in a DICOM file, every other byte kept: the new value is written by
// dicom/writer.ts in the file's encoding and spliced in where the old element lay (or where a
// new one belongs); a group length covering the element is adjusted.
import { lookupTag } from "../dicom/dictionary.ts";
import { latin1, parseDicom } from "../dicom/parser.ts";
import { makeTag, parseTagText, type Tag, tagElement, tagGroup } from "../dicom/tag.ts";
import { TransferSyntax } from "../dicom/uids.ts";
import { isTextVr } from "../dicom/vr.ts";
import { encodingOf, Output, ValueTooLongError, writeElement } from "../dicom/writer.ts";

export class DicomEditError extends Error {}

export function tagOf(tag: string | number): Tag {
  const parsed = typeof tag === "number" ? tag : parseTagText(tag);
  if (parsed === undefined || !Number.isInteger(parsed) || parsed < 0 || parsed > 0xffffffff) {
    throw new DicomEditError(`Bad tag: ${String(tag)}`);
  }
  return parsed >>> 0;
}

function encodeText(value: string, charset: string): Uint8Array {
  const below = (limit: number) => [...value].every((c) => c.charCodeAt(0) < limit);
  if (below(0x80)) return new TextEncoder().encode(value);
  if (charset === "ISO_IR 192") return new TextEncoder().encode(value);
  if ((charset === "" || charset === "ISO_IR 100") && below(0x100)) {
    return Uint8Array.from(value, (c) => c.charCodeAt(0));
  }
  throw new DicomEditError(
    `Cannot write "${value}" in the character set "${charset || "ISO_IR 6"}"`,
  );
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
  if (parsed.transferSyntax === TransferSyntax.DeflatedExplicitVrLittleEndian) {
    throw new DicomEditError("Deflated files cannot be edited in place");
  }
  const { dataset } = parsed;
  const { view, littleEndian } = dataset.source;
  const explicit = parsed.transferSyntax !== TransferSyntax.ImplicitVrLittleEndian;
  const charsetElement = dataset.elements.find((e) => e.tag === 0x00080005);
  const charset = charsetElement
    ? latin1(input.subarray(charsetElement.offset, charsetElement.offset + charsetElement.length))
      .replace(/[\0 ]+$/, "").split("\\")[0]!.trim().toUpperCase()
    : "";

  const existing = dataset.elements.find((e) => e.tag === tag);
  let start: number;
  let end: number;
  let vr: string;
  if (existing) {
    if (existing.items || existing.fragments || existing.undefinedLength) {
      throw new DicomEditError("Sequences and encapsulated data cannot be edited");
    }
    start = existing.start;
    end = existing.offset + existing.length;
    // The VR as written in the file (implicit files: the dictionary's).
    vr = explicit ? String.fromCharCode(input[start + 4]!, input[start + 5]!) : existing.vr;
  } else {
    vr = lookupTag(tag)?.vr ?? "UN";
    const next = dataset.elements.find((e) => e.tag > tag && e.tag !== 0xfffcfffc) ??
      dataset.elements.find((e) => e.tag === 0xfffcfffc);
    start = next ? next.start : input.length;
    end = start;
  }
  if (!isTextVr(vr)) throw new DicomEditError(`Elements of VR ${vr} cannot be edited as text`);
  let element: Output;
  try {
    element = writeElement(
      { tag, vr, value: encodeText(value, charset) },
      encodingOf(parsed.transferSyntax),
    );
  } catch (e) {
    if (e instanceof ValueTooLongError) throw new DicomEditError(e.message);
    throw e;
  }
  const out = new Output();
  out.push(input.subarray(0, start));
  out.append(element);
  out.push(input.subarray(end));
  const edited = out.bytes();

  // A group length element (gggg,0000) before the edit counts the bytes of its group.
  const groupLength = dataset.elements.find((e) => e.tag === makeTag(tagGroup(tag), 0));
  if (groupLength && groupLength.length === 4 && groupLength.offset < start) {
    const delta = element.size - (end - start);
    new DataView(edited.buffer).setUint32(
      groupLength.offset,
      view.getUint32(groupLength.offset, littleEndian) + delta,
      littleEndian,
    );
  }
  return edited;
}
