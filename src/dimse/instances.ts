// From stored resources to what goes on the wire: the instances below resources, and an
// instance's dataset bytes as stored (the meta header removed, the dataset untouched).
import type { Level } from "../dicom/levels.ts";
import { elementBytes, findElement, latin1, parseDicom } from "../dicom/parser.ts";
import { Tags } from "../dicom/tag.ts";
import type { Resource } from "../server/model.ts";
import type { PharosCore } from "../server/core.ts";
import type { DimseInstance } from "./types.ts";

function uidOf(file: ReturnType<typeof parseDicom>, metaTag: number, tag: number): string {
  const fromMeta = findElement(file.meta, metaTag);
  const e = fromMeta ?? findElement(file.dataset, tag);
  if (!e) return "";
  const bytes = fromMeta ? elementBytes(file.meta, e) : elementBytes(file.dataset, e);
  return latin1(bytes).replace(/[\0 ]+$/, "");
}

/** A Part 10 file as DIMSE sends it; throws DicomParseError on a file that is not DICOM. */
export function dimseInstanceOf(bytes: Uint8Array): DimseInstance {
  const file = parseDicom(bytes);
  return {
    sopClassUid: uidOf(file, Tags.MediaStorageSopClassUid, Tags.SopClassUid),
    sopInstanceUid: uidOf(file, Tags.MediaStorageSopInstanceUid, Tags.SopInstanceUid),
    transferSyntax: file.transferSyntax,
    dataset: bytes.subarray(file.datasetOffset),
    file: bytes,
  };
}

/** A stored instance as DIMSE sends it. */
export async function loadInstance(core: PharosCore, instance: Resource): Promise<DimseInstance> {
  return dimseInstanceOf(await core.dicomBytes(instance));
}

/**
 * The instances to send, loaded a batch at a time (one association each) so that memory stays
 * bounded whatever the size of the study: a batch holds up to `maxBytes` and `maxCount()`
 * instances (asked at each batch), and at least one.
 */
export async function* instanceBatches(
  core: PharosCore,
  targets: Resource[],
  maxBytes = 128 * 1024 * 1024,
  maxCount: () => number = () => Infinity,
): AsyncGenerator<DimseInstance[]> {
  let batch: DimseInstance[] = [];
  let size = 0;
  for (const t of targets) {
    const instance = await loadInstance(core, t);
    const full = size + instance.dataset.length > maxBytes || batch.length >= maxCount();
    if (batch.length > 0 && full) {
      yield batch;
      batch = [];
      size = 0;
    }
    batch.push(instance);
    size += instance.dataset.length;
  }
  if (batch.length > 0) yield batch;
}

/** Orthanc's level names in REST answers and DICOM QueryRetrieveLevel values. */
export const QR_LEVEL: Record<Level, string> = {
  Patient: "PATIENT",
  Study: "STUDY",
  Series: "SERIES",
  Instance: "IMAGE",
};

export function levelOfQr(text: string): Level | undefined {
  switch (text.trim().toUpperCase()) {
    case "PATIENT":
      return "Patient";
    case "STUDY":
      return "Study";
    case "SERIES":
      return "Series";
    case "IMAGE":
    case "INSTANCE":
      return "Instance";
    default:
      return undefined;
  }
}
