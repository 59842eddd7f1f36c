// /frames/{n}/raw as Orthanc 1.10.1 answers it: the fragments of a frame (one per frame, or as
// the offset table groups them, or all of them for a single frame), labelled image/jpeg for JPEG
// baseline and image/jp2 for JPEG 2000; raw.gz the same bytes gzipped.
import type { Scenario } from "../scenario.ts";
import { asIs, gunzipped } from "../../support/canonical.ts";
import { syntheticSamples } from "../../support/synthetic-images.ts";

const FILES = [
  "LenaTwiceWithFragments.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.51.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.5.dcm",
  "MultiframeWindowing.dcm",
  "Issue22-NoPixelData.dcm",
];

const scenario: Scenario = {
  name: "images-raw",
  async run(s) {
    const ids: [string, string][] = [];
    for (const file of FILES) ids.push([file, (await s.upload(file)).ID]);
    const synthetic = syntheticSamples();
    for (const name of ["rle-offset-table", "too-short", "seg", "seg-4-columns", "elscint"]) {
      const entry = await s.request({
        method: "POST",
        path: "/instances",
        name: `upload ${name}`,
        body: synthetic[name],
      });
      ids.push([name, (entry.body as { ID: string }).ID]);
    }
    for (const [file, id] of ids) {
      for (const frame of [0, 1, 2]) {
        const base = `/instances/${id}/frames/${frame}`;
        await s.get(`${base}/raw`, { name: `${file} ${frame}/raw`, canonical: asIs });
        await s.get(`${base}/raw.gz`, { name: `${file} ${frame}/raw.gz`, canonical: gunzipped });
      }
    }
  },
};

export default scenario;
