// Small DICOM images built in the tests, for pixel layouts the samples lack (YBR_FULL, MONOCHROME1,
// narrow 8-bit ranges, 1-bit DICOM SEG, Elscint's PMSCT_RLE1, multi-fragment frames…). Every file
// gets its own UIDs from `name`, so that several can be stored side by side.
import {
  type Element,
  encodeDataset,
  part10,
  textElement,
  usElement,
} from "../../src/dimse/codec.ts";
import { TransferSyntax } from "../../src/dicom/uids.ts";

export interface SyntheticImage {
  /** Makes the UIDs and the patient unique. */
  name: string;
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored?: number;
  highBit?: number;
  signed?: boolean;
  samplesPerPixel?: number;
  photometric: string;
  planar?: boolean;
  frames?: number;
  sopClass?: string;
  transferSyntax?: string;
  /** Native pixel data, written as OB (8 bits or less) or OW. */
  pixels?: Uint8Array;
  /** Encapsulated pixel data: the basic offset table, then the fragments. */
  fragments?: { table: Uint8Array; items: Uint8Array[] };
  /** More elements (private tags, rescale…). */
  extra?: Element[];
}

const root = "1.2.826.0.1.3680043.10.1338.7";

function uid(name: string, level: number): string {
  let hash = 7;
  for (const c of name) hash = (hash * 31 + c.charCodeAt(0)) % 1_000_000_007;
  return `${root}.${hash}.${level}`;
}

function le32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** Pixel data of undefined length, with its items (explicit VR little endian). */
function encapsulated(table: Uint8Array, items: Uint8Array[]): Uint8Array {
  const parts: number[] = [0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff];
  for (const item of [table, ...items]) {
    parts.push(0xfe, 0xff, 0x00, 0xe0, ...le32(item.length), ...item);
  }
  parts.push(0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0);
  return new Uint8Array(parts);
}

export function syntheticImage(spec: SyntheticImage): Uint8Array {
  const syntax = spec.transferSyntax ??
    (spec.fragments ? TransferSyntax.RleLossless : TransferSyntax.ExplicitVrLittleEndian);
  const sopClass = spec.sopClass ?? "1.2.840.10008.5.1.4.1.1.7";
  const sop = uid(spec.name, 3);
  const bitsStored = spec.bitsStored ?? spec.bitsAllocated;
  const elements: Element[] = [
    textElement(0x00080016, "UI", sopClass),
    textElement(0x00080018, "UI", sop),
    textElement(0x00080060, "CS", "OT"),
    textElement(0x00100010, "PN", `Synthetic^${spec.name}`),
    textElement(0x00100020, "LO", `SYNTH-${spec.name}`),
    textElement(0x0020000d, "UI", uid(spec.name, 1)),
    textElement(0x0020000e, "UI", uid(spec.name, 2)),
    usElement(0x00280002, spec.samplesPerPixel ?? 1),
    textElement(0x00280004, "CS", spec.photometric),
    usElement(0x00280010, spec.rows),
    usElement(0x00280011, spec.columns),
    usElement(0x00280100, spec.bitsAllocated),
    usElement(0x00280101, bitsStored),
    usElement(0x00280102, spec.highBit ?? bitsStored - 1),
    usElement(0x00280103, spec.signed ? 1 : 0),
    ...(spec.extra ?? []),
  ];
  if ((spec.samplesPerPixel ?? 1) > 1) elements.push(usElement(0x00280006, spec.planar ? 1 : 0));
  if (spec.frames !== undefined) elements.push(textElement(0x00280008, "IS", String(spec.frames)));
  if (spec.pixels) {
    const vr = spec.bitsAllocated > 8 ? "OW" : "OB";
    const value = spec.pixels.length % 2 ? Uint8Array.of(...spec.pixels, 0) : spec.pixels;
    elements.push({ tag: 0x7fe00010, vr, value });
  }
  const dataset = [encodeDataset(elements, syntax)];
  if (spec.fragments) dataset.push(encapsulated(spec.fragments.table, spec.fragments.items));
  return part10(dataset, sopClass, sop, syntax);
}

/** PackBits (the RLE segments of PS3.5 G.3.1): literal runs only, which every decoder reads. */
function packBits(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 128) {
    const run = bytes.subarray(i, i + 128);
    out.push(run.length - 1, ...run);
  }
  if (out.length % 2) out.push(0x80); // a no-op byte keeps the segment even
  return out;
}

/**
 * One RLE Lossless frame (PS3.5 G) of native little-endian, interleaved samples: one segment
 * per byte plane, most significant byte first, sample after sample.
 */
export function rleFrame(
  native: Uint8Array,
  bytesPerSample: number,
  samplesPerPixel: number,
): Uint8Array {
  const segments = bytesPerSample * samplesPerPixel;
  const pixels = native.length / segments;
  const encoded: number[][] = [];
  for (let sample = 0; sample < samplesPerPixel; sample++) {
    for (let b = bytesPerSample - 1; b >= 0; b--) {
      const plane = new Uint8Array(pixels);
      for (let i = 0; i < pixels; i++) {
        plane[i] = native[(i * samplesPerPixel + sample) * bytesPerSample + b]!;
      }
      encoded.push(packBits(plane));
    }
  }
  const header = new Array<number>(64).fill(0);
  header.splice(0, 4, ...le32(segments));
  let offset = 64;
  encoded.forEach((segment, s) => {
    header.splice(4 + 4 * s, 4, ...le32(offset));
    offset += segment.length;
  });
  return new Uint8Array([...header, ...encoded.flat()]);
}

/**
 * Elscint's PMSCT_RLE1 (private tag 07a1,100a) for 16-bit values: each value as a small delta
 * from the previous one, or escaped 0x5a + the absolute value; then each 0xa5 byte escaped as a
 * run of one (0xa5, 0, 0xa5), since 0xa5 opens a run.
 */
export function pmsctRle1(values: Uint16Array): Uint8Array {
  const deltas: number[] = [];
  let previous = 0;
  for (const v of values) {
    const d = v - previous;
    if (d >= -127 && d <= 127 && (d & 0xff) !== 0x5a && (d & 0xff) !== 0xa5) deltas.push(d & 0xff);
    else deltas.push(0x5a, v & 0xff, v >> 8);
    previous = v;
  }
  const out: number[] = [];
  for (const b of deltas) {
    if (b === 0xa5) out.push(0xa5, 0, 0xa5);
    else out.push(b);
  }
  return new Uint8Array(out);
}

/** The elements that carry a PMSCT_RLE1 image instead of PixelData. */
export function pmsctElements(values: Uint16Array): Element[] {
  const data = pmsctRle1(values);
  return [
    textElement(0x07a10010, "LO", "ELSCINT1"),
    { tag: 0x07a1100a, vr: "OW", value: data.length % 2 ? Uint8Array.of(...data, 0) : data },
    textElement(0x07a11011, "CS", "PMSCT_RLE1"),
  ];
}
