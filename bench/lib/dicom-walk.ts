// Just enough of a DICOM Part 10 reader to locate top-level elements of an
// explicit VR little endian file, so that values can be patched in place.

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

const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;
// PS3.5 7.1.2: these VRs carry two reserved bytes and a 32-bit length.
const LONG_VRS = new Set([
  "OB",
  "OD",
  "OF",
  "OL",
  "OV",
  "OW",
  "SQ",
  "SV",
  "UC",
  "UN",
  "UR",
  "UT",
  "UV",
]);

export function tagOf(group: number, element: number): number {
  return ((group << 16) | element) >>> 0;
}

export function tagName(tag: number): string {
  const hex = (n: number) => n.toString(16).padStart(4, "0").toUpperCase();
  return `(${hex(tag >>> 16)},${hex(tag & 0xffff)})`;
}

export function isLongVr(vr: string): boolean {
  return LONG_VRS.has(vr);
}

export function parsePart10(bytes: Uint8Array): ParsedFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 132 || new TextDecoder().decode(bytes.subarray(128, 132)) !== "DICM") {
    throw new Error("not a DICOM Part 10 file (no DICM prefix at offset 128)");
  }
  const reader = new Reader(bytes, view);
  const elements: ElementLocation[] = [];
  let offset = 132;
  // The meta group is always explicit VR little endian, whatever the data set uses.
  while (offset < bytes.length && view.getUint16(offset, true) === 0x0002) {
    const element = reader.header(offset);
    elements.push(element);
    offset = reader.skip(element);
  }
  const syntaxElement = elements.find((e) => e.tag === tagOf(0x0002, 0x0010));
  if (!syntaxElement) throw new Error("file meta has no TransferSyntaxUID (0002,0010)");
  const transferSyntax = elementText(bytes, syntaxElement);
  if (transferSyntax !== EXPLICIT_VR_LITTLE_ENDIAN) {
    throw new Error(`transfer syntax ${transferSyntax} is not explicit VR little endian`);
  }
  while (offset < bytes.length) {
    const element = reader.header(offset);
    elements.push(element);
    offset = reader.skip(element);
  }
  if (offset !== bytes.length) {
    throw new Error(`last element overruns the file by ${offset - bytes.length} bytes`);
  }
  return { elements, transferSyntax };
}

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
  ) {}

  header(offset: number): ElementLocation {
    const { view } = this;
    if (offset + 8 > this.bytes.length) {
      throw new Error(`truncated element header at offset ${offset}`);
    }
    const tag = tagOf(view.getUint16(offset, true), view.getUint16(offset + 2, true));
    // Item and delimiter tags have no VR, only a 32-bit length.
    if (tag >>> 16 === 0xfffe) {
      return {
        tag,
        vr: "",
        offset,
        headerLength: 8,
        valueOffset: offset + 8,
        valueLength: view.getUint32(offset + 4, true),
      };
    }
    const vr = String.fromCharCode(this.bytes[offset + 4]!, this.bytes[offset + 5]!);
    if (isLongVr(vr)) {
      const valueLength = view.getUint32(offset + 8, true);
      return { tag, vr, offset, headerLength: 12, valueOffset: offset + 12, valueLength };
    }
    if (!/^[A-Z]{2}$/.test(vr)) {
      throw new Error(`unreadable VR at ${tagName(tag)}, offset ${offset}`);
    }
    return {
      tag,
      vr,
      offset,
      headerLength: 8,
      valueOffset: offset + 8,
      valueLength: view.getUint16(offset + 6, true),
    };
  }

  /** Offset just past the element, walking undefined-length content to find its end. */
  skip(element: ElementLocation): number {
    if (element.valueLength !== UNDEFINED) {
      const end = element.valueOffset + element.valueLength;
      if (end > this.bytes.length) {
        throw new Error(`${tagName(element.tag)} runs past the end of the file`);
      }
      return end;
    }
    if (element.vr === "SQ") return this.skipItems(element.valueOffset, true);
    // Encapsulated pixel data: fragments are items of defined length.
    if (element.vr === "OB" || element.vr === "OW") {
      return this.skipItems(element.valueOffset, false);
    }
    throw new Error(
      `undefined length on ${element.vr} element ${tagName(element.tag)} is not supported`,
    );
  }

  private skipItems(offset: number, itemsAreDataSets: boolean): number {
    for (;;) {
      const item = this.header(offset);
      if (item.tag === SEQUENCE_END) return item.valueOffset;
      if (item.tag !== ITEM) {
        throw new Error(`expected an item at offset ${offset}, found ${tagName(item.tag)}`);
      }
      if (item.valueLength !== UNDEFINED) {
        offset = item.valueOffset + item.valueLength;
      } else if (itemsAreDataSets) {
        offset = this.skipDataSet(item.valueOffset);
      } else {
        throw new Error(`fragment of undefined length at offset ${offset}`);
      }
    }
  }

  /** Walks a nested data set of undefined length up to and past its item delimiter. */
  private skipDataSet(offset: number): number {
    for (;;) {
      const element = this.header(offset);
      if (element.tag === ITEM_END) return element.valueOffset;
      offset = this.skip(element);
    }
  }
}

/** A string value with its DICOM padding (trailing NUL or space) removed. */
export function elementText(bytes: Uint8Array, element: ElementLocation): string {
  const raw = bytes.subarray(element.valueOffset, element.valueOffset + element.valueLength);
  return new TextDecoder().decode(raw).replace(/[\0 ]+$/, "");
}
