// Attachments written through the REST API (user content types, compression changes): the SQL
// on the `attachments` table that ingest does not need. Statements are prepared once per
// database and cached beside it, since IndexDatabase owns the connection. The `totals` triggers
// keep /statistics right whichever of these statements runs.
import type { SQLQueryBindings, Statement } from "bun:sqlite";
import {
  type AttachmentInfo,
  type AttachmentRow,
  type IndexDatabase,
  toAttachment,
} from "./database.ts";

interface AttachmentStatements {
  one: Statement<AttachmentRow, [number, number]>;
  types: Statement<{ content_type: number }, [number]>;
  remove: Statement<unknown, [number, number]>;
}

const cache = new WeakMap<IndexDatabase, AttachmentStatements>();

function statements(index: IndexDatabase): AttachmentStatements {
  let s = cache.get(index);
  if (s) return s;
  const q = <R, P extends SQLQueryBindings[]>(sql: string) => index.db.query<R, P>(sql);
  s = {
    one: q(
      `SELECT content_type, uuid, compressed_size, uncompressed_size, compression,
         uncompressed_md5, compressed_md5, revision
       FROM attachments WHERE resource_id = ? AND content_type = ?`,
    ),
    // Orthanc lists them from a std::set, i.e. by number.
    types: q("SELECT content_type FROM attachments WHERE resource_id = ? ORDER BY content_type"),
    remove: q("DELETE FROM attachments WHERE resource_id = ? AND content_type = ?"),
  };
  cache.set(index, s);
  return s;
}

export function findAttachment(
  index: IndexDatabase,
  internalId: number,
  contentType: number,
): AttachmentInfo | undefined {
  const row = statements(index).one.get(internalId, contentType);
  return row ? toAttachment(row) : undefined;
}

export function attachmentTypes(index: IndexDatabase, internalId: number): number[] {
  return statements(index).types.all(internalId).map((r) => r.content_type);
}

/** Creates the attachment or replaces the row of the same content type. */
export function writeAttachment(index: IndexDatabase, internalId: number, a: AttachmentInfo): void {
  index.addAttachment(internalId, a);
}

export function deleteAttachment(
  index: IndexDatabase,
  internalId: number,
  contentType: number,
): void {
  statements(index).remove.run(internalId, contentType);
}
