// The file journal (PendingFilesTable of index/interface.ts): the SQL on the `pending_files`
// table; the schema's triggers move files in and out of it with the attachment rows.
import type { Database, Statement } from "bun:sqlite";
import type { StoredFile } from "../../server/model.ts";

interface PendingStatements {
  add: Statement<unknown, [string, number]>;
  remove: Statement<unknown, [string]>;
  all: Statement<{ uuid: string; content_type: number }, []>;
}

const cache = new WeakMap<Database, PendingStatements>();

function statements(db: Database): PendingStatements {
  let s = cache.get(db);
  if (s) return s;
  s = {
    add: db.query("INSERT OR IGNORE INTO pending_files (uuid, content_type) VALUES (?, ?)"),
    remove: db.query("DELETE FROM pending_files WHERE uuid = ?"),
    all: db.query("SELECT uuid, content_type FROM pending_files"),
  };
  cache.set(db, s);
  return s;
}

export function addPendingFile(db: Database, file: StoredFile): void {
  statements(db).add.run(file.uuid, file.contentType);
}

export function removePendingFile(db: Database, uuid: string): void {
  statements(db).remove.run(uuid);
}

export function pendingFiles(db: Database): StoredFile[] {
  return statements(db).all.all().map((r) => ({ uuid: r.uuid, contentType: r.content_type }));
}
