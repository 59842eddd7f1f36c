// The key-value stores and queues of Orthanc 1.12.8: the SQL on the `key_values` and `queues`
// tables, statements prepared once per connection. A dequeue is one DELETE … RETURNING, so two
// concurrent consumers never take the same value.
import type { Database, SQLQueryBindings, Statement } from "bun:sqlite";
import type { KeyValueEntry } from "../interface.ts";

interface KeyValueStatements {
  set: Statement<unknown, [string, string, Uint8Array]>;
  get: Statement<{ value: Uint8Array }, [string, string]>;
  remove: Statement<unknown, [string, string]>;
  list: Statement<KeyValueEntry, [string, string | null, number]>;
  enqueue: Statement<unknown, [string, Uint8Array]>;
  front: Statement<{ value: Uint8Array }, [string]>;
  back: Statement<{ value: Uint8Array }, [string]>;
  size: Statement<{ n: number }, [string]>;
}

const cache = new WeakMap<Database, KeyValueStatements>();

function statements(db: Database): KeyValueStatements {
  let s = cache.get(db);
  if (s) return s;
  const q = <R, P extends SQLQueryBindings[]>(sql: string) => db.query<R, P>(sql);
  const take = (order: "ASC" | "DESC") =>
    q<{ value: Uint8Array }, [string]>(
      `DELETE FROM queues WHERE seq =
         (SELECT seq FROM queues WHERE queue_id = ? ORDER BY seq ${order} LIMIT 1)
       RETURNING value`,
    );
  s = {
    set: q("INSERT OR REPLACE INTO key_values (store_id, key, value) VALUES (?, ?, ?)"),
    get: q("SELECT value FROM key_values WHERE store_id = ? AND key = ?"),
    remove: q("DELETE FROM key_values WHERE store_id = ? AND key = ?"),
    list: q(
      `SELECT key, value FROM key_values WHERE store_id = ?1 AND (?2 IS NULL OR key > ?2)
       ORDER BY key LIMIT ?3`,
    ),
    enqueue: q("INSERT INTO queues (queue_id, value) VALUES (?, ?)"),
    front: take("ASC"),
    back: take("DESC"),
    size: q("SELECT COUNT(*) AS n FROM queues WHERE queue_id = ?"),
  };
  cache.set(db, s);
  return s;
}

const bytes = (value: Uint8Array) => new Uint8Array(value);

export function storeKeyValue(db: Database, storeId: string, key: string, value: Uint8Array) {
  statements(db).set.run(storeId, key, value);
}

export function keyValue(db: Database, storeId: string, key: string): Uint8Array | undefined {
  const row = statements(db).get.get(storeId, key);
  return row ? bytes(row.value) : undefined;
}

export function deleteKeyValue(db: Database, storeId: string, key: string): void {
  statements(db).remove.run(storeId, key);
}

export function listKeyValues(
  db: Database,
  storeId: string,
  after: string | undefined,
  limit: number,
): KeyValueEntry[] {
  return statements(db).list.all(storeId, after ?? null, limit).map((r) => ({
    key: r.key,
    value: bytes(r.value),
  }));
}

export function enqueueValue(db: Database, queueId: string, value: Uint8Array): void {
  statements(db).enqueue.run(queueId, value);
}

export function dequeueValue(
  db: Database,
  queueId: string,
  origin: "front" | "back",
): Uint8Array | undefined {
  const row = statements(db)[origin].get(queueId);
  return row ? bytes(row.value) : undefined;
}

export function queueSize(db: Database, queueId: string): number {
  return statements(db).size.get(queueId)?.n ?? 0;
}
