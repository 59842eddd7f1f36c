import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { DicomParseError, elementBytes, findElement, parseDicom } from "../../src/dicom/parser.ts";
import { summarize } from "../../src/dicom/summary.ts";
import { datasetToJson } from "../../src/dicom/tags-json.ts";
import { decodingOf } from "../../src/dicom/summary.ts";
import { Tags } from "../../src/dicom/tag.ts";
import { TransferSyntax } from "../../src/dicom/uids.ts";
import { formatDouble } from "../../src/dicom/values.ts";
import { sampleFiles, samplesDir } from "../support/server.ts";

const read = async (file: string) =>
  new Uint8Array(await Bun.file(join(samplesDir, file)).arrayBuffer());

describe("parser", () => {
  test("reads every transfer syntax sample to the same patient", async () => {
    const files = (await sampleFiles("TransferSyntaxes")).filter((f) => f.endsWith(".dcm"));
    expect(files.length).toBeGreaterThanOrEqual(13);
    for (const file of files) {
      const parsed = parseDicom(new Uint8Array(await Bun.file(file).arrayBuffer()));
      const expectedSyntax = file.split("/").pop()!.replace(/\.dcm$/, "");
      if (expectedSyntax !== TransferSyntax.ImplicitVrLittleEndian) {
        expect(parsed.transferSyntax).toBe(expectedSyntax);
      }
      expect(findElement(parsed.dataset, Tags.SopInstanceUid)).toBeDefined();
    }
  });

  test("deflated and big endian datasets decode their values", async () => {
    for (
      const file of [
        "TransferSyntaxes/1.2.840.10008.1.2.1.99.dcm",
        "TransferSyntaxes/1.2.840.10008.1.2.2.dcm",
      ]
    ) {
      const parsed = parseDicom(await read(file));
      const tags = datasetToJson(parsed.dataset, decodingOf(parsed, "Latin1"), "simplify");
      expect(typeof tags.Rows).toBe("string");
      expect(Number(tags.Rows)).toBeGreaterThan(0);
    }
  });

  test("encapsulated pixel data is split in fragments", async () => {
    const parsed = parseDicom(await read("TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm"));
    const pixels = findElement(parsed.dataset, Tags.PixelData)!;
    expect(pixels.fragments!.length).toBeGreaterThanOrEqual(2);
    const first = pixels.fragments![1]!;
    // A JPEG frame starts with the SOI marker.
    expect([
      parsed.dataset.source.bytes[first.offset],
      parsed.dataset.source.bytes[first.offset + 1],
    ]).toEqual([0xff, 0xd8]);
  });

  test("keeps the original bytes of values (no re-encoding)", async () => {
    const bytes = await read("Brainix/Epi/IM-0001-0001.dcm");
    const parsed = parseDicom(bytes);
    const e = findElement(parsed.dataset, Tags.SopInstanceUid)!;
    expect(elementBytes(parsed.dataset, e).buffer).toBe(bytes.buffer);
  });

  test("records how datasets and items were encoded, for re-encoding", async () => {
    const undefinedItems = parseDicom(await read("Brainix/Epi/IM-0001-0001.dcm"));
    const sequence = undefinedItems.dataset.elements.find((e) => e.items?.length)!;
    expect(sequence.items![0]!.undefinedLength).toBe(true);
    expect(undefinedItems.dataset.explicitVr).toBe(true);
    const definedItems = parseDicom(await read("MultiframeWindowing.dcm"));
    expect(definedItems.dataset.elements.find((e) => e.items?.length)!.items![0]!.undefinedLength)
      .toBeUndefined();
    expect(parseDicom(await read("ColorTestMalaterre.dcm")).dataset.explicitVr).toBe(false);
  });

  test("rejects what is not DICOM, or truncated", async () => {
    expect(() => parseDicom(new TextEncoder().encode("hello world, not DICOM"))).toThrow(
      DicomParseError,
    );
    expect(() => parseDicom(new Uint8Array(0))).toThrow(DicomParseError);
    const bytes = await read("Brainix/Epi/IM-0001-0001.dcm");
    for (const size of [100, 131, 140, 1000, bytes.length - 1]) {
      expect(() => parseDicom(bytes.subarray(0, size))).toThrow(DicomParseError);
    }
  });

  test("a file without SOPInstanceUID has no identity", async () => {
    const parsed = parseDicom(await read("Encodings/DavidClunie/DICOMDIR"));
    expect(() => summarize(parsed, "Latin1")).toThrow();
  });

  test("floats print as C's %.17g, as DCMTK does", () => {
    expect(formatDouble(Math.fround(1.9))).toBe("1.8999999761581421");
    expect(formatDouble(Math.fround(-180.53579711914062))).toBe("-180.53579711914062");
    expect(formatDouble(0.5)).toBe("0.5");
    expect(formatDouble(1e-5)).toBe("1.0000000000000001e-05");
    expect(formatDouble(4266100100)).toBe("4266100100");
    expect(formatDouble(1.2345678901234568e20)).toBe("1.2345678901234568e+20");
  });
});
