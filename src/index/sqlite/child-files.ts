// childFiles on SQLite: the statement prepared once per connection and number of metadata types.
import type { Database, SQLQueryBindings, Statement } from "bun:sqlite";
import { childFilesParams, childFilesSql } from "../child-files-sql.ts";
import type { ChildFile, ChildFilesQuery } from "../../server/model.ts";
import { LEVELS } from "../../dicom/levels.ts";
import { type AttachmentRow, toAttachment } from "./rows.ts";

type ChildFileRow = AttachmentRow & {
  internal_id: number;
  level: number;
  public_id: string;
  parent_id: number | null;
  tag_value: string | null;
  [metadata: `m${number}`]: string | null;
};

const cache = new WeakMap<Database, Map<number, Statement<ChildFileRow, SQLQueryBindings[]>>>();

export function childFiles(db: Database, internalId: number, query: ChildFilesQuery): ChildFile[] {
  let statements = cache.get(db);
  if (!statements) cache.set(db, statements = new Map());
  const count = query.metadata.length;
  let statement = statements.get(count);
  if (!statement) {
    // SQLite reads "$2" as a named parameter: "?2" binds by position.
    statement = db.query<ChildFileRow, SQLQueryBindings[]>(
      childFilesSql(count).replace(/\$(\d+)/g, "?$1"),
    );
    statements.set(count, statement);
  }
  return statement.all(...childFilesParams(internalId, query)).map((row) => {
    const child: ChildFile = {
      resource: {
        internalId: row.internal_id,
        level: LEVELS[row.level]!,
        publicId: row.public_id,
        parentId: row.parent_id,
      },
      metadata: query.metadata.map((_, i) => row[`m${i}`] ?? undefined),
    };
    if (row.tag_value !== null) child.tag = row.tag_value;
    if (row.uuid !== null) child.file = toAttachment(row);
    return child;
  });
}
