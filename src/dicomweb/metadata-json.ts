// The WADO-RS metadata of one instance as PS3.18 Annex F JSON text, its binary values as bulk
// data URIs below the instance's URL. The metadata workers compute it too: it imports nothing
// but src/dicom and the JSON writer.
import type { BinaryElement } from "../dicom/dicom-json.ts";
import { dicomJson, type DicomJsonDataset } from "../dicom/dicom-json.ts";
import type { TextDecoding } from "../dicom/charsets.ts";
import type { DicomDataset } from "../dicom/parser.ts";
import type { Tag } from "../dicom/tag.ts";
import { datasetText } from "./json.ts";

const hex = (tag: Tag) => (tag >>> 0).toString(16).padStart(8, "0");

/** Where the value of a binary element is retrieved (tag, item, tag… below /bulk). */
export function bulkDataUri(instanceUrl: string, element: BinaryElement): string {
  const steps = element.path.flatMap((p) => [hex(p.tag), String(p.item + 1)]);
  return `${instanceUrl}/bulk/${[...steps, hex(element.tag)].join("/")}`;
}

export function metadataJson(
  dataset: DicomDataset,
  decoding: TextDecoding,
  instanceUrl: string,
): DicomJsonDataset {
  return dicomJson(dataset, decoding, {
    binary: (element) => ({ kind: "uri", uri: bulkDataUri(instanceUrl, element) }),
  });
}

export function metadataText(
  dataset: DicomDataset,
  decoding: TextDecoding,
  instanceUrl: string,
): string {
  return datasetText(metadataJson(dataset, decoding, instanceUrl));
}
