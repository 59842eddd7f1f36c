// The DICOM JSON writer's options, which Orthanc's /file route does not exercise (it writes every
// binary value inline; test/golden/scenarios/json-file-*.ts pin that): binary values as bulk data
// URIs, or left out, chosen per element from where it lies.
import { describe, expect, test } from "bun:test";
import { textDecoding } from "../../src/dicom/charsets.ts";
import { type BinaryElement, dicomJson } from "../../src/dicom/dicom-json.ts";
import { dicomXml } from "../../src/dicom/dicom-xml.ts";
import { parseDicom } from "../../src/dicom/parser.ts";
import { makeTag } from "../../src/dicom/tag.ts";
import { dicomJsonFiles } from "../support/dicom-json-files.ts";
import { oddFiles } from "../support/odd-dicom.ts";

const file = dicomJsonFiles().find((f) => f.name === "json-binary-numbers")!;
const { dataset } = parseDicom(file.bytes);
const decoding = textDecoding(undefined, "Latin1");

describe("DICOM JSON writer", () => {
  test("writes every binary value inline by default", () => {
    const json = dicomJson(dataset, decoding);
    expect(json["00420011"]).toEqual({ vr: "OB", InlineBinary: "YWJjAA==" });
    expect(json["00281202"]).toEqual({ vr: "OW", InlineBinary: "AQIDBA==" });
  });

  test("asks where each binary value goes: a bulk data URI, or nowhere", () => {
    const seen: BinaryElement[] = [];
    const json = dicomJson(dataset, decoding, {
      binary: (element) => {
        seen.push(element);
        return element.vr === "OB" ? { kind: "uri", uri: "http://x/bulk/1" } : { kind: "omit" };
      },
    });
    expect(seen).toEqual([
      { path: [], tag: makeTag(0x0028, 0x1202), vr: "OW" },
      { path: [], tag: makeTag(0x0042, 0x0011), vr: "OB" },
    ]);
    expect(json["00420011"]).toEqual({ vr: "OB", BulkDataURI: "http://x/bulk/1" });
    expect(json["00281202"]).toBeUndefined();
    expect(dicomXml(json)).toContain(
      '<DicomAttribute tag="00420011" vr="OB" keyword="EncapsulatedDocument">\n' +
        '    <BulkData URI="http://x/bulk/1" />\n',
    );
  });

  test("names the sequences and items above a binary value", () => {
    const odd = oddFiles().find((f) => f.name === "pixels-in-item-only")!;
    const seen: BinaryElement[] = [];
    dicomJson(parseDicom(odd.bytes).dataset, decoding, {
      binary: (element) => (seen.push(element), { kind: "inline" }),
    });
    expect(seen).toEqual([{
      path: [{ tag: makeTag(0x0088, 0x0200), item: 0 }],
      tag: makeTag(0x7fe0, 0x0010),
      vr: "OW",
    }]);
  });
});
