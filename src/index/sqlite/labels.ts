// Labels of resources (Orthanc 1.12): the SQL on the `labels` table. Kept out of database.ts so
// that the feature stays in one place; statements are prepared once per connection and cached
// beside it.
import type { Database, SQLQueryBindings, Statement } from "bun:sqlite";
import { type Level, LEVELS } from "../../dicom/levels.ts";

interface LabelStatements {
  add: Statement<unknown, [number, string]>;
  remove: Statement<unknown, [number, string]>;
  of: Statement<{ label: string }, [number]>;
  has: Statement<{ found: number }, [number, string]>;
  all: Statement<{ label: string }, []>;
  withLabels: Statement<{ id: number }, [number, string, number]>;
  labelled: Statement<{ id: number }, [number]>;
}

const cache = new WeakMap<Database, LabelStatements>();

function statements(db: Database): LabelStatements {
  let s = cache.get(db);
  if (s) return s;
  const q = <R, P extends SQLQueryBindings[]>(sql: string) => db.query<R, P>(sql);
  s = {
    // Adding twice is not an error in Orthanc, hence OR IGNORE.
    add: q("INSERT OR IGNORE INTO labels (resource_id, label) VALUES (?, ?)"),
    remove: q("DELETE FROM labels WHERE resource_id = ? AND label = ?"),
    // BINARY collation = byte order = the order of Orthanc's std::set<std::string>.
    of: q("SELECT label FROM labels WHERE resource_id = ? ORDER BY label"),
    has: q("SELECT 1 AS found FROM labels WHERE resource_id = ? AND label = ?"),
    all: q("SELECT DISTINCT label FROM labels ORDER BY label"),
    // The wanted labels come as one JSON array so that one prepared statement serves any
    // number of them; a resource qualifies when it carries at least `?3` of them (the primary
    // key makes each (resource, label) pair unique, so COUNT(*) counts distinct labels).
    withLabels: q(
      `SELECT l.resource_id AS id FROM labels l JOIN resources r ON r.internal_id = l.resource_id
       WHERE r.level = ?1 AND l.label IN (SELECT value FROM json_each(?2))
       GROUP BY l.resource_id HAVING COUNT(*) >= ?3`,
    ),
    labelled: q(
      `SELECT DISTINCT l.resource_id AS id FROM labels l
       JOIN resources r ON r.internal_id = l.resource_id WHERE r.level = ?`,
    ),
  };
  cache.set(db, s);
  return s;
}

export function addLabel(db: Database, internalId: number, label: string): void {
  statements(db).add.run(internalId, label);
}

export function removeLabel(db: Database, internalId: number, label: string): void {
  statements(db).remove.run(internalId, label);
}

/** Labels of one resource, sorted. */
export function labelsOf(db: Database, internalId: number): string[] {
  return statements(db).of.all(internalId).map((r) => r.label);
}

export function hasLabel(db: Database, internalId: number, label: string): boolean {
  return statements(db).has.get(internalId, label) !== null;
}

/** Every label attached to at least one resource, sorted. */
export function allLabels(db: Database): string[] {
  return statements(db).all.all().map((r) => r.label);
}

/**
 * Internal ids of the resources of `level` that carry all (`minimum` = labels.length) or at
 * least one (`minimum` = 1) of `labels`, which must be distinct.
 */
export function resourcesWithLabels(
  db: Database,
  level: Level,
  labels: readonly string[],
  minimum: number,
): Set<number> {
  const rows = statements(db).withLabels.all(
    LEVELS.indexOf(level),
    JSON.stringify(labels),
    minimum,
  );
  return new Set(rows.map((r) => r.id));
}

/** Internal ids of the resources of `level` that carry any label at all. */
export function labelledResources(db: Database, level: Level): Set<number> {
  return new Set(statements(db).labelled.all(LEVELS.indexOf(level)).map((r) => r.id));
}
