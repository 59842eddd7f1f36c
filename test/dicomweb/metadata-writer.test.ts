// The metadata writer (straight from the bytes) against the general way (parser and DICOM JSON
// model, which the fidelity tests hold equal to Orthanc's plugin): the same text wherever the
// writer answers, on every sample file, whole and cut in its pixel data, and on the odd values
// it must leave to the general way or write the same.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Encoding } from "../../src/dicom/charsets.ts";
import { pixelDataOffset } from "../../src/dicom/pixel-data-offset.ts";
import { makeTag, type Tag } from "../../src/dicom/tag.ts";
import { TransferSyntax } from "../../src/dicom/uids.ts";
import {
  type ElementToWrite,
  EXPLICIT_VR_LITTLE_ENDIAN,
  writeDataset,
  writeFileMeta,
} from "../../src/dicom/writer.ts";
import { generalMetadataOf } from "../../src/dicomweb/metadata-json.ts";
import { writeMetadata } from "../../src/dicomweb/metadata-writer.ts";
import { samplesDir } from "../support/server.ts";

const URL = "http://localhost:8042/dicom-web/studies/1.2/series/1.3/instances/1.4";

function sampleFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sampleFiles(path) : [path];
  });
}

/** The writer's text, which must be the general way's where the writer answers. */
function written(bytes: Uint8Array, pixelDataAt?: number, fallback: Encoding = "Latin1") {
  const text = writeMetadata(bytes, pixelDataAt, fallback, URL);
  if (text !== undefined) {
    const source = pixelDataAt === undefined ? { bytes } : { bytes, pixelDataAt };
    expect(text).toBe(generalMetadataOf(source, fallback, URL)!);
  }
  return text;
}

test("every sample file, whole and cut in its pixel data, gets the general way's text", () => {
  let answered = 0;
  let files = 0;
  for (const path of sampleFiles(samplesDir)) {
    const bytes = new Uint8Array(readFileSync(path));
    files++;
    for (const fallback of ["Latin1", "Utf8"] as const) {
      if (written(bytes, undefined, fallback) !== undefined) answered++;
      const at = pixelDataOffset(bytes);
      if (at !== undefined && at + 12 < bytes.length) {
        written(bytes.slice(0, at + 12), at, fallback);
      }
    }
  }
  // The writer is the common way, not the exception.
  expect(answered).toBeGreaterThan(files);
});

const text = (tag: Tag, vr: string, value: string): ElementToWrite => ({
  tag,
  vr,
  value: new TextEncoder().encode(value),
});
/** An element whose value is written byte for byte (no padding added). */
const raw = (tag: Tag, vr: string, value: number[]): ElementToWrite => ({
  tag,
  copy: Uint8Array.from([
    tag >>> 16 & 0xff,
    tag >>> 24,
    tag & 0xff,
    tag >>> 8 & 0xff,
    vr.charCodeAt(0),
    vr.charCodeAt(1),
    value.length & 0xff,
    value.length >> 8,
    ...value,
  ]),
});
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

function file(elements: ElementToWrite[], syntax: string = TransferSyntax.ExplicitVrLittleEndian) {
  const out = writeFileMeta([
    text(makeTag(0x0002, 0x0002), "UI", "1.2.840.10008.5.1.4.1.1.7"),
    text(makeTag(0x0002, 0x0003), "UI", "1.2.3"),
    text(makeTag(0x0002, 0x0010), "UI", syntax),
  ]);
  out.append(writeDataset(elements, EXPLICIT_VR_LITTLE_ENDIAN));
  return out.bytes();
}

const item = (...elements: ElementToWrite[]) => ({ elements });

test("odd values are written as the general way writes them", () => {
  const bytes = file([
    text(makeTag(0x0008, 0x0005), "CS", "ISO_IR 100"),
    text(makeTag(0x0008, 0x0008), "CS", "ORIGINAL\\\\PRIMARY"),
    raw(makeTag(0x0008, 0x0016), "UI", ascii("1.2.840.10008.5.1.4.1.1.7\0")),
    raw(makeTag(0x0008, 0x0018), "UI", ascii("1.2. 3\0")),
    raw(makeTag(0x0008, 0x0070), "LO", ascii("Philips \0")),
    raw(makeTag(0x0008, 0x0080), "LO", [0x43, 0xe9, 0x20, 0x22, 0x5c]),
    raw(makeTag(0x0008, 0x0081), "ST", ascii("line\r\nbreak\t ")),
    text(makeTag(0x0010, 0x0010), "PN", "Doe^John=Ideo=Phon\\\\=X"),
    text(makeTag(0x0018, 0x0050), "DS", " 1.50 \\nan\\-Inf\\abc\\1e999\\\\7"),
    text(makeTag(0x0020, 0x0013), "IS", "+007\\-0\\99999999999\\x1\\\\4294967296"),
    text(makeTag(0x0020, 0x0032), "DS", "-112.1\\-79.58\\.5\\3.\\1e3"),
    { tag: makeTag(0x0028, 0x0010), vr: "US", value: Uint8Array.of(0, 1, 0xff, 0xff) },
    {
      tag: makeTag(0x0028, 0x1050),
      vr: "FD",
      value: new Uint8Array(new Float64Array([NaN, 2.5, 3]).buffer),
    },
    {
      tag: makeTag(0x0028, 0x1051),
      vr: "FL",
      value: new Uint8Array(new Float32Array([0.1, -Infinity]).buffer),
    },
    { tag: makeTag(0x0028, 0x1052), vr: "SS", value: Uint8Array.of(0xff, 0xff) },
    { tag: makeTag(0x0028, 0x1053), vr: "UV", value: new Uint8Array(8) },
    {
      tag: makeTag(0x0040, 0xa730),
      items: [item(text(makeTag(0x0040, 0xa040), "CS", "TEXT")), item()],
      undefinedLength: true,
    },
    { tag: makeTag(0x0040, 0xa731), items: [] },
    { tag: makeTag(0x0040, 0xa732), items: [item(), item()] },
    { tag: makeTag(0x2001, 0x0010), vr: "LO", value: new TextEncoder().encode("Philips") },
    { tag: makeTag(0x2001, 0x1010), vr: "OB", value: new Uint8Array(3) },
  ]);
  const answer = written(bytes)!;
  expect(answer).toBeDefined();
  // The values the writer takes from the general code, and its own, as Orthanc writes them.
  expect(answer).toContain('"00080008":{"Value":["ORIGINAL",null,"PRIMARY"],"vr":"CS"}');
  expect(answer).toContain('"00080070":{"Value":["Philips "],"vr":"LO"}');
  expect(answer).toContain('"00180050":{"Value":[1.5,null,null,null,7],"vr":"DS"}');
  expect(answer).toContain('"0040A731":{"vr":"SQ"}');
  expect(answer).toContain(`"BulkDataURI":"${URL}/bulk/20011010"`);
  expect(answer).not.toContain('"00281053"');
  expect(answer).not.toContain('"0040A732"');
});

test("what the writer leaves to the general way", () => {
  const charset = text(makeTag(0x0008, 0x0005), "CS", "ISO 2022 IR 13\\ISO 2022 IR 87");
  const name = text(makeTag(0x0010, 0x0010), "PN", "Yamada^Tarou");
  const cases: ElementToWrite[][] = [
    // A character set that changes ASCII (the yen sign for a backslash).
    [charset, name],
    // A repeated tag, and tags out of order.
    [name, name],
    [text(makeTag(0x0010, 0x0020), "LO", "B"), name],
    // UN, whose VR comes from the dictionary.
    [{ tag: makeTag(0x0010, 0x0020), vr: "UN", value: new TextEncoder().encode("ID") }],
    // An empty item before one with attributes (the general way fails as Orthanc does).
    [{ tag: makeTag(0x0040, 0xa730), items: [item(), item(name)] }],
  ];
  for (const elements of cases) expect(written(file(elements))).toBeUndefined();
  // Implicit VR.
  const implicit = file([name], TransferSyntax.ImplicitVrLittleEndian);
  expect(writeMetadata(implicit, undefined, "Latin1", URL)).toBeUndefined();
  // A cut file whose pixel data is not where the index says.
  const whole = file([name, { tag: makeTag(0x7fe0, 0x0010), vr: "OW", value: new Uint8Array(8) }]);
  const at = pixelDataOffset(whole)!;
  expect(written(whole.slice(0, at + 12), at)).toBeDefined();
  expect(writeMetadata(whole.slice(0, at + 12), at - 2, "Latin1", URL)).toBeUndefined();
});
