// /tools/lookup: which resources carry a DICOM identifier (PatientID, Study/Series/SOP
// Instance UID), each at the level that owns it.
import type { Database, SQLQueryBindings } from "bun:sqlite";
import { LEVELS } from "../../dicom/levels.ts";
import type { Resource } from "../../server/model.ts";
import { IDENTIFIERS } from "../identifiers.ts";

export function lookupIdentifier(db: Database, value: string): Resource[] {
  const sql = `SELECT r.internal_id, r.level, r.public_id, r.parent_id FROM main_tags t
    JOIN resources r ON r.internal_id = t.resource_id
    WHERE (${
    IDENTIFIERS.map(() => "(t.tag = ? AND r.level = ?)").join(" OR ")
  }) AND t.norm = ? AND t.value = ?
    ORDER BY r.level, r.public_id`;
  const params: SQLQueryBindings[] = [...IDENTIFIERS.flat(), value.toUpperCase(), value];
  return db.query<
    { internal_id: number; level: number; public_id: string; parent_id: number | null },
    SQLQueryBindings[]
  >(sql)
    .all(...params)
    .map((row) => ({
      internalId: row.internal_id,
      level: LEVELS[row.level]!,
      publicId: row.public_id,
      parentId: row.parent_id,
    }));
}
