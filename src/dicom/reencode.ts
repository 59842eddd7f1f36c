// Re-encodes a parsed dataset in another uncompressed encoding (VR explicitness, byte order).
// Values are copied from the original bytes, byte-swapped by VR when the byte order changes:
// only element headers, and the lengths that depend on them, are rebuilt.
import {
  type DicomDataset,
  type DicomElement,
  elementBytes,
  findElement,
  isKnownVr,
  isLongVr,
} from "./parser.ts";
import { type Tag, tagElement, tagGroup, Tags } from "./tag.ts";

export interface Encoding {
  explicitVr: boolean;
  littleEndian: boolean;
}

/** A value that cannot be carried over faithfully: the caller gives up on the whole file. */
export class UnencodableError extends Error {}

/** Encoded bytes as a list of parts, so that values are copied only once, at the end. */
export class Output {
  readonly parts: Uint8Array[] = [];
  size = 0;

  push(part: Uint8Array): void {
    this.parts.push(part);
    this.size += part.length;
  }

  append(other: Output): void {
    for (const part of other.parts) this.push(part);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let pos = 0;
    for (const part of this.parts) {
      out.set(part, pos);
      pos += part.length;
    }
    return out;
  }
}

const UNDEFINED = 0xffffffff;
const PIXEL_REPRESENTATION: Tag = 0x00280103;

/** Byte width of the numbers a VR holds: the unit swapped when the byte order changes. */
const SWAP_UNITS: ReadonlyMap<string, number> = new Map([
  ["AT", 2],
  ["OW", 2],
  ["SS", 2],
  ["US", 2],
  ["FL", 4],
  ["OF", 4],
  ["OL", 4],
  ["SL", 4],
  ["UL", 4],
  ["FD", 8],
  ["OD", 8],
  ["OV", 8],
  ["SV", 8],
  ["UV", 8],
]);

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

/** The header of an element in the encoding. */
export function elementHeader(tag: Tag, vr: string, length: number, to: Encoding): Uint8Array {
  if (!to.explicitVr) return itemHeader(tag, length, to);
  const long = isLongVr(vr);
  const bytes = new Uint8Array(long ? 12 : 8);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, tagGroup(tag), to.littleEndian);
  view.setUint16(2, tagElement(tag), to.littleEndian);
  bytes[4] = vr.charCodeAt(0);
  bytes[5] = vr.charCodeAt(1);
  if (long) view.setUint32(8, length, to.littleEndian);
  else view.setUint16(6, length, to.littleEndian);
  return bytes;
}

/** The header of an item or delimiter: tag and 32-bit length, never a VR. */
function itemHeader(tag: Tag, length: number, to: Encoding): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, tagGroup(tag), to.littleEndian);
  view.setUint16(2, tagElement(tag), to.littleEndian);
  view.setUint32(4, length, to.littleEndian);
  return bytes;
}

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
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, length, to.littleEndian);
  const out = new Output();
  out.push(elementHeader(tag, "UL", 4, to));
  out.push(value);
  return out;
}

function encodeElement(dataset: DicomDataset, element: DicomElement, to: Encoding): Output {
  if (element.fragments) throw new UnencodableError("encapsulated pixel data");
  const out = new Output();
  if (element.items) {
    const body = new Output();
    for (const item of element.items) body.append(encodeItem(item, to));
    out.push(elementHeader(element.tag, "SQ", element.undefinedLength ? UNDEFINED : body.size, to));
    out.append(body);
    if (element.undefinedLength) out.push(itemHeader(Tags.SequenceDelimitation, 0, to));
    return out;
  }
  const vr = valueVr(dataset, element);
  const swapUnit = dataset.source.littleEndian === to.littleEndian ? 1 : SWAP_UNITS.get(vr) ?? 1;
  const value = swapped(elementBytes(dataset, element), swapUnit);
  // A value too long for a 16-bit length can only be written as UN, as DCMTK does; UN values are
  // never swapped, so a swapped one would be misread.
  const written = to.explicitVr && !isLongVr(vr) && value.length > 0xffff ? "UN" : vr;
  if (written !== vr && swapUnit > 1) throw new UnencodableError("swapped value written as UN");
  out.push(elementHeader(element.tag, written, value.length, to));
  out.push(value);
  return out;
}

function encodeItem(item: DicomDataset, to: Encoding): Output {
  const body = reencodeDataset(item, to);
  const out = new Output();
  out.push(itemHeader(Tags.Item, item.undefinedLength ? UNDEFINED : body.size, to));
  out.append(body);
  if (item.undefinedLength) out.push(itemHeader(Tags.ItemDelimitation, 0, to));
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
