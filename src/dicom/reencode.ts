// Re-encodes a parsed dataset in another uncompressed encoding (VR explicitness, byte order).
// Values are copied from the original bytes, byte-swapped by VR when the byte order changes:
// only element headers, and the lengths that depend on them, are rebuilt.
import { type DicomDataset, type DicomElement, elementBytes, findElement } from "./parser.ts";
import { type Tag, tagElement, tagGroup } from "./tag.ts";
import { isKnownVr, isLongVr, swapUnit } from "./vr.ts";
import {
  elementHeader,
  type Encoding,
  groupLengthElement,
  Output,
  writeItem,
  writeSequence,
} from "./writer.ts";

/** A value that cannot be carried over faithfully: the caller gives up on the whole file. */
export class UnencodableError extends Error {}

const PIXEL_REPRESENTATION: Tag = 0x00280103;

/**
 * The "US or SS" attributes that hold pixel values: read in implicit VR, DCMTK makes them SS
 * when the dataset's Pixel Representation says the pixels are signed.
 */
const PIXEL_VALUE_TAGS: ReadonlySet<Tag> = new Set([
  0x00280106,
  0x00280107,
  0x00280108,
  0x00280109,
  0x00280110,
  0x00280111,
  0x00280120,
  0x00280121,
]);

/** Encodes the elements of a dataset; group lengths present in it are recomputed. */
export function reencodeDataset(dataset: DicomDataset, to: Encoding): Output {
  const encoded = dataset.elements.map((e) =>
    tagElement(e.tag) === 0 ? undefined : encodeElement(dataset, e, to)
  );
  const out = new Output();
  encoded.forEach((element, i) => {
    out.append(element ?? groupLength(dataset.elements, encoded, i, to));
  });
  return out;
}

function groupLength(
  elements: DicomElement[],
  encoded: (Output | undefined)[],
  index: number,
  to: Encoding,
): Output {
  const tag = elements[index]!.tag;
  let length = 0;
  for (let i = index + 1; i < elements.length; i++) {
    if (tagGroup(elements[i]!.tag) !== tagGroup(tag)) break;
    length += encoded[i]?.size ?? 0;
  }
  return groupLengthElement(tagGroup(tag), length, to);
}

function encodeElement(dataset: DicomDataset, element: DicomElement, to: Encoding): Output {
  if (element.fragments) throw new UnencodableError("encapsulated pixel data");
  if (element.items) {
    const items = element.items.map((item) =>
      writeItem(reencodeDataset(item, to), item.undefinedLength ?? false, to)
    );
    return writeSequence(element.tag, items, element.undefinedLength, to);
  }
  const vr = valueVr(dataset, element);
  const unit = dataset.source.littleEndian === to.littleEndian ? 1 : swapUnit(vr);
  const value = swapped(elementBytes(dataset, element), unit);
  // A value too long for a 16-bit length can only be written as UN, as DCMTK does; UN values are
  // never swapped, so a swapped one would be misread.
  const written = to.explicitVr && !isLongVr(vr) && value.length > 0xffff ? "UN" : vr;
  if (written !== vr && unit > 1) throw new UnencodableError("swapped value written as UN");
  const out = new Output();
  out.push(elementHeader(element.tag, written, value.length, to));
  out.push(value);
  return out;
}

/** The VR of an element's value; one read from the dictionary is settled as DCMTK does. */
function valueVr(dataset: DicomDataset, element: DicomElement): string {
  if (!isKnownVr(element.vr)) return "UN";
  if (dataset.explicitVr || element.vr !== "US" || !PIXEL_VALUE_TAGS.has(element.tag)) {
    return element.vr;
  }
  const representation = findElement(dataset, PIXEL_REPRESENTATION);
  if (representation?.length !== 2) return element.vr;
  const signed = dataset.source.view.getUint16(representation.offset, dataset.source.littleEndian);
  return signed === 1 ? "SS" : "US";
}

/** The bytes with each number of `unit` bytes reversed. */
function swapped(bytes: Uint8Array, unit: number): Uint8Array {
  if (unit === 1) return bytes;
  if (bytes.length % unit !== 0) throw new UnencodableError("a value not made of whole numbers");
  const out = new Uint8Array(bytes.length);
  for (let pos = 0; pos < bytes.length; pos += unit) {
    for (let i = 0; i < unit; i++) out[pos + i] = bytes[pos + unit - 1 - i]!;
  }
  return out;
}
