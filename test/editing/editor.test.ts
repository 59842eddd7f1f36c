// The editing engine on files built here: edits at any depth, private tags, group lengths,
// padding, character sets, and every element no edit touches kept byte for byte.
import { describe, expect, test } from "bun:test";
import { elementBytes, findElement, latin1, parseDicom } from "../../src/dicom/parser.ts";
import { TransferSyntax } from "../../src/dicom/uids.ts";
import {
  type ElementToWrite,
  type Encoding,
  encodingOf,
  writeDataset,
  writeFileMeta,
} from "../../src/dicom/writer.ts";
import { DicomEditor, topLevel } from "../../src/editing/editor.ts";
import { applyModification } from "../../src/editing/modification.ts";
import { parsePath } from "../../src/editing/paths.ts";

const ascii = (t: string) => Uint8Array.from(t, (c) => c.charCodeAt(0));

function file(elements: ElementToWrite[], syntax: string = TransferSyntax.ExplicitVrLittleEndian) {
  const out = writeFileMeta([
    { tag: 0x00020001, vr: "OB", value: Uint8Array.of(0, 1) },
    { tag: 0x00020002, vr: "UI", value: ascii("1.2.840.10008.5.1.4.1.1.7") },
    { tag: 0x00020003, vr: "UI", value: ascii("1.2.3.4") },
    { tag: 0x00020010, vr: "UI", value: ascii(syntax) },
  ]);
  const to: Encoding = encodingOf(syntax);
  out.append(writeDataset(elements, to));
  return out.bytes();
}

const BASE: ElementToWrite[] = [
  { tag: 0x00080005, vr: "CS", value: ascii("ISO_IR 100") },
  { tag: 0x00080016, vr: "UI", value: ascii("1.2.840.10008.5.1.4.1.1.7") },
  { tag: 0x00080018, vr: "UI", value: ascii("1.2.3.4") },
  {
    tag: 0x00081140,
    undefinedLength: true,
    items: [
      {
        undefinedLength: true,
        elements: [
          { tag: 0x00081150, vr: "UI", value: ascii("1.2.840.10008.5.1.4.1.1.7") },
          { tag: 0x00081155, vr: "UI", value: ascii("1.2.3.5") },
          { tag: 0x00090010, vr: "LO", value: ascii("ACME") },
          { tag: 0x00091001, vr: "LO", value: ascii("secret") },
        ],
      },
    ],
  },
  { tag: 0x00090010, vr: "LO", value: ascii("ACME") },
  { tag: 0x00091001, vr: "LO", value: ascii("secret") },
  { tag: 0x00100000, vr: "UL", value: Uint8Array.of(18, 0, 0, 0) },
  { tag: 0x00100010, vr: "PN", value: Uint8Array.from([0x4a, 0xe9, 0x72, 0xf4, 0x6d, 0x65]) },
  { tag: 0x00100020, vr: "LO", value: ascii("PID") },
];

const text = (bytes: Uint8Array, tag: number) => {
  const { dataset } = parseDicom(bytes);
  const e = findElement(dataset, tag);
  return e && latin1(elementBytes(dataset, e));
};

describe("DicomEditor", () => {
  test("an edit re-encodes what it changes and copies the rest", () => {
    const source = file(BASE);
    const editor = new DicomEditor(source);
    editor.replace(topLevel(0x00100020), "NEW");
    const out = editor.write();
    expect(text(out, 0x00100020)).toBe("NEW ");
    const before = parseDicom(source).dataset;
    const after = parseDicom(out).dataset;
    // The patient name's bytes (Latin-1) are the original ones.
    const name = (d: typeof before) => elementBytes(d, findElement(d, 0x00100010)!);
    expect(name(after)).toEqual(name(before));
    // The group length counts the new value.
    const length = findElement(after, 0x00100000)!;
    expect(after.source.view.getUint32(length.offset, true)).toBe(8 + 6 + 8 + 4);
  });

  test("paths reach into items; private tags go at the depth asked", () => {
    const editor = new DicomEditor(file(BASE));
    editor.replace(parsePath("ReferencedImageSequence[0].ReferencedSOPInstanceUID"), "9.9");
    editor.replace(parsePath("ReferencedImageSequence[3].ReferencedSOPInstanceUID"), "9.8");
    editor.removePrivateTags(() => false, false);
    const { dataset } = parseDicom(editor.write());
    expect(findElement(dataset, 0x00091001)).toBeUndefined();
    const sequence = findElement(dataset, 0x00081140)!;
    expect(sequence.undefinedLength).toBe(false);
    expect(sequence.items).toHaveLength(1);
    const item = sequence.items![0]!;
    expect(latin1(elementBytes(item, findElement(item, 0x00081155)!))).toBe("9.9\0");
    expect(findElement(item, 0x00091001)).toBeDefined();
  });

  test("a new character set re-encodes the text already there", () => {
    const editor = new DicomEditor(file(BASE));
    editor.replace(topLevel(0x00080005), "ISO_IR 192");
    const { dataset } = parseDicom(editor.write());
    const name = elementBytes(dataset, findElement(dataset, 0x00100010)!);
    expect(new TextDecoder().decode(name)).toBe("Jérôme");
  });

  test("implicit VR and big endian files keep their encoding", () => {
    for (
      const syntax of [TransferSyntax.ImplicitVrLittleEndian, TransferSyntax.ExplicitVrBigEndian]
    ) {
      const editor = new DicomEditor(file(BASE, syntax));
      editor.replace(topLevel(0x00280010), "512");
      const parsed = parseDicom(editor.write());
      expect(parsed.transferSyntax).toBe(syntax);
      const rows = findElement(parsed.dataset, 0x00280010)!;
      expect(parsed.dataset.source.view.getUint16(rows.offset, parsed.dataset.source.littleEndian))
        .toBe(512);
    }
  });

  test("a modification maps the SOP instance UID and rewrites the meta header", () => {
    const out = applyModification(file(BASE), {
      level: "Instance",
      replace: [],
      remove: [],
      keep: [],
      removePrivateTags: false,
      force: false,
    });
    const parsed = parseDicom(out);
    const uid = latin1(elementBytes(parsed.dataset, findElement(parsed.dataset, 0x00080018)!));
    expect(uid.startsWith("2.25.")).toBe(true);
    expect(latin1(elementBytes(parsed.meta, findElement(parsed.meta, 0x00020003)!))).toBe(uid);
  });
});
