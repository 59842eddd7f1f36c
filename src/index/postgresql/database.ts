// The PostgreSQL index (several Pharos nodes on one database): every IndexBackend method as SQL
// run through the node's connection worker (bridge.ts), synchronously.
//
// Writes serialize across nodes: each write transaction first takes one transaction-level
// advisory lock, so that it sees what the transactions before it committed (the store pipeline
// looks up, then creates) and the changes get their sequence numbers in commit order. Writes
// with no result are queued inside a transaction and sent with its next read or its COMMIT, in
// one round trip.
import { type Level, LEVELS } from "../../dicom/levels.ts";
import type { Tag } from "../../dicom/tag.ts";
import {
  type AttachmentInfo,
  type Change,
  type ChildFile,
  type ChildFilesQuery,
  ContentType,
  type ExportedResource,
  IndexFailure,
  type MetadataEntry,
  normalizeValue,
  type Resource,
  type StoredFile,
  type SubtreeStatistics,
  type Totals,
} from "../../server/model.ts";
import { attachmentRow, exportRow } from "../row-values.ts";
import { type Binding as FindBinding, type FindDialect, findStatement } from "../find-sql.ts";
import { IDENTIFIERS } from "../identifiers.ts";
import { childFilesParams, childFilesSql } from "../child-files-sql.ts";
import type { FindPlan, FoundRow, IndexBackend, KeyValueEntry } from "../interface.ts";
import { SyncConnection } from "./bridge.ts";
import {
  type Binding,
  type ConnectionOptions,
  LOCK_NAMESPACE,
  type Statement,
} from "./protocol.ts";
import { SCHEMA, SCHEMA_VERSION } from "./schema.ts";

type Row = Record<string, unknown>;

/**
 * Upserts that rows of the same kind, queued one after the other, join: a stored instance sets
 * tens of main tags and several metadata. `keys`: the row of each (resource, tag or type).
 */
interface RowBatch {
  kind: "main_tags" | "metadata";
  keys: Map<string, number>;
}

/** A queued statement, with the batch of rows it is when it is one. */
type Queued = Statement & { batch?: RowBatch };

const UPSERT = {
  main_tags: {
    columns: "(resource_id, tag, value, norm)",
    width: 4,
    conflict: "(resource_id, tag) DO UPDATE SET value = excluded.value, norm = excluded.norm",
  },
  metadata: {
    columns: "(resource_id, type, value)",
    width: 3,
    conflict:
      "(resource_id, type) DO UPDATE SET value = excluded.value, revision = metadata.revision + 1",
  },
} as const;

/** The upsert of `rows` rows of a batch's kind. */
function upsert(kind: RowBatch["kind"], rows: number): string {
  const { columns, width, conflict } = UPSERT[kind];
  const values = Array.from(
    { length: rows },
    (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(", ")})`,
  );
  return `INSERT INTO ${kind} ${columns} VALUES ${values.join(", ")} ON CONFLICT ${conflict}`;
}

/** The lock every write transaction takes (the nodes' own keys are positive). */
const WRITE_LOCK = `SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, -1)`;

/** "?" placeholders (the shared find builder's) to PostgreSQL's "$n". */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** A GLOB pattern as an anchored POSIX regular expression ("[...]" sets stay sets). */
export function globToRegex(glob: string): string {
  let out = "^";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) out += "\\[";
      else {
        const set = glob.slice(i + 1, end);
        out += `[${set.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else out += /[.^$|()+{}\\]/.test(c) ? `\\${c}` : c;
  }
  return `${out}$`;
}

const POSTGRES_FIND: FindDialect = {
  glob: (expr, pattern, params) => (params.push(globToRegex(pattern)), `${expr} ~ ?`),
  noLimit: null,
  // PostgreSQL's planner picks the order itself, from the statistics.
  orderedJoin: "JOIN",
};

const num = (value: unknown) => Number(value ?? 0);

const toResource = (row: Row): Resource => ({
  internalId: num(row.internal_id),
  level: LEVELS[num(row.level)]!,
  publicId: row.public_id as string,
  parentId: row.parent_id === null ? null : num(row.parent_id),
});

const toAttachment = (row: Row): AttachmentInfo => ({
  contentType: num(row.content_type),
  uuid: row.uuid as string,
  compressedSize: num(row.compressed_size),
  uncompressedSize: num(row.uncompressed_size),
  compression: num(row.compression),
  uncompressedMd5: row.uncompressed_md5 as string,
  compressedMd5: row.compressed_md5 as string,
  revision: num(row.revision),
});

const toChange = (row: Row): Change => ({
  seq: num(row.seq),
  changeType: num(row.change_type),
  level: LEVELS[num(row.level)]!,
  publicId: row.public_id as string,
  date: row.date as string,
});

const bytes = (value: unknown) => new Uint8Array(value as Uint8Array);

const RESOURCE = "internal_id, level, public_id, parent_id";
const SUBTREE = `WITH RECURSIVE sub(id) AS (SELECT $1::BIGINT UNION ALL
  SELECT r.internal_id FROM resources r JOIN sub ON r.parent_id = sub.id)`;

export class PostgresIndex implements IndexBackend {
  private readonly connection: SyncConnection;
  /** This node's number (its journaled files, its session lock); the worker may take another. */
  private readonly node = 1 + Math.floor(Math.random() * 0x7ffffffe);
  /** Nesting of transaction(): 0 outside, 1 in the PostgreSQL transaction, more in savepoints. */
  private depth = 0;
  private queued: Queued[] = [];
  /** Whether the open transaction has statements on the server (then ROLLBACK must be sent). */
  private begun = false;
  /** Set when a statement of the open transaction failed: nothing more may go with it. */
  private broken = false;
  /**
   * Resources looked up or created in the open transaction, by public id (undefined: absent).
   * Under the write lock nobody else changes them, so a lookup repeated by the store pipeline
   * costs no round trip. Emptied by a deletion, a rolled-back savepoint, the transaction's end.
   */
  private readonly seen = new Map<string, Resource | undefined>();

  constructor(options: Omit<ConnectionOptions, "node">) {
    this.connection = new SyncConnection({ ...options, node: this.node });
    try {
      this.migrate();
    } catch (error) {
      this.connection.close();
      throw error;
    }
  }

  /** Creates or upgrades the schema, or refuses a database that a newer Pharos wrote. */
  private migrate(): void {
    this.transaction(() => {
      this.write("CREATE TABLE IF NOT EXISTS pharos_schema (version INTEGER NOT NULL)");
      const found = this.rows("SELECT version FROM pharos_schema")[0];
      const version = found === undefined ? 0 : num(found.version);
      if (version > SCHEMA_VERSION) {
        throw new IndexFailure(
          "Database",
          `The PostgreSQL index has schema version ${version}, newer than this Pharos knows (${SCHEMA_VERSION}): run a Pharos as recent as the one that wrote it`,
        );
      }
      if (version === SCHEMA_VERSION) return;
      // Every statement of SCHEMA is idempotent: it creates what an older version lacks.
      this.queued.push({ sql: SCHEMA, params: [], script: true });
      this.write("DELETE FROM pharos_schema");
      this.write("INSERT INTO pharos_schema VALUES ($1)", [SCHEMA_VERSION]);
    });
  }

  private rows(sql: string, params: Binding[] = []): Row[] {
    const statements = [...this.queued, { sql, params }];
    this.queued = [];
    return this.send(statements);
  }

  /**
   * A statement whose result nobody reads: queued inside a transaction; outside, run alone, or
   * in a transaction of its own under the write lock when `ordered` (a change or an export takes
   * its sequence number in commit order).
   */
  private write(sql: string, params: Binding[] = [], ordered = false): void {
    if (this.depth > 0) this.queued.push({ sql, params });
    else if (ordered) this.transaction(() => this.queued.push({ sql, params }));
    else this.connection.run([{ sql, params }]);
  }

  private send(queued: Queued[]): Row[] {
    const statements: Statement[] = queued.map((q) => ({
      sql: q.sql,
      params: q.params,
      script: q.script,
    }));
    if (this.depth === 0) return this.connection.run(statements);
    if (this.broken) {
      throw new IndexFailure("Database", "The transaction failed on an earlier statement");
    }
    const continues = this.begun;
    this.begun = true;
    try {
      return this.connection.run(statements, continues);
    } catch (error) {
      this.broken = true;
      throw error;
    }
  }

  close(): void {
    this.connection.close();
  }

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return this.savepoint(fn);
    this.depth = 1;
    this.queued = [{ sql: "BEGIN", params: [] }, { sql: WRITE_LOCK, params: [] }];
    this.begun = false;
    this.broken = false;
    this.seen.clear();
    try {
      const result = fn();
      this.send([...this.queued, { sql: "COMMIT", params: [] }]);
      return result;
    } catch (error) {
      // A failed COMMIT has ended the transaction already; a ROLLBACK then only warns.
      if (this.begun) {
        try {
          this.connection.run([{ sql: "ROLLBACK", params: [] }]);
        } catch {
          // The connection is gone, and the transaction with it.
        }
      }
      throw error;
    } finally {
      this.queued = [];
      this.depth = 0;
      this.seen.clear();
    }
  }

  /** A nested transaction: a throw undoes its writes only, as SQLite's nested transactions do. */
  private savepoint<T>(fn: () => T): T {
    const name = `s${this.depth}`;
    this.depth++;
    this.queued.push({ sql: `SAVEPOINT ${name}`, params: [] });
    try {
      const result = fn();
      this.queued.push({ sql: `RELEASE SAVEPOINT ${name}`, params: [] });
      return result;
    } catch (error) {
      if (!this.broken) this.queued.push({ sql: `ROLLBACK TO SAVEPOINT ${name}`, params: [] });
      this.seen.clear();
      throw error;
    } finally {
      this.depth--;
    }
  }

  lookup(publicId: string): Resource | undefined {
    if (this.depth > 0 && this.seen.has(publicId)) return this.seen.get(publicId);
    const row = this.rows(`SELECT ${RESOURCE} FROM resources WHERE public_id = $1`, [publicId])[0];
    const found = row ? toResource(row) : undefined;
    if (this.depth > 0) this.seen.set(publicId, found);
    return found;
  }

  prefetch(publicIds: readonly string[]): void {
    if (this.depth === 0) return;
    const wanted = publicIds.filter((id) => !this.seen.has(id));
    if (wanted.length === 0) return;
    const rows = this.rows(
      `SELECT ${RESOURCE} FROM resources WHERE public_id IN (${
        wanted.map((_, i) => `$${i + 1}`).join(", ")
      })`,
      wanted,
    );
    for (const id of wanted) this.seen.set(id, undefined);
    for (const row of rows) {
      const resource = toResource(row);
      this.seen.set(resource.publicId, resource);
    }
  }

  byInternalId(internalId: number): Resource | undefined {
    const row = this.rows(`SELECT ${RESOURCE} FROM resources WHERE internal_id = $1`, [
      internalId,
    ])[0];
    return row ? toResource(row) : undefined;
  }

  createResource(level: Level, publicId: string, parentId: number | null): number {
    const [row] = this.rows(
      "INSERT INTO resources (level, public_id, parent_id) VALUES ($1, $2, $3) RETURNING internal_id",
      [LEVELS.indexOf(level), publicId, parentId],
    );
    const internalId = num(row!.internal_id);
    if (this.depth > 0) this.seen.set(publicId, { internalId, level, publicId, parentId });
    return internalId;
  }

  children(internalId: number): Resource[] {
    return this.rows(
      `SELECT ${RESOURCE} FROM resources WHERE parent_id = $1 ORDER BY internal_id`,
      [internalId],
    ).map(toResource);
  }

  childFiles(internalId: number, query: ChildFilesQuery): ChildFile[] {
    const rows = this.rows(
      childFilesSql(query.metadata.length),
      childFilesParams(internalId, query),
    );
    return rows.map((row) => {
      const child: ChildFile = {
        resource: toResource(row),
        metadata: query.metadata.map((_, i) => (row[`m${i}`] as string | null) ?? undefined),
      };
      if (row.tag_value !== null) child.tag = row.tag_value as string;
      if (row.uuid !== null) child.file = toAttachment(row);
      return child;
    });
  }

  countChildren(internalId: number): number {
    return num(
      this.rows("SELECT COUNT(*) AS n FROM resources WHERE parent_id = $1", [internalId])[0]?.n,
    );
  }

  listLevel(level: Level, since = 0, limit?: number): string[] {
    return this.rows(
      "SELECT public_id FROM resources WHERE level = $1 ORDER BY internal_id LIMIT $2 OFFSET $3",
      [LEVELS.indexOf(level), limit ?? null, since],
    ).map((r) => r.public_id as string);
  }

  deleteResource(internalId: number): void {
    this.seen.clear();
    this.write("DELETE FROM resources WHERE internal_id = $1", [internalId]);
  }

  subtreeFiles(internalId: number): StoredFile[] {
    return this.rows(
      `${SUBTREE} SELECT a.uuid, a.content_type FROM attachments a JOIN sub ON a.resource_id = sub.id`,
      [internalId],
    ).map((r) => ({ uuid: r.uuid as string, contentType: num(r.content_type) }));
  }

  subtreeStatistics(internalId: number): SubtreeStatistics {
    const [sizes] = this.rows(
      `${SUBTREE} SELECT SUM(a.compressed_size) AS c, SUM(a.uncompressed_size) AS u,
         SUM(CASE a.content_type WHEN ${ContentType.Dicom} THEN a.compressed_size END) AS dc,
         SUM(CASE a.content_type WHEN ${ContentType.Dicom} THEN a.uncompressed_size END) AS du
       FROM attachments a JOIN sub ON a.resource_id = sub.id`,
      [internalId],
    );
    const counts = new Map<Level, number>();
    const levels = this.rows(
      `${SUBTREE} SELECT r.level AS level, COUNT(*) AS n FROM resources r
         JOIN sub ON r.internal_id = sub.id GROUP BY r.level`,
      [internalId],
    );
    for (const row of levels) counts.set(LEVELS[num(row.level)]!, num(row.n));
    return {
      counts,
      compressed: num(sizes?.c),
      uncompressed: num(sizes?.u),
      dicomCompressed: num(sizes?.dc),
      dicomUncompressed: num(sizes?.du),
    };
  }

  lookupIdentifier(value: string): Resource[] {
    const which = IDENTIFIERS.map(([tag, level]) => `(t.tag = ${tag} AND r.level = ${level})`);
    return this.rows(
      `SELECT r.internal_id, r.level, r.public_id, r.parent_id FROM main_tags t
         JOIN resources r ON r.internal_id = t.resource_id
       WHERE (${which.join(" OR ")}) AND t.norm = $1 AND t.value = $2
       ORDER BY r.level, r.public_id`,
      [value.toUpperCase(), value],
    ).map(toResource);
  }

  /**
   * In a transaction, consecutive rows of one kind go in one multi-row upsert. A main tag set
   * twice keeps its last value, as two upserts would; a metadata set twice starts a new batch,
   * since each upsert increments its revision.
   */
  private upsertRow(kind: RowBatch["kind"], key: string, row: Binding[]): void {
    const last = this.queued.at(-1);
    const batch = this.depth > 0 && last?.batch?.kind === kind ? last.batch : undefined;
    const at = batch?.keys.get(key);
    if (!batch || (at !== undefined && kind === "metadata")) {
      this.write(upsert(kind, 1), row);
      if (this.depth > 0) this.queued.at(-1)!.batch = { kind, keys: new Map([[key, 0]]) };
      return;
    }
    if (at !== undefined) {
      last!.params.splice(at * row.length, row.length, ...row);
      return;
    }
    batch.keys.set(key, batch.keys.size);
    last!.params.push(...row);
    last!.sql = upsert(kind, batch.keys.size);
  }

  setMainTag(internalId: number, tag: Tag, value: string): void {
    this.upsertRow("main_tags", `${internalId}:${tag}`, [
      internalId,
      tag,
      value,
      normalizeValue(value),
    ]);
  }

  clearMainTags(internalId: number): void {
    this.write("DELETE FROM main_tags WHERE resource_id = $1", [internalId]);
  }

  mainTags(internalId: number): Map<Tag, string> {
    const rows = this.rows("SELECT tag, value FROM main_tags WHERE resource_id = $1", [internalId]);
    return new Map(rows.map((r) => [num(r.tag), r.value as string]));
  }

  runFind(plan: FindPlan): FoundRow[] {
    const find = findStatement(plan, POSTGRES_FIND);
    const rows = this.rows(numbered(find.sql), find.params as FindBinding[]);
    return find.finish(rows.map((r) => ({
      internal_id: num(r.internal_id),
      public_id: r.public_id as string,
      parent_id: r.parent_id === null ? null : num(r.parent_id),
    })));
  }

  setMetadata(internalId: number, type: number, value: string): void {
    this.upsertRow("metadata", `${internalId}:${type}`, [internalId, type, value]);
  }

  metadata(internalId: number): Map<number, string> {
    const rows = this.rows(
      "SELECT type, value FROM metadata WHERE resource_id = $1 ORDER BY type",
      [
        internalId,
      ],
    );
    return new Map(rows.map((r) => [num(r.type), r.value as string]));
  }

  metadataEntry(internalId: number, type: number): MetadataEntry | undefined {
    const [row] = this.rows(
      "SELECT value, revision FROM metadata WHERE resource_id = $1 AND type = $2",
      [internalId, type],
    );
    return row ? { value: row.value as string, revision: num(row.revision) } : undefined;
  }

  deleteMetadata(internalId: number, type: number): void {
    this.write("DELETE FROM metadata WHERE resource_id = $1 AND type = $2", [internalId, type]);
  }

  addAttachment(internalId: number, a: AttachmentInfo): void {
    this.write(
      `INSERT INTO attachments (resource_id, content_type, uuid, compressed_size, uncompressed_size,
         compression, uncompressed_md5, compressed_md5, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (resource_id, content_type) DO UPDATE SET uuid = excluded.uuid,
         compressed_size = excluded.compressed_size, uncompressed_size = excluded.uncompressed_size,
         compression = excluded.compression, uncompressed_md5 = excluded.uncompressed_md5,
         compressed_md5 = excluded.compressed_md5, revision = excluded.revision`,
      attachmentRow(internalId, a),
    );
  }

  attachments(internalId: number): AttachmentInfo[] {
    return this.rows(
      "SELECT * FROM attachments WHERE resource_id = $1 ORDER BY content_type",
      [internalId],
    ).map(toAttachment);
  }

  attachment(internalId: number, contentType: number): AttachmentInfo | undefined {
    const [row] = this.rows(
      "SELECT * FROM attachments WHERE resource_id = $1 AND content_type = $2",
      [internalId, contentType],
    );
    return row ? toAttachment(row) : undefined;
  }

  attachmentTypes(internalId: number): number[] {
    return this.rows(
      "SELECT content_type FROM attachments WHERE resource_id = $1 ORDER BY content_type",
      [internalId],
    ).map((r) => num(r.content_type));
  }

  deleteAttachment(internalId: number, contentType: number): void {
    this.write("DELETE FROM attachments WHERE resource_id = $1 AND content_type = $2", [
      internalId,
      contentType,
    ]);
  }

  addPendingFile(file: StoredFile): void {
    this.write(
      "INSERT INTO pending_files (uuid, content_type) VALUES ($1, $2) ON CONFLICT DO NOTHING",
      [file.uuid, file.contentType],
    );
  }

  removePendingFile(uuid: string): void {
    this.write("DELETE FROM pending_files WHERE uuid = $1", [uuid]);
  }

  /**
   * This node's journaled files, and those of nodes that are gone: a node holds its session
   * lock while connected, so a lock that can be taken is a dead node's (and stays this node's,
   * which keeps another node starting from claiming the same files).
   */
  pendingFiles(): StoredFile[] {
    return this.rows(
      `WITH me AS (SELECT current_setting('pharos.node')::INTEGER AS node)
       SELECT uuid, content_type FROM pending_files WHERE node = (SELECT node FROM me) OR node IN (
         SELECT node FROM (SELECT DISTINCT node FROM pending_files
           WHERE node <> (SELECT node FROM me)) others
         WHERE pg_try_advisory_lock(${LOCK_NAMESPACE}, node))`,
    ).map((r) => ({ uuid: r.uuid as string, contentType: num(r.content_type) }));
  }

  logChange(changeType: number, level: Level, publicId: string, date: string): void {
    this.write(
      "INSERT INTO changes (change_type, level, public_id, date) VALUES ($1, $2, $3, $4)",
      [changeType, LEVELS.indexOf(level), publicId, date],
      true,
    );
  }

  changes(since: number, limit: number): Change[] {
    return this.rows("SELECT * FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2", [since, limit])
      .map(toChange);
  }

  lastChange(): Change | undefined {
    const [row] = this.rows("SELECT * FROM changes ORDER BY seq DESC LIMIT 1");
    return row ? toChange(row) : undefined;
  }

  /** The sequence survives DELETE /changes, as Orthanc's "Last" does. */
  lastSequence(table: "changes" | "exports"): number {
    const sequence = table === "changes" ? "changes_seq_seq" : "exports_seq_seq";
    const [row] = this.rows(
      `SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS seq FROM ${sequence}`,
    );
    return num(row?.seq);
  }

  clearChanges(): void {
    this.write("DELETE FROM changes");
  }

  logExport(e: Omit<ExportedResource, "seq">): void {
    this.write(
      `INSERT INTO exports (level, public_id, remote_modality, patient_id, study_instance_uid,
         series_instance_uid, sop_instance_uid, date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      exportRow(e),
      true,
    );
  }

  exports(since: number, limit: number): ExportedResource[] {
    return this.rows("SELECT * FROM exports WHERE seq > $1 ORDER BY seq LIMIT $2", [since, limit])
      .map((r) => ({
        seq: num(r.seq),
        level: LEVELS[num(r.level)]!,
        publicId: r.public_id as string,
        remoteModality: r.remote_modality as string,
        patientId: r.patient_id as string,
        studyInstanceUid: r.study_instance_uid as string,
        seriesInstanceUid: r.series_instance_uid as string,
        sopInstanceUid: r.sop_instance_uid as string,
        date: r.date as string,
      }));
  }

  clearExports(): void {
    this.write("DELETE FROM exports");
  }

  addLabel(internalId: number, label: string): void {
    this.write("INSERT INTO labels (resource_id, label) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
      internalId,
      label,
    ]);
  }

  removeLabel(internalId: number, label: string): void {
    this.write("DELETE FROM labels WHERE resource_id = $1 AND label = $2", [internalId, label]);
  }

  labelsOf(internalId: number): string[] {
    return this.rows("SELECT label FROM labels WHERE resource_id = $1 ORDER BY label", [
      internalId,
    ]).map((r) => r.label as string);
  }

  hasLabel(internalId: number, label: string): boolean {
    return this.rows("SELECT 1 FROM labels WHERE resource_id = $1 AND label = $2", [
      internalId,
      label,
    ]).length > 0;
  }

  allLabels(): string[] {
    return this.rows("SELECT DISTINCT label FROM labels ORDER BY label").map((r) =>
      r.label as string
    );
  }

  resourcesWithLabels(level: Level, labels: readonly string[], minimum: number): Set<number> {
    const rows = this.rows(
      `SELECT l.resource_id AS id FROM labels l JOIN resources r ON r.internal_id = l.resource_id
       WHERE r.level = $1 AND l.label IN (SELECT jsonb_array_elements_text($2::TEXT::JSONB))
       GROUP BY l.resource_id HAVING COUNT(*) >= $3`,
      [LEVELS.indexOf(level), JSON.stringify(labels), minimum],
    );
    return new Set(rows.map((r) => num(r.id)));
  }

  labelledResources(level: Level): Set<number> {
    const rows = this.rows(
      `SELECT DISTINCT l.resource_id AS id FROM labels l
       JOIN resources r ON r.internal_id = l.resource_id WHERE r.level = $1`,
      [LEVELS.indexOf(level)],
    );
    return new Set(rows.map((r) => num(r.id)));
  }

  touchPatient(patientId: number): void {
    this.write(
      `INSERT INTO patient_recycling (patient_id, seq) VALUES ($1, nextval('patient_recycling_seq'))
       ON CONFLICT (patient_id) DO UPDATE SET seq = excluded.seq`,
      [patientId],
    );
  }

  oldestUnprotectedPatient(keep: number): number | undefined {
    const [row] = this.rows(
      `SELECT patient_id FROM patient_recycling WHERE NOT protected AND patient_id <> $1
       ORDER BY seq LIMIT 1`,
      [keep],
    );
    return row ? num(row.patient_id) : undefined;
  }

  setProtected(patientId: number, value: boolean): void {
    this.write("UPDATE patient_recycling SET protected = $1 WHERE patient_id = $2", [
      value,
      patientId,
    ]);
  }

  isProtected(patientId: number): boolean {
    const [row] = this.rows("SELECT protected FROM patient_recycling WHERE patient_id = $1", [
      patientId,
    ]);
    return row?.protected === true;
  }

  totals(): Totals {
    const [t] = this.rows("SELECT * FROM totals WHERE id = 0");
    return {
      patients: num(t?.patients),
      studies: num(t?.studies),
      series: num(t?.series),
      instances: num(t?.instances),
      compressedSize: num(t?.compressed_size),
      uncompressedSize: num(t?.uncompressed_size),
    };
  }

  globalProperty(property: number): string | undefined {
    const [row] = this.rows("SELECT value FROM global_properties WHERE property = $1", [property]);
    return row?.value as string | undefined;
  }

  setGlobalProperty(property: number, value: string): void {
    this.write(
      `INSERT INTO global_properties (property, value) VALUES ($1, $2)
       ON CONFLICT (property) DO UPDATE SET value = excluded.value`,
      [property, value],
    );
  }

  storeKeyValue(storeId: string, key: string, value: Uint8Array): void {
    this.write(
      `INSERT INTO key_values (store_id, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (store_id, key) DO UPDATE SET value = excluded.value`,
      [storeId, key, value],
    );
  }

  keyValue(storeId: string, key: string): Uint8Array | undefined {
    const [row] = this.rows("SELECT value FROM key_values WHERE store_id = $1 AND key = $2", [
      storeId,
      key,
    ]);
    return row ? bytes(row.value) : undefined;
  }

  deleteKeyValue(storeId: string, key: string): void {
    this.write("DELETE FROM key_values WHERE store_id = $1 AND key = $2", [storeId, key]);
  }

  listKeyValues(storeId: string, after: string | undefined, limit: number): KeyValueEntry[] {
    return this.rows(
      `SELECT key, value FROM key_values WHERE store_id = $1 AND ($2::TEXT IS NULL OR key > $2)
       ORDER BY key LIMIT $3`,
      [storeId, after ?? null, limit],
    ).map((r) => ({ key: r.key as string, value: bytes(r.value) }));
  }

  enqueueValue(queueId: string, value: Uint8Array): void {
    this.write("INSERT INTO queues (queue_id, value) VALUES ($1, $2)", [queueId, value]);
  }

  /** One DELETE … RETURNING; SKIP LOCKED lets two nodes dequeue at once, never the same value. */
  dequeueValue(queueId: string, origin: "front" | "back"): Uint8Array | undefined {
    const order = origin === "front" ? "ASC" : "DESC";
    const [row] = this.rows(
      `DELETE FROM queues WHERE seq = (SELECT seq FROM queues WHERE queue_id = $1
         ORDER BY seq ${order} LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING value`,
      [queueId],
    );
    return row ? bytes(row.value) : undefined;
  }

  queueSize(queueId: string): number {
    return num(this.rows("SELECT COUNT(*) AS n FROM queues WHERE queue_id = $1", [queueId])[0]?.n);
  }
}
