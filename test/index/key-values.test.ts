// The key-value stores and queues of the index (schema 3 in SQLite), on either back-end
// (PHAROS_TEST_INDEX): byte-ordered listing by pages, FIFO/LIFO dequeues, persistence; and for
// SQLite the migration of an index from schema 2, and the list of index methods a plugin's
// back-end is checked against.
import { afterEach, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { INDEX_METHODS, missingIndexMethods } from "../../src/index/interface.ts";
import { SqliteIndex } from "../../src/index/sqlite/database.ts";
import { freshTestIndex, type TestIndex } from "../support/test-index.ts";

const dirs: string[] = [];
function freshPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "pharos-kv-"));
  dirs.push(dir);
  return join(dir, "index.sqlite");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined) =>
  value === undefined ? undefined : new TextDecoder().decode(value);

const opened: TestIndex[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.dispose();
});

test("stores: set, replace, get, delete, listing in byte order by pages", () => {
  const fresh = freshTestIndex();
  opened.push(fresh);
  const { index } = fresh;
  for (const key of ["b", "a", "Z", "é"]) index.storeKeyValue("s", key, bytes(key));
  index.storeKeyValue("s", "a", bytes("again"));
  index.storeKeyValue("other", "a", bytes("elsewhere"));
  expect(text(index.keyValue("s", "a"))).toBe("again");
  expect(index.keyValue("s", "missing")).toBeUndefined();
  const keys = (after: string | undefined, limit: number) =>
    index.listKeyValues("s", after, limit).map((e) => e.key);
  expect(keys(undefined, 10)).toEqual(["Z", "a", "b", "é"]);
  expect(keys(undefined, 2)).toEqual(["Z", "a"]);
  expect(keys("a", 2)).toEqual(["b", "é"]);
  index.deleteKeyValue("s", "a");
  index.deleteKeyValue("s", "a");
  expect(keys(undefined, 10)).toEqual(["Z", "b", "é"]);
});

test("queues: front is FIFO, back is LIFO, sizes per queue, and they persist", () => {
  const fresh = freshTestIndex();
  opened.push(fresh);
  const { index } = fresh;
  for (const v of ["1", "2", "3", "4"]) index.enqueueValue("q", bytes(v));
  index.enqueueValue("other", bytes("x"));
  expect(index.queueSize("q")).toBe(4);
  expect(text(index.dequeueValue("q", "front"))).toBe("1");
  expect(text(index.dequeueValue("q", "back"))).toBe("4");
  index.close();
  const again = fresh.reopen();
  expect(again.queueSize("q")).toBe(2);
  expect(text(again.dequeueValue("q", "front"))).toBe("2");
  expect(text(again.dequeueValue("q", "front"))).toBe("3");
  expect(again.dequeueValue("q", "front")).toBeUndefined();
  expect(again.queueSize("other")).toBe(1);
});

test("an index of schema 2 gets the tables of schema 3", () => {
  const path = freshPath();
  new SqliteIndex(path).close();
  const db = new Database(path);
  db.exec("DROP TABLE key_values; DROP TABLE queues; PRAGMA user_version = 2");
  db.close();
  const index = new SqliteIndex(path);
  index.storeKeyValue("s", "k", bytes("v"));
  expect(text(index.keyValue("s", "k"))).toBe("v");
  expect(index.db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version)
    .toBe(3);
  index.close();
});

test("INDEX_METHODS lists every method of the embedded back-end", () => {
  const own = Object.getOwnPropertyNames(SqliteIndex.prototype).filter((n) => n !== "constructor");
  expect([...INDEX_METHODS].sort() as string[]).toEqual(own.sort());
  expect(missingIndexMethods({ close() {} })).toHaveLength(INDEX_METHODS.length - 1);
});
