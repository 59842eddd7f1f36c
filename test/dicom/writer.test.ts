// The DICOM writer against DCMTK: what it writes in each uncompressed syntax reads in dcmdump
// as it was meant (VRs, lengths, padding, sequences, the meta group), reads back through our
// parser, and a dataset rebuilt from copied elements is the original byte for byte.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DicomDataset,
  elementBytes,
  findElement,
  latin1,
  parseDicom,
} from "../../src/dicom/parser.ts";
import { type Tag, Tags } from "../../src/dicom/tag.ts";
import { StorageSopClass, TransferSyntax } from "../../src/dicom/uids.ts";
import {
  copiedElement,
  elementHeader,
  type ElementToWrite,
  type Encoding,
  encodingOf,
  EXPLICIT_VR_LITTLE_ENDIAN,
  padded,
  ValueTooLongError,
  writeDataset,
  writeFileMeta,
} from "../../src/dicom/writer.ts";
import { samplesDir } from "../support/server.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pharos-writer-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const SYNTAXES = [
  TransferSyntax.ImplicitVrLittleEndian,
  TransferSyntax.ExplicitVrLittleEndian,
  TransferSyntax.ExplicitVrBigEndian,
];

/** A US or UL value in the encoding's byte order. */
function number(value: number, size: 2 | 4, to: Encoding): Uint8Array {
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  if (size === 2) view.setUint16(0, value, to.littleEndian);
  else view.setUint32(0, value, to.littleEndian);
  return out;
}

function part10(dataset: ElementToWrite[], transferSyntax: string): Uint8Array {
  const file = writeFileMeta([
    { tag: 0x00020001, vr: "OB", value: new Uint8Array([0, 1]) },
    {
      tag: Tags.MediaStorageSopClassUid,
      vr: "UI",
      value: ascii(StorageSopClass.SecondaryCaptureImage),
    },
    { tag: Tags.MediaStorageSopInstanceUid, vr: "UI", value: ascii("1.2.3") },
    { tag: Tags.TransferSyntaxUid, vr: "UI", value: ascii(transferSyntax) },
  ]);
  file.append(writeDataset(dataset, encodingOf(transferSyntax)));
  return file.bytes();
}

/** dcmdump's lines for the file, which must raise no warning. */
function dcmdump(bytes: Uint8Array, name: string): string[] {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const result = Bun.spawnSync(["dcmdump", "-q", "+L", path], { stdout: "pipe", stderr: "pipe" });
  expect(result.stderr.toString()).toBe("");
  expect(result.exitCode).toBe(0);
  // "(0010,0010) PN [Doe^John]   #   8, 1 PatientName" → "(0010,0010) PN [Doe^John] #8"
  return result.stdout.toString().split("\n").filter((l) => l.trim().startsWith("(")).map((l) =>
    l.trim().replace(/\s+#\s*(\S+), \S+ .*$/, " #$1").replace(/\s+/g, " ")
  );
}

/** Elements of every kind, in ascending tag order, with odd values that need padding. */
function sample(to: Encoding): ElementToWrite[] {
  return [
    { tag: 0x00080016, vr: "UI", value: ascii(StorageSopClass.SecondaryCaptureImage) },
    { tag: 0x00080018, vr: "UI", value: ascii("1.2.3") },
    { tag: 0x00080060, vr: "CS", value: ascii("OT") },
    {
      tag: 0x00081115, // ReferencedSeriesSequence: undefined lengths, an empty item
      undefinedLength: true,
      items: [
        {
          undefinedLength: true,
          elements: [{ tag: 0x0020000e, vr: "UI", value: ascii("1.2.345") }],
        },
        { elements: [] },
      ],
    },
    {
      tag: 0x00081140, // ReferencedImageSequence: defined lengths, nested
      items: [{
        elements: [
          { tag: 0x00081150, vr: "UI", value: ascii(StorageSopClass.CtImage) },
          {
            tag: 0x00081199,
            items: [{ elements: [{ tag: 0x00081155, vr: "UI", value: ascii("9.8") }] }],
          },
        ],
      }],
    },
    { tag: 0x00100010, vr: "PN", value: ascii("Doe^John^A") },
    { tag: 0x00100020, vr: "LO", value: ascii("ID1") },
    { tag: 0x00280010, vr: "US", value: number(512, 2, to) },
    { tag: 0x00321060, vr: "LO", value: ascii("") },
    { tag: 0x00420011, vr: "OB", value: new Uint8Array([1, 2, 3]) },
    { tag: 0x00540081, vr: "US", value: number(7, 2, to) },
  ];
}

/**
 * What dcmdump shows for `sample()`: in explicit VR, the SQ header inside the defined-length
 * sequence takes 4 more bytes, and the transfer syntax UID in the meta group 2 more.
 */
const sampleDump = (explicit: boolean) => [
  `(0002,0000) UL ${explicit ? 90 : 88} #4`,
  "(0002,0001) OB 00\\01 #2",
  "(0002,0002) UI =SecondaryCaptureImageStorage #26",
  "(0002,0003) UI [1.2.3] #6",
  "(0008,0016) UI =SecondaryCaptureImageStorage #26",
  "(0008,0018) UI [1.2.3] #6",
  "(0008,0060) CS [OT] #2",
  "(0008,1115) SQ (Sequence with undefined length #=2) #u/l",
  "(fffe,e000) na (Item with undefined length #=1) #u/l",
  "(0020,000e) UI [1.2.345] #8",
  "(fffe,e00d) na (ItemDelimitationItem) #0",
  "(fffe,e000) na (Item with explicit length #=0) #0",
  "(fffe,e00d) na (ItemDelimitationItem for re-encoding) #0",
  "(fffe,e0dd) na (SequenceDelimitationItem) #0",
  `(0008,1140) SQ (Sequence with explicit length #=1) #${explicit ? 74 : 70}`,
  `(fffe,e000) na (Item with explicit length #=2) #${explicit ? 66 : 62}`,
  "(0008,1150) UI =CTImageStorage #26",
  "(0008,1199) SQ (Sequence with explicit length #=1) #20",
  "(fffe,e000) na (Item with explicit length #=1) #12",
  "(0008,1155) UI [9.8] #4",
  "(fffe,e00d) na (ItemDelimitationItem for re-encoding) #0",
  "(fffe,e0dd) na (SequenceDelimitationItem for re-encod.) #0",
  "(fffe,e00d) na (ItemDelimitationItem for re-encoding) #0",
  "(fffe,e0dd) na (SequenceDelimitationItem for re-encod.) #0",
  "(0010,0010) PN [Doe^John^A] #10",
  "(0010,0020) LO [ID1] #4",
  "(0028,0010) US 512 #2",
  "(0032,1060) LO (no value available) #0",
  "(0042,0011) OB 01\\02\\03\\00 #4",
  "(0054,0081) US 7 #2",
];

describe("writer", () => {
  for (const syntax of SYNTAXES) {
    test(`dcmdump reads what it writes in ${syntax}`, () => {
      const to = encodingOf(syntax);
      const dump = dcmdump(part10(sample(to), syntax), `${syntax}.dcm`);
      const transfer = dump.findIndex((l) => l.startsWith("(0002,0010)"));
      expect(dump[transfer]).toEndWith(`#${syntax.length + (syntax.length % 2)}`);
      expect(dump.toSpliced(transfer, 1)).toEqual(sampleDump(to.explicitVr));
    });
  }

  test("the parser reads back every value, length and sequence as written", () => {
    for (const syntax of SYNTAXES) {
      const to = encodingOf(syntax);
      const parsed = parseDicom(part10(sample(to), syntax));
      expect(parsed.transferSyntax).toBe(syntax);
      const { dataset } = parsed;
      const value = (d: DicomDataset, tag: Tag) => latin1(elementBytes(d, findElement(d, tag)!));
      expect(value(dataset, 0x00080018)).toBe("1.2.3\0");
      expect(value(dataset, 0x00100020)).toBe("ID1 ");
      expect(value(dataset, 0x00420011)).toBe("\x01\x02\x03\0");
      const rows = findElement(dataset, 0x00280010)!;
      expect(dataset.source.view.getUint16(rows.offset, dataset.source.littleEndian)).toBe(512);
      const undefinedSeq = findElement(dataset, 0x00081115)!;
      expect(undefinedSeq.undefinedLength).toBe(true);
      expect(undefinedSeq.items!.map((i) => i.undefinedLength ?? false)).toEqual([true, false]);
      expect(value(undefinedSeq.items![0]!, 0x0020000e)).toBe("1.2.345\0");
      const nested = findElement(findElement(dataset, 0x00081140)!.items![0]!, 0x00081199)!;
      expect(nested.undefinedLength).toBe(false);
      expect(value(nested.items![0]!, 0x00081155)).toBe("9.8\0");
    }
  });

  test("values are padded to an even length by VR: space for text, NUL for UIDs and binary", () => {
    const pad = (vr: string, text: string) => [...padded(vr, ascii(text))].at(-1);
    for (const vr of ["AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST"]) {
      expect(pad(vr, "abc")).toBe(0x20);
    }
    for (const vr of ["TM", "UC", "UR", "UT"]) expect(pad(vr, "abc")).toBe(0x20);
    for (const vr of ["UI", "OB", "UN", "OW"]) expect(pad(vr, "abc")).toBe(0x00);
    expect(padded("UI", ascii("1.2")).length).toBe(4);
    const even = ascii("1.23");
    expect(padded("UI", even)).toBe(even);
  });

  test("explicit headers take 12 bytes for the long VRs, 8 otherwise; implicit always 8", () => {
    for (
      const vr of ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]
    ) {
      expect(elementHeader(0x00100010, vr, 4, EXPLICIT_VR_LITTLE_ENDIAN).length).toBe(12);
    }
    for (const vr of ["AE", "AT", "CS", "FD", "LO", "PN", "SS", "UI", "UL", "US"]) {
      expect(elementHeader(0x00100010, vr, 4, EXPLICIT_VR_LITTLE_ENDIAN).length).toBe(8);
    }
    const implicit = encodingOf(TransferSyntax.ImplicitVrLittleEndian);
    expect([...elementHeader(0x00100010, "OB", 0x10000, implicit)]).toEqual(
      [0x10, 0, 0x10, 0, 0, 0, 1, 0],
    );
    const big = encodingOf(TransferSyntax.ExplicitVrBigEndian);
    expect([...elementHeader(0x00100010, "PN", 6, big)]).toEqual(
      [0, 0x10, 0, 0x10, 0x50, 0x4e, 0, 6],
    );
    expect(() => elementHeader(0x00100010, "LO", 0x10000, EXPLICIT_VR_LITTLE_ENDIAN)).toThrow(
      ValueTooLongError,
    );
    expect(elementHeader(0x00100010, "UT", 0x10000, EXPLICIT_VR_LITTLE_ENDIAN).length).toBe(12);
  });

  test("the meta group: its group length, a given preamble kept", () => {
    const preamble = new Uint8Array(128).fill(7);
    const meta = writeFileMeta(
      [{ tag: Tags.TransferSyntaxUid, vr: "UI", value: ascii(TransferSyntax.JpegBaseline) }],
      preamble,
    ).bytes();
    expect(meta.subarray(0, 128)).toEqual(preamble);
    expect(latin1(meta.subarray(128, 132))).toBe("DICM");
    const view = new DataView(meta.buffer);
    expect(view.getUint32(140, true)).toBe(meta.length - 144);
    expect(parseDicom(meta).transferSyntax).toBe(TransferSyntax.JpegBaseline);
  });
});

describe("writer: copied elements", () => {
  // Undefined-length sequences, private tags, group lengths: each copied as it lies in the file.
  const SAMPLES = ["Brainix/Epi/IM-0001-0001.dcm", "Issue22-NoPixelData.dcm", "MarekLatin2.dcm"];

  for (const name of SAMPLES) {
    test(`a dataset rebuilt from its elements is the original (${name})`, () => {
      const file = new Uint8Array(readFileSync(join(samplesDir, name)));
      const parsed = parseDicom(file);
      const { dataset } = parsed;
      const rebuilt = writeDataset(
        dataset.elements.map((e) => copiedElement(dataset, e)),
        encodingOf(parsed.transferSyntax),
      ).bytes();
      expect(Buffer.compare(rebuilt, file.subarray(parsed.datasetOffset))).toBe(0);
    });
  }

  test("new elements mixed with copied ones: only the new ones change", () => {
    const name = "Brainix/Epi/IM-0001-0001.dcm";
    const file = new Uint8Array(readFileSync(join(samplesDir, name)));
    const parsed = parseDicom(file);
    const { dataset } = parsed;
    const elements: ElementToWrite[] = dataset.elements.map((e) =>
      e.tag === 0x00100010
        ? { tag: e.tag, vr: "PN", value: ascii("Edited^Name") }
        : copiedElement(dataset, e)
    );
    const meta = parsed.meta.elements.filter((e) => e.tag !== Tags.FileMetaGroupLength).map((e) =>
      copiedElement(parsed.meta, e)
    );
    const edited = writeFileMeta(meta, file.subarray(0, 128));
    edited.append(writeDataset(elements, encodingOf(parsed.transferSyntax)));
    const bytes = edited.bytes();

    const before = dcmdump(file, "original.dcm");
    const after = dcmdump(bytes, "edited.dcm");
    const changed = after.filter((l, i) => l !== before[i]);
    expect(changed).toEqual(["(0010,0010) PN [Edited^Name] #12"]);
    expect(after.length).toBe(before.length);

    const reread = parseDicom(bytes).dataset;
    for (const e of dataset.elements) {
      if (e.tag === 0x00100010) continue;
      const copy = findElement(reread, e.tag)!;
      expect(Buffer.compare(elementBytes(reread, copy), elementBytes(dataset, e))).toBe(0);
    }
  });
});
