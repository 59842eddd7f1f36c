// The SQLite index's WAL checkpointer: once a few commits have gone by, its thread copies the WAL
// into the database file (the server's connection no longer does it at SQLite's default
// threshold), and a close ends the thread first, so that the server's connection, the last, removes
// the WAL.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FALLBACK_AUTOCHECKPOINT } from "../../src/index/sqlite/checkpointer.ts";
import { SqliteIndex } from "../../src/index/sqlite/database.ts";
import { waitFor } from "../support/server.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshIndex(): { index: SqliteIndex; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "pharos-checkpointer-"));
  dirs.push(dir);
  const path = join(dir, "index.sqlite");
  return { index: new SqliteIndex(path), path };
}

const autocheckpoint = (index: SqliteIndex) =>
  index.db.query<{ wal_autocheckpoint: number }, []>("PRAGMA wal_autocheckpoint").get()!
    .wal_autocheckpoint;

test("after the first commits, the WAL is copied into the database file by the thread", async () => {
  const { index, path } = freshIndex();
  try {
    const size = statSync(path).size;
    let n = 0;
    const commit = () =>
      index.transaction(() => {
        for (let i = 0; i < 20; i++) index.createResource("Patient", `p${n++}`, null);
      });
    // Fewer commits than the threshold of the server connection's own checkpoint.
    for (let i = 0; i < 40; i++) commit();
    await waitFor(() => autocheckpoint(index) === FALLBACK_AUTOCHECKPOINT, "the thread to start");
    for (let i = 0; i < 40; i++) commit();
    await waitFor(() => statSync(path).size > size, "the database file to grow");
    expect(index.lookup(`p${n - 1}`)).toBeDefined();
  } finally {
    index.close();
  }
  expect(existsSync(`${path}-wal`)).toBe(false);
  const reopened = new SqliteIndex(path);
  expect(reopened.listLevel("Patient").length).toBe(80 * 20);
  reopened.close();
});

test("an index closed before the thread starts has none to end", () => {
  const { index, path } = freshIndex();
  index.transaction(() => index.createResource("Patient", "p", null));
  index.close();
  expect(existsSync(`${path}-wal`)).toBe(false);
  const reopened = new SqliteIndex(path);
  expect(autocheckpoint(reopened)).toBe(1000);
  reopened.close();
});

test("an index closed while its thread is starting closes cleanly", () => {
  const { index, path } = freshIndex();
  // The 32nd commit starts the thread; its first answer comes after the close.
  for (let i = 0; i < 32; i++) {
    index.transaction(() => index.createResource("Patient", `p${i}`, null));
  }
  index.close();
  expect(existsSync(`${path}-wal`)).toBe(false);
  const reopened = new SqliteIndex(path);
  expect(reopened.listLevel("Patient").length).toBe(32);
  reopened.close();
});
