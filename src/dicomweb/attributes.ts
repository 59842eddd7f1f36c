// The DICOM JSON (PS3.18 Annex F) of chosen attributes of a stored instance.
import {
  type BinaryElement,
  type BinaryMode,
  dicomJson,
  type DicomJsonDataset,
} from "../dicom/dicom-json.ts";
import type { Tag } from "../dicom/tag.ts";
import type { InstanceData } from "../rest/instance-data.ts";

/** The top-level attributes `keep` chooses, binary values inline unless `binary` says otherwise. */
export function datasetAttributes(
  instance: InstanceData,
  keep: (tag: Tag) => boolean,
  binary?: (element: BinaryElement) => BinaryMode,
): DicomJsonDataset {
  const { dataset } = instance.parsed;
  const chosen = { ...dataset, elements: dataset.elements.filter((e) => keep(e.tag)) };
  return dicomJson(chosen, instance.decoding, binary ? { binary } : {});
}
