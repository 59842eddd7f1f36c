// Attachments written through the REST API (user content types, compression changes): the SQL
// on the `attachments` table that ingest does not need. Statements are prepared once per
// connection and cached beside it. The `totals` triggers
// keep /statistics right whichever of these statements runs.
import type { Database, SQLQueryBindings, Statement } from "bun:sqlite";
import type { AttachmentInfo } from "../../server/model.ts";
import { type AttachmentRow, toAttachment } from "./rows.ts";

interface AttachmentStatements {
  one: Statement<AttachmentRow, [number, number]>;
  types: Statement<{ content_type: number }, [number]>;
  remove: Statement<unknown, [number, number]>;
}

const cache = new WeakMap<Database, AttachmentStatements>();

function statements(db: Database): AttachmentStatements {
  let s = cache.get(db);
  if (s) return s;
  const q = <R, P extends SQLQueryBindings[]>(sql: string) => db.query<R, P>(sql);
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
  cache.set(db, s);
  return s;
}

export function findAttachment(
  db: Database,
  internalId: number,
  contentType: number,
): AttachmentInfo | undefined {
  const row = statements(db).one.get(internalId, contentType);
  return row ? toAttachment(row) : undefined;
}

export function attachmentTypes(db: Database, internalId: number): number[] {
  return statements(db).types.all(internalId).map((r) => r.content_type);
}

export function deleteAttachment(db: Database, internalId: number, contentType: number): void {
  statements(db).remove.run(internalId, contentType);
}
