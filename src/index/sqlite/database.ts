// The embedded SQLite index (bun:sqlite, WAL): one prepared statement per operation, all writes
// inside transactions. The SQL of labels, lookups, attachments and finds is in the files beside.
import { Database, type SQLQueryBindings, type Statement } from "bun:sqlite";
import { type Level, LEVELS } from "../../dicom/levels.ts";
import type { Tag } from "../../dicom/tag.ts";
import {
  type AttachmentInfo,
  type Change,
  type ChildFile,
  type ChildFilesQuery,
  ContentType,
  type ExportedResource,
  type MetadataEntry,
  normalizeValue,
  type Resource,
  type StoredFile,
  type SubtreeStatistics,
  type Totals,
} from "../../server/model.ts";
import { attachmentRow, exportRow } from "../row-values.ts";
import { Checkpointer } from "./checkpointer.ts";
import { type FindDialect, findStatement } from "../find-sql.ts";
import type { FindPlan, FoundRow, IndexBackend, KeyValueEntry } from "../interface.ts";
import { attachmentTypes, deleteAttachment, findAttachment } from "./attachments.ts";
import * as keyValues from "./key-values.ts";
import {
  addLabel,
  allLabels,
  hasLabel,
  labelledResources,
  labelsOf,
  removeLabel,
  resourcesWithLabels,
} from "./labels.ts";
import { childFiles } from "./child-files.ts";
import { lookupIdentifier } from "./lookup.ts";
import { addPendingFile, pendingFiles, removePendingFile } from "./pending-files.ts";
import { type AttachmentRow, toAttachment } from "./rows.ts";
import { SCHEMA, SCHEMA_VERSION } from "./schema.ts";

interface ResourceRow {
  internal_id: number;
  level: number;
  public_id: string;
  parent_id: number | null;
}

const toResource = (row: ResourceRow): Resource => ({
  internalId: row.internal_id,
  level: LEVELS[row.level]!,
  publicId: row.public_id,
  parentId: row.parent_id,
});

/** Brings an index written by an earlier version of Pharos to the current schema. */
function migrate(db: Database): void {
  const version =
    db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;
  const exists = db.query("SELECT 1 FROM sqlite_master WHERE name = 'main_tags'").get();
  // Version 3 only added tables (the key-value stores and queues), which SCHEMA creates.
  if (version >= 2 || !exists) return;
  // Version 2 added the normalized value of main tags.
  db.transaction(() => {
    db.exec("ALTER TABLE main_tags ADD COLUMN norm TEXT NOT NULL DEFAULT ''");
    db.exec("DROP INDEX IF EXISTS main_tags_value");
    const rows = db.query<{ resource_id: number; tag: number; value: string }, []>(
      "SELECT resource_id, tag, value FROM main_tags",
    ).all();
    const update = db.query("UPDATE main_tags SET norm = ? WHERE resource_id = ? AND tag = ?");
    for (const r of rows) update.run(normalizeValue(r.value), r.resource_id, r.tag);
  })();
}

const toChange = (
  row: { seq: number; change_type: number; level: number; public_id: string; date: string },
): Change => ({
  seq: row.seq,
  changeType: row.change_type,
  level: LEVELS[row.level]!,
  publicId: row.public_id,
  date: row.date,
});

const SQLITE_FIND: FindDialect = {
  glob: (expr, pattern, params) => (params.push(pattern), `${expr} GLOB ?`),
  noLimit: -1,
  orderedJoin: "CROSS JOIN",
};

export class SqliteIndex implements IndexBackend {
  readonly db: Database;
  private readonly checkpointer: Checkpointer;
  private readonly s: {
    byPublicId: Statement<ResourceRow, [string]>;
    byInternalId: Statement<ResourceRow, [number]>;
    insertResource: Statement<unknown, [number, string, number | null]>;
    children: Statement<ResourceRow, [number]>;
    countChildren: Statement<{ n: number }, [number]>;
    listLevel: Statement<{ public_id: string }, [number, number, number]>;
    insertTag: Statement<unknown, [number, number, string, string]>;
    tags: Statement<{ tag: number; value: string }, [number]>;
    clearTags: Statement<unknown, [number]>;
    upsertMetadata: Statement<unknown, [number, number, string]>;
    metadata: Statement<{ type: number; value: string }, [number]>;
    metadataEntry: Statement<{ value: string; revision: number }, [number, number]>;
    deleteMetadata: Statement<unknown, [number, number]>;
    changes: Statement<
      { seq: number; change_type: number; level: number; public_id: string; date: string },
      [number, number]
    >;
    lastChange: Statement<
      { seq: number; change_type: number; level: number; public_id: string; date: string },
      []
    >;
    lastSeq: Statement<{ seq: number }, [string]>;
    clearChanges: Statement<unknown, []>;
    insertExport: Statement<
      unknown,
      [number, string, string, string, string, string, string, string]
    >;
    exports: Statement<{
      seq: number;
      level: number;
      public_id: string;
      remote_modality: string;
      patient_id: string;
      study_instance_uid: string;
      series_instance_uid: string;
      sop_instance_uid: string;
      date: string;
    }, [number, number]>;
    clearExports: Statement<unknown, []>;
    touchPatient: Statement<unknown, [number]>;
    oldestUnprotected: Statement<{ patient_id: number }, [number]>;
    setProtected: Statement<unknown, [number, number]>;
    isProtected: Statement<{ protected: number }, [number]>;
    insertAttachment: Statement<
      unknown,
      [number, number, string, number, number, number, string, string, number]
    >;
    attachments: Statement<AttachmentRow, [number]>;
    subtreeFiles: Statement<{ uuid: string; content_type: number }, [number]>;
    deleteResource: Statement<unknown, [number]>;
    insertChange: Statement<unknown, [number, number, string, string]>;
    totals: Statement<{
      patients: number;
      studies: number;
      series: number;
      instances: number;
      compressed_size: number;
      uncompressed_size: number;
    }, []>;
    subtreeSizes: Statement<
      { c: number | null; u: number | null; dc: number | null; du: number | null },
      [number]
    >;
    subtreeCount: Statement<{ level: number; n: number }, [number]>;
    getProperty: Statement<{ value: string }, [number]>;
    setProperty: Statement<unknown, [number, string]>;
  };

  constructor(path: string) {
    this.db = new Database(path, { create: true, strict: false });
    this.db.exec("PRAGMA journal_mode = WAL");
    // NORMAL in WAL mode is durable against process crashes; FULL would add power-loss durability.
    this.db.exec("PRAGMA synchronous = NORMAL");
    this.db.exec("PRAGMA foreign_keys = ON");
    this.db.exec("PRAGMA busy_timeout = 5000");
    this.checkpointer = new Checkpointer(path, (pages) => {
      this.db.exec(`PRAGMA wal_autocheckpoint = ${pages}`);
    });
    migrate(this.db);
    this.db.exec(SCHEMA);
    this.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    const q = <R, P extends SQLQueryBindings[]>(sql: string) => this.db.query<R, P>(sql);
    const cols = "internal_id, level, public_id, parent_id";
    this.s = {
      byPublicId: q(`SELECT ${cols} FROM resources WHERE public_id = ?`),
      byInternalId: q(`SELECT ${cols} FROM resources WHERE internal_id = ?`),
      insertResource: q("INSERT INTO resources (level, public_id, parent_id) VALUES (?, ?, ?)"),
      children: q(`SELECT ${cols} FROM resources WHERE parent_id = ? ORDER BY internal_id`),
      countChildren: q("SELECT COUNT(*) AS n FROM resources WHERE parent_id = ?"),
      listLevel: q(
        "SELECT public_id FROM resources WHERE level = ? ORDER BY internal_id LIMIT ? OFFSET ?",
      ),
      insertTag: q(
        "INSERT OR REPLACE INTO main_tags (resource_id, tag, value, norm) VALUES (?, ?, ?, ?)",
      ),
      tags: q("SELECT tag, value FROM main_tags WHERE resource_id = ?"),
      clearTags: q("DELETE FROM main_tags WHERE resource_id = ?"),
      upsertMetadata: q(
        `INSERT INTO metadata (resource_id, type, value) VALUES (?, ?, ?)
         ON CONFLICT (resource_id, type) DO UPDATE SET value = excluded.value, revision = revision + 1`,
      ),
      metadata: q("SELECT type, value FROM metadata WHERE resource_id = ? ORDER BY type"),
      metadataEntry: q("SELECT value, revision FROM metadata WHERE resource_id = ? AND type = ?"),
      deleteMetadata: q("DELETE FROM metadata WHERE resource_id = ? AND type = ?"),
      changes: q("SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?"),
      lastChange: q("SELECT * FROM changes ORDER BY seq DESC LIMIT 1"),
      // The sequence survives DELETE /changes, as Orthanc's "Last" does.
      lastSeq: q("SELECT seq FROM sqlite_sequence WHERE name = ?"),
      clearChanges: q("DELETE FROM changes"),
      insertExport: q(
        `INSERT INTO exports (level, public_id, remote_modality, patient_id, study_instance_uid,
           series_instance_uid, sop_instance_uid, date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      exports: q("SELECT * FROM exports WHERE seq > ? ORDER BY seq LIMIT ?"),
      clearExports: q("DELETE FROM exports"),
      // A patient already last keeps its row as it is: the store that follows another of the same
      // patient writes none of the table's pages (2-3 of the ~30 a lone store's commit writes).
      touchPatient: q(
        `INSERT INTO patient_recycling (patient_id, seq, protected)
         VALUES (?1, (SELECT IFNULL(MAX(seq), 0) + 1 FROM patient_recycling), 0)
         ON CONFLICT (patient_id) DO UPDATE SET seq = excluded.seq
         WHERE seq < excluded.seq - 1`,
      ),
      oldestUnprotected: q(
        "SELECT patient_id FROM patient_recycling WHERE protected = 0 AND patient_id <> ? ORDER BY seq LIMIT 1",
      ),
      setProtected: q("UPDATE patient_recycling SET protected = ? WHERE patient_id = ?"),
      isProtected: q("SELECT protected FROM patient_recycling WHERE patient_id = ?"),
      // An UPDATE on conflict rather than DELETE + INSERT, so that one trigger adjusts the
      // totals by the difference when an attachment is replaced.
      insertAttachment: q(
        `INSERT INTO attachments (resource_id, content_type, uuid, compressed_size, uncompressed_size,
           compression, uncompressed_md5, compressed_md5, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (resource_id, content_type) DO UPDATE SET uuid = excluded.uuid,
           compressed_size = excluded.compressed_size, uncompressed_size = excluded.uncompressed_size,
           compression = excluded.compression, uncompressed_md5 = excluded.uncompressed_md5,
           compressed_md5 = excluded.compressed_md5, revision = excluded.revision`,
      ),
      attachments: q("SELECT * FROM attachments WHERE resource_id = ? ORDER BY content_type"),
      subtreeFiles: q(
        `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL
           SELECT r.internal_id FROM resources r JOIN sub ON r.parent_id = sub.id)
         SELECT a.uuid, a.content_type FROM attachments a JOIN sub ON a.resource_id = sub.id`,
      ),
      deleteResource: q("DELETE FROM resources WHERE internal_id = ?"),
      insertChange: q(
        "INSERT INTO changes (change_type, level, public_id, date) VALUES (?, ?, ?, ?)",
      ),
      totals: q("SELECT * FROM totals WHERE id = 0"),
      subtreeSizes: q(
        `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL
           SELECT r.internal_id FROM resources r JOIN sub ON r.parent_id = sub.id)
         SELECT SUM(a.compressed_size) AS c, SUM(a.uncompressed_size) AS u,
           SUM(CASE a.content_type WHEN ${ContentType.Dicom} THEN a.compressed_size END) AS dc,
           SUM(CASE a.content_type WHEN ${ContentType.Dicom} THEN a.uncompressed_size END) AS du
         FROM attachments a JOIN sub ON a.resource_id = sub.id`,
      ),
      subtreeCount: q(
        `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL
           SELECT r.internal_id FROM resources r JOIN sub ON r.parent_id = sub.id)
         SELECT r.level AS level, COUNT(*) AS n FROM resources r JOIN sub ON r.internal_id = sub.id
         GROUP BY r.level`,
      ),
      getProperty: q("SELECT value FROM global_properties WHERE property = ?"),
      setProperty: q("INSERT OR REPLACE INTO global_properties (property, value) VALUES (?, ?)"),
    };
  }

  close(): void {
    this.checkpointer.close();
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    const result = this.db.transaction(fn).immediate();
    this.checkpointer.committed();
    return result;
  }

  lookup(publicId: string): Resource | undefined {
    const row = this.s.byPublicId.get(publicId);
    return row ? toResource(row) : undefined;
  }

  byInternalId(internalId: number): Resource | undefined {
    const row = this.s.byInternalId.get(internalId);
    return row ? toResource(row) : undefined;
  }

  createResource(level: Level, publicId: string, parentId: number | null): number {
    const result = this.s.insertResource.run(LEVELS.indexOf(level), publicId, parentId);
    return Number(result.lastInsertRowid);
  }

  children(internalId: number): Resource[] {
    return this.s.children.all(internalId).map(toResource);
  }

  childFiles(internalId: number, query: ChildFilesQuery): ChildFile[] {
    return childFiles(this.db, internalId, query);
  }

  countChildren(internalId: number): number {
    return this.s.countChildren.get(internalId)?.n ?? 0;
  }

  /** Public ids of a level in creation order; `since`/`limit` page through them as Orthanc does. */
  listLevel(level: Level, since = 0, limit?: number): string[] {
    return this.s.listLevel.all(LEVELS.indexOf(level), limit ?? -1, since).map((r) => r.public_id);
  }

  setMainTag(internalId: number, tag: Tag, value: string): void {
    this.s.insertTag.run(internalId, tag, value, normalizeValue(value));
  }

  clearMainTags(internalId: number): void {
    this.s.clearTags.run(internalId);
  }

  mainTags(internalId: number): Map<Tag, string> {
    return new Map(this.s.tags.all(internalId).map((r) => [r.tag >>> 0, r.value]));
  }

  setMetadata(internalId: number, type: number, value: string): void {
    this.s.upsertMetadata.run(internalId, type, value);
  }

  metadata(internalId: number): Map<number, string> {
    return new Map(this.s.metadata.all(internalId).map((r) => [r.type, r.value]));
  }

  /** Creates the attachment, or replaces the one of the same content type. */
  addAttachment(internalId: number, a: AttachmentInfo): void {
    this.s.insertAttachment.run(...attachmentRow(internalId, a));
  }

  attachments(internalId: number): AttachmentInfo[] {
    return this.s.attachments.all(internalId).map(toAttachment);
  }

  attachment(internalId: number, contentType: number): AttachmentInfo | undefined {
    return findAttachment(this.db, internalId, contentType);
  }

  attachmentTypes(internalId: number): number[] {
    return attachmentTypes(this.db, internalId);
  }

  deleteAttachment(internalId: number, contentType: number): void {
    deleteAttachment(this.db, internalId, contentType);
  }

  lookupIdentifier(value: string): Resource[] {
    return lookupIdentifier(this.db, value);
  }

  runFind(plan: FindPlan): FoundRow[] {
    const find = findStatement(plan, SQLITE_FIND);
    return find.finish(this.db.query<FoundRow, SQLQueryBindings[]>(find.sql).all(...find.params));
  }

  addLabel(internalId: number, label: string): void {
    addLabel(this.db, internalId, label);
  }

  removeLabel(internalId: number, label: string): void {
    removeLabel(this.db, internalId, label);
  }

  labelsOf(internalId: number): string[] {
    return labelsOf(this.db, internalId);
  }

  hasLabel(internalId: number, label: string): boolean {
    return hasLabel(this.db, internalId, label);
  }

  allLabels(): string[] {
    return allLabels(this.db);
  }

  resourcesWithLabels(level: Level, labels: readonly string[], minimum: number): Set<number> {
    return resourcesWithLabels(this.db, level, labels, minimum);
  }

  labelledResources(level: Level): Set<number> {
    return labelledResources(this.db, level);
  }

  addPendingFile(file: StoredFile): void {
    addPendingFile(this.db, file);
  }

  removePendingFile(uuid: string): void {
    removePendingFile(this.db, uuid);
  }

  pendingFiles(): StoredFile[] {
    return pendingFiles(this.db);
  }

  /** Every file of a resource and its descendants. */
  subtreeFiles(internalId: number): StoredFile[] {
    return this.s.subtreeFiles.all(internalId).map((r) => ({
      uuid: r.uuid,
      contentType: r.content_type,
    }));
  }

  /** Deletes a resource and its descendants (the schema cascades). */
  deleteResource(internalId: number): void {
    this.s.deleteResource.run(internalId);
  }

  logChange(changeType: number, level: Level, publicId: string, date: string): void {
    this.s.insertChange.run(changeType, LEVELS.indexOf(level), publicId, date);
  }

  totals(): Totals {
    const t = this.s.totals.get()!;
    return {
      patients: t.patients,
      studies: t.studies,
      series: t.series,
      instances: t.instances,
      compressedSize: t.compressed_size,
      uncompressedSize: t.uncompressed_size,
    };
  }

  metadataEntry(internalId: number, type: number): MetadataEntry | undefined {
    return this.s.metadataEntry.get(internalId, type) ?? undefined;
  }

  deleteMetadata(internalId: number, type: number): void {
    this.s.deleteMetadata.run(internalId, type);
  }

  changes(since: number, limit: number): Change[] {
    return this.s.changes.all(since, limit).map(toChange);
  }

  lastChange(): Change | undefined {
    const row = this.s.lastChange.get();
    return row ? toChange(row) : undefined;
  }

  lastSequence(table: "changes" | "exports"): number {
    return this.s.lastSeq.get(table)?.seq ?? 0;
  }

  clearChanges(): void {
    this.s.clearChanges.run();
  }

  logExport(e: Omit<ExportedResource, "seq">): void {
    this.s.insertExport.run(...exportRow(e));
  }

  exports(since: number, limit: number): ExportedResource[] {
    return this.s.exports.all(since, limit).map((r) => ({
      seq: r.seq,
      level: LEVELS[r.level]!,
      publicId: r.public_id,
      remoteModality: r.remote_modality,
      patientId: r.patient_id,
      studyInstanceUid: r.study_instance_uid,
      seriesInstanceUid: r.series_instance_uid,
      sopInstanceUid: r.sop_instance_uid,
      date: r.date,
    }));
  }

  clearExports(): void {
    this.s.clearExports.run();
  }

  /** Moves a patient to the end of the recycling order (it just received an instance). */
  touchPatient(patientId: number): void {
    this.s.touchPatient.run(patientId);
  }

  /** The patient to recycle first, never `keep` nor a protected one. */
  oldestUnprotectedPatient(keep: number): number | undefined {
    return this.s.oldestUnprotected.get(keep)?.patient_id;
  }

  setProtected(patientId: number, value: boolean): void {
    this.s.setProtected.run(value ? 1 : 0, patientId);
  }

  isProtected(patientId: number): boolean {
    return this.s.isProtected.get(patientId)?.protected === 1;
  }

  /** Sizes of the files below a resource, and its descendants per level. */
  subtreeStatistics(internalId: number): SubtreeStatistics {
    const sizes = this.s.subtreeSizes.get(internalId);
    const counts = new Map<Level, number>();
    for (const row of this.s.subtreeCount.all(internalId)) counts.set(LEVELS[row.level]!, row.n);
    return {
      counts,
      compressed: sizes?.c ?? 0,
      uncompressed: sizes?.u ?? 0,
      dicomCompressed: sizes?.dc ?? 0,
      dicomUncompressed: sizes?.du ?? 0,
    };
  }

  globalProperty(property: number): string | undefined {
    return this.s.getProperty.get(property)?.value;
  }

  setGlobalProperty(property: number, value: string): void {
    this.s.setProperty.run(property, value);
  }

  storeKeyValue(storeId: string, key: string, value: Uint8Array): void {
    keyValues.storeKeyValue(this.db, storeId, key, value);
  }

  keyValue(storeId: string, key: string): Uint8Array | undefined {
    return keyValues.keyValue(this.db, storeId, key);
  }

  deleteKeyValue(storeId: string, key: string): void {
    keyValues.deleteKeyValue(this.db, storeId, key);
  }

  listKeyValues(storeId: string, after: string | undefined, limit: number): KeyValueEntry[] {
    return keyValues.listKeyValues(this.db, storeId, after, limit);
  }

  enqueueValue(queueId: string, value: Uint8Array): void {
    keyValues.enqueueValue(this.db, queueId, value);
  }

  dequeueValue(queueId: string, origin: "front" | "back"): Uint8Array | undefined {
    return keyValues.dequeueValue(this.db, queueId, origin);
  }

  queueSize(queueId: string): number {
    return keyValues.queueSize(this.db, queueId);
  }
}
