// Decoded frames as Orthanc 1.10.1 shows them, compared pixel by pixel (PNG encoders differ):
// the preview stretch in single precision, the saturating conversions, and the refusals (bare
// 415) of what its decoder cannot show, on samples and on synthetic layouts (native YBR_FULL,
// palettes, RLE color, MONOCHROME1, multi-frame DICOM SEG and Elscint PMSCT_RLE1…).
import type { Scenario } from "../scenario.ts";
import { asIs, pngPixels } from "../../support/canonical.ts";
import { syntheticSamples } from "../../support/synthetic-images.ts";

const SAMPLES = [
  "Brainix/Epi/IM-0001-0003.dcm",
  "Brainix/Flair/IM-0001-0010.dcm",
  "Encodings/DavidClunie/SCSGREEK",
  "TransferSyntaxes/1.2.840.10008.1.2.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.1.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.2.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.5.dcm",
  "MultiframeWindowing.dcm",
  "DummyCT.dcm",
];

const ROUTES = [
  "preview",
  "image-uint8",
  "image-uint16",
  "image-int16",
  "frames/1/preview",
  "frames/2/preview",
  "frames/5/preview",
  "frames/1/numpy?rescale=false",
];

const scenario: Scenario = {
  name: "images-pixels",
  async run(s) {
    const ids: [string, string][] = [];
    for (const file of SAMPLES) ids.push([file, (await s.upload(file)).ID]);
    for (const [name, body] of Object.entries(syntheticSamples())) {
      if (name === "rle-offset-table") continue; // DCMTK misreads RLE segments split by fragments
      const entry = await s.request({
        method: "POST",
        path: "/instances",
        name: `upload ${name}`,
        body,
      });
      ids.push([name, (entry.body as { ID: string }).ID]);
    }
    for (const [file, id] of ids) {
      for (const route of ROUTES) {
        const canonical = route.includes("numpy") ? asIs : pngPixels;
        await s.get(`/instances/${id}/${route}`, { name: `${file} ${route}`, canonical });
      }
      await s.get(`/instances/${id}/numpy`, { name: `${file} numpy`, canonical: asIs });
    }
  },
};

export default scenario;
