// The change feed (/changes) and the exports log (/exports, LogExportedResources): reading,
// clearing, and recording the instances sent to a modality.
import { Tags } from "../dicom/tag.ts";
import type { IndexBackend } from "../index/interface.ts";
import type { Change, ExportedResource, Resource } from "./model.ts";
import { isoNow } from "./time.ts";

export class ChangeLog {
  constructor(private readonly index: IndexBackend) {}

  changes(since: number, limit: number): Change[] {
    return this.index.changes(since, limit);
  }

  lastChange(): Change | undefined {
    return this.index.lastChange();
  }

  /** The last sequence number given, which survives a clear (Orthanc's "Last"). */
  lastSequence(table: "changes" | "exports"): number {
    return this.index.lastSequence(table);
  }

  clearChanges(): void {
    this.index.clearChanges();
  }

  exports(since: number, limit: number): ExportedResource[] {
    return this.index.exports(since, limit);
  }

  clearExports(): void {
    this.index.clearExports();
  }

  /** Records the instances sent to `remoteModality`, in one transaction. */
  logExportedInstances(instances: Resource[], remoteModality: string): void {
    if (instances.length === 0) return;
    this.index.transaction(() => {
      for (const instance of instances) this.logExport(instance, remoteModality);
    });
  }

  private logExport(instance: Resource, remoteModality: string): void {
    const { index } = this;
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
}
