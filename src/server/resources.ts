// Reading the resource tree: lookups, children and parents, main DICOM tags, metadata,
// attachments, protection, labels, counts. What every front end reads goes through here, never
// through the index itself (src/index is the server's business).
import type { Level } from "../dicom/levels.ts";
import type { Tag } from "../dicom/tag.ts";
import type { IndexBackend } from "../index/interface.ts";
import { OrthancError } from "./errors.ts";
import type {
  AttachmentInfo,
  ChildFile,
  ChildFilesQuery,
  MetadataEntry,
  Resource,
  SubtreeStatistics,
  Totals,
} from "./model.ts";

export class ResourceReader {
  constructor(private readonly index: IndexBackend) {}

  lookup(publicId: string): Resource | undefined {
    return this.index.lookup(publicId);
  }

  /** Resolves a public id at a level, or throws Orthanc's UnknownResource. */
  get(publicId: string, level: Level): Resource {
    const r = this.index.lookup(publicId);
    if (!r || r.level !== level) throw new OrthancError("UnknownResource");
    return r;
  }

  byInternalId(internalId: number): Resource | undefined {
    return this.index.byInternalId(internalId);
  }

  parent(r: Resource): Resource | undefined {
    return r.parentId === null ? undefined : this.index.byInternalId(r.parentId);
  }

  children(internalId: number): Resource[] {
    return this.index.children(internalId);
  }

  /** The children, each with a main tag, an attachment and metadata values, in one query. */
  childFiles(internalId: number, query: ChildFilesQuery): ChildFile[] {
    return this.index.childFiles(internalId, query);
  }

  /**
   * The instances below a resource (itself for an instance) in the order Orthanc's jobs and
   * reconstructions visit them: depth first through a stack, the last child first.
   */
  instancesOf(r: Resource): Resource[] {
    const out: Resource[] = [];
    const stack = [r];
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (top.level === "Instance") out.push(top);
      else stack.push(...this.index.children(top.internalId));
    }
    return out;
  }

  countChildren(internalId: number): number {
    return this.index.countChildren(internalId);
  }

  /** Public ids of a level in creation order; `since`/`limit` page through them as Orthanc does. */
  listLevel(level: Level, since?: number, limit?: number): string[] {
    return this.index.listLevel(level, since, limit);
  }

  mainTags(internalId: number): Map<Tag, string> {
    return this.index.mainTags(internalId);
  }

  metadata(internalId: number): Map<number, string> {
    return this.index.metadata(internalId);
  }

  metadataEntry(internalId: number, type: number): MetadataEntry | undefined {
    return this.index.metadataEntry(internalId, type);
  }

  attachments(internalId: number): AttachmentInfo[] {
    return this.index.attachments(internalId);
  }

  attachment(internalId: number, contentType: number): AttachmentInfo | undefined {
    return this.index.attachment(internalId, contentType);
  }

  isProtected(internalId: number): boolean {
    return this.index.isProtected(internalId);
  }

  subtreeStatistics(internalId: number): SubtreeStatistics {
    return this.index.subtreeStatistics(internalId);
  }

  totals(): Totals {
    return this.index.totals();
  }

  /** /tools/lookup: the resources carrying a DICOM identifier. */
  lookupIdentifier(value: string): Resource[] {
    return this.index.lookupIdentifier(value);
  }

  /** Labels of one resource, sorted. */
  labelsOf(internalId: number): string[] {
    return this.index.labelsOf(internalId);
  }

  hasLabel(internalId: number, label: string): boolean {
    return this.index.hasLabel(internalId, label);
  }

  /** Every label in use, sorted. */
  allLabels(): string[] {
    return this.index.allLabels();
  }
}
