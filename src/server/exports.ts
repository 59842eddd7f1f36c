// The exports log (LogExportedResources): one row per instance sent to another modality.
import type { IndexDatabase, Resource } from "../index/database.ts";
import { Tags } from "../dicom/tag.ts";
import { isoNow } from "./time.ts";

export function logExportedInstance(
  index: IndexDatabase,
  instance: Resource,
  remoteModality: string,
): void {
  const chain: Resource[] = [instance];
  for (let r = instance; r.parentId !== null;) {
    const parent = index.byInternalId(r.parentId);
    if (!parent) break;
    chain.push(parent);
    r = parent;
  }
  const tag = (level: number, t: number) =>
    (chain[level] ? index.mainTags(chain[level]!.internalId).get(t) : undefined) ?? "";
  index.logExport({
    level: "Instance",
    publicId: instance.publicId,
    remoteModality,
    patientId: tag(3, Tags.PatientId),
    studyInstanceUid: tag(2, Tags.StudyInstanceUid),
    seriesInstanceUid: tag(1, Tags.SeriesInstanceUid),
    sopInstanceUid: tag(0, Tags.SopInstanceUid),
    date: isoNow(),
  });
}
