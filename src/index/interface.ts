// The index as the server sees it: one interface per table (as Orthanc's IDatabaseWrapper), that
// the embedded SQLite back-end (src/index/sqlite) implements and a second back-end (PostgreSQL)
// can implement too. Only src/server calls it; the front ends go through the server's services.
//
// The interface is synchronous, and a transaction is a synchronous closure: the store pipeline
// and the deletions rely on nothing else running between their reads and their writes. A
// back-end whose client is asynchronous must present it synchronously (for example a worker
// holding the connection, waited for with Atomics.wait) or change this contract everywhere.
import type { Level } from "../dicom/levels.ts";
import type { Tag } from "../dicom/tag.ts";
import type {
  AttachmentInfo,
  Change,
  ChildFile,
  ChildFilesQuery,
  ExportedResource,
  MetadataEntry,
  Resource,
  StoredFile,
  SubtreeStatistics,
  Totals,
} from "../server/model.ts";

/** A condition on the normalized (upper-case) or raw value of one main tag. */
export type ValueCondition =
  | { kind: "equal"; norm: string; exact?: string }
  | { kind: "in"; norms: string[] }
  | { kind: "glob"; normPattern: string; exactPattern?: string }
  | { kind: "range"; low?: string; high?: string }
  | { kind: "any"; alternatives: ValueCondition[] };

export interface TagConstraint {
  /** The level whose row holds the tag (patient tags are also copied to studies). */
  holder: Level;
  tag: Tag;
  condition: ValueCondition;
}

/** At the study level: a condition on the Modality of at least one of its series. */
export interface ChildModalityConstraint {
  condition: ValueCondition;
}

/** One key of OrderBy (Orthanc 1.12.5): a main tag or a metadata; resources lacking it stay. */
export type OrderKey =
  | { kind: "tag"; holder: Level; tag: Tag; descending: boolean }
  | { kind: "metadata"; type: number; descending: boolean };

export interface FindPlan {
  level: Level;
  tags: TagConstraint[];
  childModality?: ChildModalityConstraint;
  /** Only descendants of this resource (ParentPatient / ParentStudy / ParentSeries). */
  ancestor?: { level: Level; internalId: number };
  /** Only these internal ids (labels), or undefined for no such restriction. */
  restrictTo?: Set<number>;
  exclude?: Set<number>;
  orderBy?: OrderKey[];
  /** MetadataQuery (Orthanc 1.12.5): each value exactly, from a list, or a GLOB pattern. */
  metadata?: { type: number; values: string[]; pattern: boolean }[];
  since: number;
  limit?: number;
}

export interface FoundRow {
  internal_id: number;
  public_id: string;
  parent_id: number | null;
}

/** The resources table: the patient / study / series / instance tree. */
export interface ResourcesTable {
  lookup(publicId: string): Resource | undefined;
  byInternalId(internalId: number): Resource | undefined;
  createResource(level: Level, publicId: string, parentId: number | null): number;
  children(internalId: number): Resource[];
  /**
   * The children as `children` orders them, each with a main tag, an attachment and metadata
   * values: one query for a series rather than three for each instance.
   */
  childFiles(internalId: number, query: ChildFilesQuery): ChildFile[];
  countChildren(internalId: number): number;
  /** Public ids of a level in creation order; `since`/`limit` page through them as Orthanc does. */
  listLevel(level: Level, since?: number, limit?: number): string[];
  /** Deletes a resource and its descendants. */
  deleteResource(internalId: number): void;
  /** Every file of a resource and its descendants. */
  subtreeFiles(internalId: number): StoredFile[];
  subtreeStatistics(internalId: number): SubtreeStatistics;
  /** The resources carrying a DICOM identifier (PatientID, a study/series/SOP instance UID). */
  lookupIdentifier(value: string): Resource[];
}

/** The main DICOM tags of each resource, with their normalized values for matching. */
export interface MainTagsTable {
  setMainTag(internalId: number, tag: Tag, value: string): void;
  /** Removes every main tag of a resource (before a reconstruction writes them again). */
  clearMainTags(internalId: number): void;
  mainTags(internalId: number): Map<Tag, string>;
  /** The resources a find plan selects, ordered by public id, then paged. */
  runFind(plan: FindPlan): FoundRow[];
}

export interface MetadataTable {
  /** Creates the entry, or replaces its value and increments its revision. */
  setMetadata(internalId: number, type: number, value: string): void;
  metadata(internalId: number): Map<number, string>;
  metadataEntry(internalId: number, type: number): MetadataEntry | undefined;
  deleteMetadata(internalId: number, type: number): void;
}

export interface AttachmentsTable {
  /** Creates the attachment, or replaces the one of the same content type. */
  addAttachment(internalId: number, a: AttachmentInfo): void;
  attachments(internalId: number): AttachmentInfo[];
  attachment(internalId: number, contentType: number): AttachmentInfo | undefined;
  /** The content types of a resource's attachments, by number. */
  attachmentTypes(internalId: number): number[];
  deleteAttachment(internalId: number, contentType: number): void;
}

/**
 * The file journal, which makes a crash between a file and its row leave no orphan: a file is
 * journaled before it is written; a back-end takes a file out of the journal in the transaction
 * whose attachment row starts pointing at it, and puts one in the transaction whose row stops
 * pointing at it; a file leaves the journal once removed. What the journal holds at startup is
 * removed.
 */
export interface PendingFilesTable {
  addPendingFile(file: StoredFile): void;
  removePendingFile(uuid: string): void;
  pendingFiles(): StoredFile[];
}

export interface ChangesTable {
  logChange(changeType: number, level: Level, publicId: string, date: string): void;
  changes(since: number, limit: number): Change[];
  lastChange(): Change | undefined;
  /** The last sequence number given, which survives a clear (Orthanc's "Last"). */
  lastSequence(table: "changes" | "exports"): number;
  clearChanges(): void;
}

export interface ExportsTable {
  logExport(e: Omit<ExportedResource, "seq">): void;
  exports(since: number, limit: number): ExportedResource[];
  clearExports(): void;
}

export interface LabelsTable {
  addLabel(internalId: number, label: string): void;
  removeLabel(internalId: number, label: string): void;
  /** Labels of one resource, sorted by bytes. */
  labelsOf(internalId: number): string[];
  hasLabel(internalId: number, label: string): boolean;
  /** Every label attached to at least one resource, sorted by bytes. */
  allLabels(): string[];
  /**
   * Internal ids of the resources of `level` that carry all (`minimum` = labels.length) or at
   * least one (`minimum` = 1) of `labels`, which must be distinct.
   */
  resourcesWithLabels(level: Level, labels: readonly string[], minimum: number): Set<number>;
  /** Internal ids of the resources of `level` that carry any label at all. */
  labelledResources(level: Level): Set<number>;
}

/** The recycling order of patients (MaximumStorageSize / MaximumPatientCount) and protection. */
export interface RecyclingTable {
  /** Moves a patient to the end of the recycling order (it just received an instance). */
  touchPatient(patientId: number): void;
  /** The patient to recycle first, never `keep` nor a protected one. */
  oldestUnprotectedPatient(keep: number): number | undefined;
  setProtected(patientId: number, value: boolean): void;
  isProtected(patientId: number): boolean;
}

export interface GlobalPropertiesTable {
  globalProperty(property: number): string | undefined;
  setGlobalProperty(property: number, value: string): void;
}

export interface KeyValueEntry {
  key: string;
  value: Uint8Array;
}

/** The key-value stores and queues of Orthanc 1.12.8, which plugins use. */
export interface KeyValuesTable {
  storeKeyValue(storeId: string, key: string, value: Uint8Array): void;
  keyValue(storeId: string, key: string): Uint8Array | undefined;
  deleteKeyValue(storeId: string, key: string): void;
  /** A store's entries in the byte order of their keys, from the first key after `after`. */
  listKeyValues(storeId: string, after: string | undefined, limit: number): KeyValueEntry[];
  enqueueValue(queueId: string, value: Uint8Array): void;
  /** Takes out the oldest ("front") or the newest ("back") value, atomically. */
  dequeueValue(queueId: string, origin: "front" | "back"): Uint8Array | undefined;
  queueSize(queueId: string): number;
}

export interface TotalsTable {
  /** /statistics: kept exact on every insert and delete. */
  totals(): Totals;
}

/** A whole index back-end. */
export interface IndexBackend
  extends
    ResourcesTable,
    MainTagsTable,
    MetadataTable,
    AttachmentsTable,
    ChangesTable,
    ExportsTable,
    LabelsTable,
    RecyclingTable,
    GlobalPropertiesTable,
    TotalsTable,
    PendingFilesTable,
    KeyValuesTable {
  /** Runs `fn` in one write transaction; a throw rolls it back. */
  transaction<T>(fn: () => T): T;
  /**
   * Optional, inside a transaction: reads these resources at once, for the lookups that follow,
   * on a back-end where each read is a round trip to a server.
   */
  prefetch?(publicIds: readonly string[]): void;
  close(): void;
}

/** Every method of IndexBackend, for checking a back-end a plugin provides (at run time). */
export const INDEX_METHODS = [
  "close",
  "transaction",
  "lookup",
  "byInternalId",
  "createResource",
  "children",
  "childFiles",
  "countChildren",
  "listLevel",
  "setMainTag",
  "mainTags",
  "clearMainTags",
  "setMetadata",
  "metadata",
  "addAttachment",
  "attachments",
  "attachment",
  "attachmentTypes",
  "deleteAttachment",
  "lookupIdentifier",
  "runFind",
  "addLabel",
  "removeLabel",
  "labelsOf",
  "hasLabel",
  "allLabels",
  "resourcesWithLabels",
  "labelledResources",
  "addPendingFile",
  "removePendingFile",
  "pendingFiles",
  "subtreeFiles",
  "deleteResource",
  "logChange",
  "totals",
  "metadataEntry",
  "deleteMetadata",
  "changes",
  "lastChange",
  "lastSequence",
  "clearChanges",
  "logExport",
  "exports",
  "clearExports",
  "touchPatient",
  "oldestUnprotectedPatient",
  "setProtected",
  "isProtected",
  "subtreeStatistics",
  "globalProperty",
  "setGlobalProperty",
  "storeKeyValue",
  "keyValue",
  "deleteKeyValue",
  "listKeyValues",
  "enqueueValue",
  "dequeueValue",
  "queueSize",
] as const satisfies readonly (keyof IndexBackend)[];

/** The methods of IndexBackend that `value` lacks (none: it can serve as the index). */
export function missingIndexMethods(value: object): string[] {
  const record = value as Record<string, unknown>;
  return INDEX_METHODS.filter((name) => typeof record[name] !== "function");
}
