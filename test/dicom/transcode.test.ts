// The built-in transcoder against DCMTK: for each source and target, dcmconv writes the same
// dataset bytes, dcmdump reads both files alike, and our parser finds the same values again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { encodeDataset, part10, textElement, usElement } from "../../src/dimse/codec.ts";
import {
  type DicomDataset,
  elementBytes,
  type ParsedDicom,
  parseDicom,
} from "../../src/dicom/parser.ts";
import { formatTag, isPrivateGroup, parseTagText, Tags } from "../../src/dicom/tag.ts";
import { transcodeNative } from "../../src/dicom/transcode.ts";
import { StorageSopClass, TransferSyntax } from "../../src/dicom/uids.ts";
import { samplesDir } from "../support/server.ts";

const {
  ImplicitVrLittleEndian: ImplicitLittle,
  ExplicitVrLittleEndian: ExplicitLittle,
  DeflatedExplicitVrLittleEndian: Deflated,
  ExplicitVrBigEndian: ExplicitBig,
} = TransferSyntax;
const TARGETS = [ImplicitLittle, ExplicitLittle, Deflated, ExplicitBig];
const DCMCONV_SYNTAX: Record<string, string> = {
  [ImplicitLittle]: "+ti",
  [ExplicitLittle]: "+te",
  [Deflated]: "+td",
  [ExplicitBig]: "+tb",
};

interface Source {
  name: string;
  sample: string;
  /** Made by dcmconv from the sample in this syntax; the sample itself when undefined. */
  syntax?: string;
}

const sample = (name: string, path: string): Source => ({ name, sample: path });
const made = (name: string, path: string, syntax: string): Source => ({
  name,
  sample: path,
  syntax,
});

const ISSUE22 = "Issue22-NoPixelData.dcm"; // sequences with explicit lengths, Philips private tags
const BRAINIX = "Brainix/Epi/IM-0001-0001.dcm"; // undefined-length sequences, 16-bit pixels
const MAREK = "MarekLatin2.dcm"; // ISO_IR 101 text in nested sequences
const MULTIFRAME = "MultiframeWindowing.dcm"; // multi-frame, functional groups sequences

/** Written by `synthetic()` below: what the samples lack. */
const SYNTHETIC = "(synthetic)";

const SOURCES: Source[] = [
  sample("explicit, signed pixel values, CP-246 private sequence", SYNTHETIC),
  made("implicit, signed pixel values, private sequence", SYNTHETIC, ImplicitLittle),
  sample("explicit, private tags", ISSUE22),
  sample("explicit, undefined lengths", BRAINIX),
  sample("explicit, latin-2", MAREK),
  sample("explicit, multi-frame", MULTIFRAME),
  sample("explicit, ISO 2022 Japanese, 8-bit OB", "Encodings/DavidClunie/SCSH31"),
  sample("explicit, group lengths", "TransferSyntaxes/1.2.840.10008.1.2.1.dcm"),
  // dcmconv trims this sample's extra padding (ImageType, 18 bytes) where we copy values as
  // they are: DCMTK's own implicit version of it is the source compared.
  made("implicit, 8-bit RGB", "ColorTestMalaterre.dcm", ImplicitLittle),
  sample("big endian", "TransferSyntaxes/1.2.840.10008.1.2.2.dcm"),
  sample("deflated", "TransferSyntaxes/1.2.840.10008.1.2.1.99.dcm"),
  made("implicit, private tags", ISSUE22, ImplicitLittle),
  made("implicit, undefined lengths", BRAINIX, ImplicitLittle),
  made("implicit, latin-2", MAREK, ImplicitLittle),
  made("implicit, multi-frame", MULTIFRAME, ImplicitLittle),
  made("big endian, private tags", ISSUE22, ExplicitBig),
  made("big endian, undefined lengths", BRAINIX, ExplicitBig),
  made("deflated, undefined lengths", BRAINIX, Deflated),
];

let dir: string;
const files = new Map<string, Uint8Array>();

/** Runs a DCMTK tool; its warnings (W:) are expected with odd input, errors are not. */
function run(args: string[]): string {
  const result = Bun.spawnSync(args, { stdout: "pipe", stderr: "pipe" });
  const stderr = result.stderr.toString();
  if (result.exitCode !== 0 || /^[EF]:/m.test(stderr)) {
    throw new Error(`${args.join(" ")}: ${result.exitCode} ${stderr}`);
  }
  return result.stdout.toString();
}

/** dcmconv writes every sequence with explicit lengths, or (-e) every one undefined. */
const lengthOption = (path: string) =>
  run(["dcmdump", "-q", path]).includes("undefined length") ? "-e" : "+e";

/** The dcmconv version of a file in a syntax, with its sequence length encoding kept. */
function dcmconv(path: string, syntax: string, out: string): Uint8Array {
  run(["dcmconv", lengthOption(path), DCMCONV_SYNTAX[syntax]!, path, out]);
  return new Uint8Array(readFileSync(out));
}

/** The dump of a file's dataset: dcmconv writes its own meta group, we keep the original's. */
const datasetDump = (path: string) =>
  run(["dcmdump", "-q", path]).split("\n").filter((l) => !l.startsWith("(0002,"));

function datasetBytes(file: Uint8Array): Uint8Array {
  const parsed = parseDicom(file);
  const bytes = file.subarray(parsed.datasetOffset);
  return parsed.transferSyntax === Deflated ? new Uint8Array(inflateRawSync(bytes)) : bytes;
}

const SWAP_UNITS: Record<string, number> = {
  AT: 2,
  OW: 2,
  SS: 2,
  US: 2,
  FL: 4,
  OF: 4,
  OL: 4,
  SL: 4,
  UL: 4,
  FD: 8,
  OD: 8,
  OV: 8,
  SV: 8,
  UV: 8,
};

function littleEndian(bytes: Uint8Array, vr: string, fromLittle: boolean): Uint8Array {
  const unit = SWAP_UNITS[vr] ?? 1;
  if (fromLittle || unit === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i - (i % unit) + unit - 1 - (i % unit)]!;
  return out;
}

/** Every value (little endian, hashed) by its path; group lengths depend on the encoding. */
function values(dataset: DicomDataset, out = new Map<string, string>(), path = "") {
  for (const e of dataset.elements) {
    const key = `${path}${formatTag(e.tag)}`;
    if (e.items) {
      out.set(key, `${e.items.length} items`);
      e.items.forEach((item, i) => values(item, out, `${key}[${i}].`));
    } else if ((e.tag & 0xffff) !== 0) {
      const bytes = littleEndian(elementBytes(dataset, e), e.vr, dataset.source.littleEndian);
      out.set(key, String(Bun.hash(bytes)));
    }
  }
  return out;
}

/** The original's values as they read in implicit VR: unknown private sequences are opaque. */
function asRead(original: Map<string, string>, reread: Map<string, string>) {
  const opaque = [...reread].filter(([key, value]) =>
    isPrivateGroup(parseTagText(key.slice(-9))!) && !value.endsWith("items") &&
    original.get(key)?.endsWith("items")
  );
  const out = new Map(original);
  for (const [key, value] of opaque) {
    for (const k of out.keys()) if (k.startsWith(`${key}[`)) out.delete(k);
    out.set(key, value);
  }
  return out;
}

function metaValues(parsed: ParsedDicom): string[] {
  return parsed.meta.elements
    .filter((e) => e.tag !== Tags.FileMetaGroupLength && e.tag !== Tags.TransferSyntaxUid)
    .map((e) => `${formatTag(e.tag)} ${e.vr} ${Bun.hash(elementBytes(parsed.meta, e))}`);
}

const bytes = (...values: number[]) => new Uint8Array(values);
const SOP = [
  textElement(Tags.SopClassUid, "UI", StorageSopClass.SecondaryCaptureImage),
  textElement(Tags.SopInstanceUid, "UI", "1.2.3.4"),
];

/**
 * Signed pixels, whose pixel-value attributes are "US or SS" in the dictionary, and a private
 * sequence written as an undefined-length UN, whose items are in implicit VR (CP-246).
 */
function synthetic(): Uint8Array {
  const signed = (vr: string) => [
    usElement(0x00280103, 1),
    { tag: 0x00280106, vr, value: bytes(0xfb, 0xff) },
  ];
  const item = encodeDataset(
    [textElement(0x00100010, "PN", "Item^Name"), ...signed("US")],
    ImplicitLittle,
  );
  const dataset = Buffer.concat([
    encodeDataset([...SOP, textElement(0x00090010, "LO", "PHAROS")], ExplicitLittle),
    bytes(0x09, 0, 0x01, 0x10, 0x55, 0x4e, 0, 0, 0xff, 0xff, 0xff, 0xff),
    bytes(0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff),
    item,
    bytes(0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0),
    bytes(0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0),
    encodeDataset([textElement(0x00100010, "PN", "Doe^J"), ...signed("SS")], ExplicitLittle),
  ]);
  return part10(dataset, StorageSopClass.SecondaryCaptureImage, "1.2.3.4", ExplicitLittle);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pharos-transcode-"));
  writeFileSync(join(dir, "synthetic.dcm"), synthetic());
  SOURCES.forEach((source, i) => {
    const path = source.sample === SYNTHETIC
      ? join(dir, "synthetic.dcm")
      : join(samplesDir, source.sample);
    files.set(
      source.name,
      source.syntax === undefined
        ? new Uint8Array(readFileSync(path))
        : dcmconv(path, source.syntax, join(dir, `source-${i}.dcm`)),
    );
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("transcodeNative", () => {
  test.each(SOURCES.map((s, i) => [s.name, i] as const))("%s, to every target", (name, i) => {
    const input = files.get(name)!;
    const inputPath = join(dir, `input-${i}.dcm`);
    writeFileSync(inputPath, input);
    const original = parseDicom(input);
    for (const target of TARGETS) {
      const ours = transcodeNative(input, target);
      if (target === original.transferSyntax) {
        expect(ours).toBe(input);
        continue;
      }
      expect(ours).toBeDefined();
      const oursPath = join(dir, `ours-${i}-${target}.dcm`);
      writeFileSync(oursPath, ours!);
      const theirs = dcmconv(inputPath, target, join(dir, `dcmtk-${i}-${target}.dcm`));
      expect(Buffer.compare(datasetBytes(ours!), datasetBytes(theirs))).toBe(0);
      expect(datasetDump(oursPath)).toEqual(datasetDump(join(dir, `dcmtk-${i}-${target}.dcm`)));

      const reparsed = parseDicom(ours!);
      expect(reparsed.transferSyntax).toBe(target);
      const metaLength = new DataView(ours!.buffer, ours!.byteOffset).getUint32(140, true);
      expect(metaLength).toBe(reparsed.datasetOffset - 144);
      expect(metaValues(reparsed)).toEqual(metaValues(original));
      const reread = values(reparsed.dataset);
      const expected = values(original.dataset);
      expect(reread).toEqual(target === ImplicitLittle ? asRead(expected, reread) : expected);
    }
  });

  test("a value too long for a 16-bit length becomes UN, unless it must be swapped", () => {
    const long = new Uint8Array(70000).map((_, i) => i & 0xff);
    const file = (elements: Parameters<typeof encodeDataset>[0]) =>
      part10(encodeDataset(elements, ImplicitLittle), "1.2.3", "1.2.3.4", ImplicitLittle);
    const text = file([...SOP, textElement(0x00080080, "LO", "A".repeat(70000))]);
    const numbers = file([...SOP, { tag: 0x00181310, vr: "US", value: long }]);
    const textPath = join(dir, "long-text.dcm");
    const numbersPath = join(dir, "long-numbers.dcm");
    writeFileSync(textPath, text);
    writeFileSync(numbersPath, numbers);
    for (
      const [input, path, target] of [
        [text, textPath, ExplicitLittle],
        [text, textPath, ExplicitBig],
        [numbers, numbersPath, ExplicitLittle],
      ] as const
    ) {
      const ours = transcodeNative(input, target)!;
      const theirs = dcmconv(path, target, join(dir, "long-dcmtk.dcm"));
      expect(Buffer.compare(datasetBytes(ours), datasetBytes(theirs))).toBe(0);
    }
    expect(transcodeNative(numbers, ExplicitBig)).toBeUndefined();
  });

  test("answers undefined for what it cannot do", () => {
    const read = (path: string) => new Uint8Array(readFileSync(join(samplesDir, path)));
    const jpeg = read("TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm");
    const explicit = read(MULTIFRAME);
    for (const target of TARGETS) {
      expect(transcodeNative(jpeg, target)).toBeUndefined();
      // No meta header to keep.
      expect(transcodeNative(read("TransferSyntaxes/1.2.840.10008.1.2.dcm"), target))
        .toBeUndefined();
      expect(transcodeNative(new Uint8Array(1000), target)).toBeUndefined();
    }
    expect(transcodeNative(explicit, TransferSyntax.JpegBaseline)).toBeUndefined();
    expect(transcodeNative(explicit, TransferSyntax.RleLossless)).toBeUndefined();
    // A DICOMDIR's offsets would no longer point at its records.
    expect(transcodeNative(read("Encodings/DavidClunie/DICOMDIR"), ImplicitLittle))
      .toBeUndefined();
  });
});
