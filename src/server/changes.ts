// The change feed (/changes) and the exports log (/exports, LogExportedResources): reading,
// clearing, and recording the resources sent to a modality.
import type { Level } from "../dicom/levels.ts";
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

  /**
   * Records the resources a client asked to send to `remoteModality` (LogExportedResources): one
   * entry per resource named, at its level, as Orthanc logs them when the request is made.
   */
  logExportedResources(resources: Resource[], remoteModality: string): void {
    if (resources.length === 0) return;
    this.index.transaction(() => {
      for (const resource of resources) this.logExport(resource, remoteModality);
    });
  }

  private logExport(resource: Resource, remoteModality: string): void {
    const { index } = this;
    const byLevel = new Map<Level, Resource>([[resource.level, resource]]);
    for (let r = resource; r.parentId !== null;) {
      const parent = index.byInternalId(r.parentId);
      if (!parent) break;
      byLevel.set(parent.level, parent);
      r = parent;
    }
    const tag = (level: Level, t: number) => {
      const r = byLevel.get(level);
      return (r ? index.mainTags(r.internalId).get(t) : undefined) ?? "";
    };
    index.logExport({
      level: resource.level,
      publicId: resource.publicId,
      remoteModality,
      patientId: tag("Patient", Tags.PatientId),
      studyInstanceUid: tag("Study", Tags.StudyInstanceUid),
      seriesInstanceUid: tag("Series", Tags.SeriesInstanceUid),
      sopInstanceUid: tag("Instance", Tags.SopInstanceUid),
      date: isoNow(),
    });
  }
}
