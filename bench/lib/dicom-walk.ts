// Where the top-level elements of a Part 10 file lie, for patching values in place. A view of
// the project's parser (src/dicom/parser.ts) with header positions added.
import { type DicomElement, parseDicom } from "../../src/dicom/parser.ts";
import { isLongVr } from "../../src/dicom/vr.ts";

export { isLongVr };

export const EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";

/** Where one element sits in the file. */
export interface ElementLocation {
  /** (group << 16) | element */
  tag: number;
  vr: string;
  /** Offset of the tag; the header spans `headerLength` bytes from there. */
  offset: number;
  headerLength: number;
  valueOffset: number;
  /** 0xFFFFFFFF for undefined length. */
  valueLength: number;
}

export interface ParsedFile {
  /** Meta group (0002,xxxx) elements, then top-level data set elements, in file order. */
  elements: ElementLocation[];
  transferSyntax: string;
}

export function tagOf(group: number, element: number): number {
  return ((group << 16) | element) >>> 0;
}

export function tagName(tag: number): string {
  const hex = (n: number) => n.toString(16).padStart(4, "0").toUpperCase();
  return `(${hex(tag >>> 16)},${hex(tag & 0xffff)})`;
}

/** Explicit VR little endian only: the header length follows from the VR. */
export function parsePart10(bytes: Uint8Array): ParsedFile {
  const parsed = parseDicom(bytes);
  if (parsed.transferSyntax !== EXPLICIT_VR_LITTLE_ENDIAN) {
    throw new Error(`only ${EXPLICIT_VR_LITTLE_ENDIAN} is supported, not ${parsed.transferSyntax}`);
  }
  const locate = (e: DicomElement): ElementLocation => {
    const headerLength = isLongVr(e.vr) ? 12 : 8;
    return {
      tag: e.tag,
      vr: e.vr,
      offset: e.offset - headerLength,
      headerLength,
      valueOffset: e.offset,
      valueLength: e.undefinedLength ? 0xffffffff : e.length,
    };
  };
  return {
    elements: [...parsed.meta.elements, ...parsed.dataset.elements].map(locate),
    transferSyntax: parsed.transferSyntax,
  };
}

/** A string value with its DICOM padding (trailing NUL or space) removed. */
export function elementText(bytes: Uint8Array, element: ElementLocation): string {
  const raw = bytes.subarray(element.valueOffset, element.valueOffset + element.valueLength);
  return new TextDecoder().decode(raw).replace(/[\0 ]+$/, "");
}
