// The DICOMweb metadata's binary values: bulk data URIs by default, and what the first chooser
// with an opinion says (inline, left out, another URI) otherwise.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDicom } from "../../src/dicom/parser.ts";
import { decodingOf } from "../../src/dicom/summary.ts";
import { BinaryModes } from "../../src/dicomweb/binary-modes.ts";
import { instanceMetadata } from "../../src/dicomweb/wado.ts";
import { samplesDir } from "../support/server.ts";

const bytes = new Uint8Array(readFileSync(join(samplesDir, "MultiframeWindowing.dcm")));
const parsed = parseDicom(bytes);
const data = { bytes, parsed, decoding: decodingOf(parsed, "Latin1") };
const URL = "http://host/dicom-web/studies/1/series/2/instances/3";

test("without a chooser, binary values are bulk data URIs below the instance", async () => {
  const json = await instanceMetadata(data, URL);
  expect(json["7FE00010"]).toEqual({ vr: "OW", BulkDataURI: `${URL}/bulk/7fe00010` });
});

test("the first chooser with an opinion decides; undefined passes to the next", async () => {
  const modes = new BinaryModes();
  const asked: string[] = [];
  modes.add((_element, uri) => {
    asked.push(uri);
    return undefined;
  });
  modes.add(() => Promise.resolve({ kind: "omit" as const }));
  modes.add(() => ({ kind: "inline" }));
  expect(modes.empty).toBe(false);
  const json = await instanceMetadata(data, URL, modes);
  expect(json["7FE00010"]).toBeUndefined();
  expect(json["00280008"]).toBeDefined();
  expect(asked).toEqual([`${URL}/bulk/7fe00010`]);
});
