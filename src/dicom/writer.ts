// The one DICOM encoder: element and item headers in every uncompressed encoding, values padded
// to an even length by VR, sequences and items of defined or undefined length, the Part 10 file
// meta group with its group length. A dataset is written from a mix of new elements and
// elements copied byte for byte from a parsed file (their ranges in the original bytes), so
// that an edit re-encodes only what it changes.
import type { DicomDataset, DicomElement } from "./parser.ts";
import { type Tag, tagElement, tagGroup, Tags } from "./tag.ts";
import { TransferSyntax } from "./uids.ts";
import { isLongVr, paddingByte } from "./vr.ts";

export interface Encoding {
  explicitVr: boolean;
  littleEndian: boolean;
}

export const EXPLICIT_VR_LITTLE_ENDIAN: Encoding = { explicitVr: true, littleEndian: true };
const IMPLICIT_VR_LITTLE_ENDIAN: Encoding = { explicitVr: false, littleEndian: true };
const EXPLICIT_VR_BIG_ENDIAN: Encoding = { explicitVr: true, littleEndian: false };

/**
 * How a transfer syntax frames its dataset (a deflated one, before deflation): all but two are
 * explicit VR little endian.
 */
export function encodingOf(transferSyntax: string): Encoding {
  if (transferSyntax === TransferSyntax.ImplicitVrLittleEndian) return IMPLICIT_VR_LITTLE_ENDIAN;
  if (transferSyntax === TransferSyntax.ExplicitVrBigEndian) return EXPLICIT_VR_BIG_ENDIAN;
  return EXPLICIT_VR_LITTLE_ENDIAN;
}

const UNDEFINED_LENGTH = 0xffffffff;

/** A value longer than the 16-bit length of its VR's explicit header can hold. */
export class ValueTooLongError extends Error {}

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

/** The header of an element: in explicit VR its VR and a 16- or 32-bit length by VR. */
export function elementHeader(tag: Tag, vr: string, length: number, to: Encoding): Uint8Array {
  if (!to.explicitVr) return itemHeader(tag, length, to);
  const long = isLongVr(vr);
  if (!long && length > 0xffff) throw new ValueTooLongError(`Value too long for VR ${vr}`);
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

/** The header of an item or delimiter (and of any element in implicit VR): tag and 32-bit length. */
export function itemHeader(tag: Tag, length: number, to: Encoding): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, tagGroup(tag), to.littleEndian);
  view.setUint16(2, tagElement(tag), to.littleEndian);
  view.setUint32(4, length, to.littleEndian);
  return bytes;
}

/** The value padded to an even length with its VR's padding byte (PS3.5 7.1.1). */
export function padded(vr: string, value: Uint8Array): Uint8Array {
  if (value.length % 2 === 0) return value;
  const out = new Uint8Array(value.length + 1);
  out.set(value);
  out[value.length] = paddingByte(vr);
  return out;
}

/** An element written from its value (padded here; in the target's byte order already). */
export interface ValueElement {
  tag: Tag;
  vr: string;
  value: Uint8Array;
}

export interface SequenceElement {
  tag: Tag;
  items: ItemToWrite[];
  undefinedLength?: boolean;
}

export interface ItemToWrite {
  elements: ElementToWrite[];
  undefinedLength?: boolean;
}

/** An element copied as it is, header and value, from a file in the target's encoding. */
export interface CopiedElement {
  tag: Tag;
  copy: Uint8Array;
}

export type ElementToWrite = ValueElement | SequenceElement | CopiedElement;

/** An element of a parsed dataset, to be written back byte for byte. */
export function copiedElement(dataset: DicomDataset, element: DicomElement): CopiedElement {
  const end = element.offset + element.length;
  return { tag: element.tag, copy: dataset.source.bytes.subarray(element.start, end) };
}

/** The elements in the order given (a dataset's caller keeps them in ascending tag order). */
export function writeDataset(elements: readonly ElementToWrite[], to: Encoding): Output {
  const out = new Output();
  for (const element of elements) out.append(writeElement(element, to));
  return out;
}

export function writeElement(element: ElementToWrite, to: Encoding): Output {
  if ("copy" in element) {
    const out = new Output();
    out.push(element.copy);
    return out;
  }
  if ("items" in element) {
    const items = element.items.map((item) =>
      writeItem(writeDataset(item.elements, to), item.undefinedLength ?? false, to)
    );
    return writeSequence(element.tag, items, element.undefinedLength ?? false, to);
  }
  const value = padded(element.vr, element.value);
  const out = new Output();
  out.push(elementHeader(element.tag, element.vr, value.length, to));
  out.push(value);
  return out;
}

/** An item around its encoded body; one of undefined length ends with an item delimiter. */
export function writeItem(body: Output, undefinedLength: boolean, to: Encoding): Output {
  const out = new Output();
  out.push(itemHeader(Tags.Item, undefinedLength ? UNDEFINED_LENGTH : body.size, to));
  out.append(body);
  if (undefinedLength) out.push(itemHeader(Tags.ItemDelimitation, 0, to));
  return out;
}

/** A sequence of written items; one of undefined length ends with a sequence delimiter. */
export function writeSequence(
  tag: Tag,
  items: readonly Output[],
  undefinedLength: boolean,
  to: Encoding,
): Output {
  const body = new Output();
  for (const item of items) body.append(item);
  const out = new Output();
  out.push(elementHeader(tag, "SQ", undefinedLength ? UNDEFINED_LENGTH : body.size, to));
  out.append(body);
  if (undefinedLength) out.push(itemHeader(Tags.SequenceDelimitation, 0, to));
  return out;
}

/** A group length element (gggg,0000) counting `length` bytes. */
export function groupLengthElement(group: number, length: number, to: Encoding): Output {
  const value = new Uint8Array(4);
  new DataView(value.buffer).setUint32(0, length, to.littleEndian);
  const out = new Output();
  out.push(elementHeader((group << 16) >>> 0, "UL", 4, to));
  out.push(value);
  return out;
}

const DICM = new Uint8Array([0x44, 0x49, 0x43, 0x4d]);

/**
 * The start of a Part 10 file: the preamble (128 zero bytes unless given), "DICM", and the
 * file meta group in explicit VR little endian, its group length computed.
 */
export function writeFileMeta(
  elements: readonly ElementToWrite[],
  preamble: Uint8Array = new Uint8Array(128),
): Output {
  const body = writeDataset(elements, EXPLICIT_VR_LITTLE_ENDIAN);
  const out = new Output();
  out.push(preamble);
  out.push(DICM);
  out.append(groupLengthElement(0x0002, body.size, EXPLICIT_VR_LITTLE_ENDIAN));
  out.append(body);
  return out;
}
