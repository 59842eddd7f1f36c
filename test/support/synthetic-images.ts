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
export function pmsctElements(values: Uint16Array, vr = "OB"): Element[] {
  const data = pmsctRle1(values);
  return [
    textElement(0x07a10010, "LO", "ELSCINT1"),
    { tag: 0x07a1100a, vr, value: data.length % 2 ? Uint8Array.of(...data, 0) : data },
    textElement(0x07a11011, "CS", "PMSCT_RLE1"),
  ];
}

const u16 = (values: number[]) => new Uint8Array(new Uint16Array(values).buffer);
const gray = Array.from({ length: 16 }, (_, i) => 100 + (i * 137) % 900);
/** 4×4 YBR_FULL samples, interleaved. */
const ybr = Uint8Array.of(
  ...[76, 85, 255, 149, 43, 21, 29, 255, 107, 128, 128, 128, 16, 128, 128, 235, 128, 128],
  ...[100, 50, 200, 200, 200, 50, 0, 0, 0, 255, 255, 255, 90, 240, 110, 60, 60, 60],
  ...[130, 100, 160, 10, 128, 128, 250, 128, 128, 128, 0, 255],
);
const planes = (pixels: Uint8Array) => {
  const n = pixels.length / 3;
  return pixels.map((_, i) => pixels[3 * (i % n) + Math.floor(i / n)]!);
};
const SEG = "1.2.840.10008.5.1.4.1.1.66.4";
const noTable = new Uint8Array();

/**
 * The synthetic images the image tests compare with Orthanc, by name: layouts Orthanc refuses
 * (native YBR_FULL, palettes, 8 bits allocated with 6 stored, 32-bit gray, 1-bit rows that are
 * not whole bytes, pixel data too short, PMSCT_RLE1 as OW) and layouts it shows (RLE color,
 * MONOCHROME1, narrow or flat 8-bit ranges, signed 16-bit with a rescale, multi-frame DICOM SEG
 * and Elscint, RLE frames spread over fragments by the offset table).
 */
export function syntheticSamples(): Record<string, Uint8Array> {
  const f0 = rleFrame(u16(gray), 2, 1);
  const f1 = rleFrame(u16(gray.map((v) => v * 3)), 2, 1);
  const [a, b] = [f0.subarray(0, 70), f0.subarray(70)];
  const offsetTable = new Uint8Array(new Uint32Array([0, a.length + b.length + 16]).buffer);
  const base = { rows: 4, columns: 4, bitsAllocated: 8, photometric: "MONOCHROME2" };
  const color = { ...base, samplesPerPixel: 3 };
  const gray16 = { ...base, bitsAllocated: 16, bitsStored: 12 };
  // 0xa5 and 0x5a in the samples exercise both escapes.
  const elscint = Uint16Array.of(0, 5, 10, 300, 4000, 4001, 165, 90, 42, 42, 42, 42, 1000, 0, 0, 0);
  elscint.set([0xa5, 0x5a5], 14);
  const specs: SyntheticImage[] = [
    { ...color, name: "ybr-full", photometric: "YBR_FULL", pixels: ybr },
    {
      ...color,
      name: "ybr-full-planar",
      photometric: "YBR_FULL",
      planar: true,
      pixels: planes(ybr),
    },
    {
      ...color,
      name: "ybr-full-rle-planar",
      photometric: "YBR_FULL",
      planar: true,
      fragments: { table: noTable, items: [rleFrame(ybr, 1, 3)] },
    },
    {
      ...color,
      name: "ybr-full-rle",
      photometric: "YBR_FULL",
      fragments: { table: noTable, items: [rleFrame(ybr, 1, 3)] },
    },
    { ...color, name: "ybr-full-422", photometric: "YBR_FULL_422", pixels: ybr.subarray(0, 32) },
    { ...gray16, name: "mono1-16", photometric: "MONOCHROME1", pixels: u16(gray) },
    {
      ...base,
      name: "mono1-8",
      photometric: "MONOCHROME1",
      pixels: Uint8Array.from(gray, (v) => v % 90 + 20),
    },
    { ...base, name: "gray8-narrow", pixels: Uint8Array.from(gray, (v) => v % 50 + 10) },
    { ...base, name: "gray8-flat", pixels: new Uint8Array(16).fill(77) },
    {
      ...base,
      name: "gray8-6bits",
      bitsStored: 6,
      highBit: 7,
      pixels: Uint8Array.from(gray, (v) => v & 0xff),
    },
    {
      ...base,
      name: "signed16",
      bitsAllocated: 16,
      signed: true,
      pixels: new Uint8Array(new Int16Array(gray.map((v, i) => (i % 3 ? -v * 30 : v * 40))).buffer),
      extra: [textElement(0x00281052, "DS", "-1024"), textElement(0x00281053, "DS", "2.5")],
    },
    {
      ...base,
      name: "gray32",
      bitsAllocated: 32,
      pixels: new Uint8Array(new Uint32Array(gray).buffer),
    },
    {
      ...base,
      name: "palette8",
      rows: 2,
      columns: 2,
      photometric: "PALETTE COLOR",
      pixels: Uint8Array.of(0, 1, 2, 3),
      extra: [
        ...[0x00281101, 0x00281102, 0x00281103].map((tag) => ({
          tag,
          vr: "US",
          value: u16([4, 0, 16]),
        })),
        ...[0x00281201, 0x00281202, 0x00281203].map((tag) => ({
          tag,
          vr: "OW",
          value: u16([0, 65535, 32768, 256]),
        })),
      ],
    },
    {
      ...base,
      name: "seg",
      rows: 2,
      columns: 16,
      bitsAllocated: 1,
      frames: 3,
      sopClass: SEG,
      pixels: Uint8Array.of(0x01, 0x80, 0xff, 0x00, 0xaa, 0x55, 0x0f, 0xf0, 0, 0, 0, 0),
    },
    {
      ...base,
      name: "seg-4-columns",
      rows: 2,
      bitsAllocated: 1,
      sopClass: SEG,
      pixels: Uint8Array.of(0x81),
    },
    { ...gray16, name: "elscint", rows: 2, frames: 2, extra: pmsctElements(elscint) },
    { ...gray16, name: "elscint-ow", rows: 2, frames: 2, extra: pmsctElements(elscint, "OW") },
    { ...gray16, name: "too-short", frames: 3, pixels: u16([...gray, ...gray]) },
    {
      ...gray16,
      name: "rle-offset-table",
      frames: 2,
      fragments: { table: offsetTable, items: [a, b, f1] },
      transferSyntax: TransferSyntax.RleLossless,
    },
  ];
  return Object.fromEntries(specs.map((spec) => [spec.name, syntheticImage(spec)]));
}
