// Orthanc's reconstruction (/{level}/{id}/reconstruct, /tools/reconstruct, the plugins'
// OrthancPluginReconstructMainDicomTags): the stored files are read again and the main DICOM tags
// of each instance and its ancestors, and the metadata read from the file, are written anew in
// the index, so that a change of the dictionary or of the main tags (or a resource whose
// children disagree) ends up in the index. With ReconstructFiles, each file is also stored again
// as StorageCompression asks now. One transaction per instance: a reconstruction interrupted
// leaves every instance either as it was or rebuilt.
import type { Encoding } from "../dicom/charsets.ts";
import { type Level, LEVELS } from "../dicom/levels.ts";
import type { IndexBackend } from "../index/interface.ts";
import type { AttachmentStore } from "./attachments.ts";
import { ContentType, Metadata, type Resource } from "./model.ts";
import type { ResourceReader } from "./resources.ts";
import { parseReceived } from "./store.ts";

export interface ReconstructionParts {
  index: IndexBackend;
  resources: ResourceReader;
  attachments: AttachmentStore;
  defaultEncoding: () => Encoding;
  /** StorageCompression, for ReconstructFiles. */
  compression: boolean;
}

export interface ReconstructOptions {
  /** Also store each file again, compressed or not as the configuration asks now. */
  files?: boolean;
  /**
   * Orthanc's LimitToThisLevelMainDicomTags: only the resource's own main tags, read again from
   * one of its instances (the others and the ancestors are left as they are).
   */
  thisLevelOnly?: boolean;
}

export class Reconstruction {
  constructor(private readonly parts: ReconstructionParts) {}

  /** Every instance of the resource, its ancestors' main tags taken from them in turn. */
  async resource(r: Resource, options: ReconstructOptions = {}): Promise<void> {
    const instances = this.parts.resources.instancesOf(r);
    if (options.thisLevelOnly) {
      if (instances[0]) await this.instance(instances[0], { levels: [r.level] });
      return;
    }
    // Orthanc's order decides whose values the ancestors keep.
    for (const instance of instances) {
      await this.instance(instance, { ...options, levels: LEVELS });
    }
  }

  /** Every instance stored. */
  async all(options: ReconstructOptions = {}): Promise<void> {
    for (const id of this.parts.index.listLevel("Patient")) {
      const patient = this.parts.index.lookup(id);
      if (patient) await this.resource(patient, options);
    }
  }

  /**
   * Orthanc's invalidate-tags: removes the DICOM-as-JSON summaries that Orthanc caches beside the
   * files (an index shared with Orthanc may hold them); they are computed again when needed.
   */
  async invalidateTags(): Promise<void> {
    for (const id of this.parts.index.listLevel("Instance")) {
      const instance = this.parts.index.lookup(id);
      if (instance && this.parts.attachments.find(instance, ContentType.DicomAsJson)) {
        await this.parts.attachments.remove(instance, ContentType.DicomAsJson);
      }
    }
  }

  /** Rebuilds, from one instance's file, the main tags of `levels` among it and its ancestors. */
  private async instance(
    instance: Resource,
    options: { files?: boolean; levels: readonly Level[] },
  ): Promise<void> {
    const { index, attachments } = this.parts;
    const file = attachments.find(instance, ContentType.Dicom);
    // An instance deleted meanwhile, or without a file, has nothing to be rebuilt from.
    if (!file) return;
    const bytes = await attachments.content(file);
    const { summary } = await parseReceived(bytes, this.parts.defaultEncoding());
    index.transaction(() => {
      let current: Resource | undefined = index.byInternalId(instance.internalId);
      for (const level of [...LEVELS].reverse()) {
        if (!current) return;
        if (!options.levels.includes(level)) {
          current = current.parentId === null ? undefined : index.byInternalId(current.parentId);
          continue;
        }
        index.clearMainTags(current.internalId);
        for (const [tag, value] of summary.mainTags[level]) {
          index.setMainTag(current.internalId, tag, value);
        }
        if (level === "Study") {
          // Each study keeps a copy of its patient's tags (PatientMainDicomTags).
          for (const [tag, value] of summary.mainTags.Patient) {
            index.setMainTag(current.internalId, tag, value);
          }
        }
        if (level === "Instance") {
          index.setMetadata(current.internalId, Metadata.SopClassUid, summary.sopClassUid);
          if (summary.transferSyntaxDeclared) {
            index.setMetadata(current.internalId, Metadata.TransferSyntax, summary.transferSyntax);
          }
        }
        current = current.parentId === null ? undefined : index.byInternalId(current.parentId);
      }
    });
    if (options.files) {
      await attachments.setCompression(instance, ContentType.Dicom, this.parts.compression);
    }
  }
}
