// A fresh index back-end for the index tests: SQLite on a temporary file, or under
// PHAROS_TEST_INDEX=postgresql a database of the test cluster, so that the same tests run on both.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import type { IndexBackend } from "../../src/index/interface.ts";
import { PostgresIndex } from "../../src/index/postgresql/database.ts";
import { SqliteIndex } from "../../src/index/sqlite/database.ts";
import { freshDatabase, onPostgreSQL } from "./postgresql.ts";

export interface TestIndex {
  index: IndexBackend;
  /** Opens the same index again (after a close: persistence). */
  reopen(): IndexBackend;
  /** The number of rows of a table, read beside the back-end. */
  rowCount(table: string): Promise<number>;
  /** Closes what is open and removes the files. */
  dispose(): void;
}

export function openPostgresIndex(url: string): PostgresIndex {
  return new PostgresIndex({
    url,
    exclusive: false,
    connectAttempts: 1,
    connectIntervalSeconds: 0,
  });
}

export function freshTestIndex(): TestIndex {
  const opened: IndexBackend[] = [];
  const keep = <T extends IndexBackend>(index: T) => (opened.push(index), index);
  if (onPostgreSQL) {
    const url = freshDatabase();
    return {
      index: keep(openPostgresIndex(url)),
      reopen: () => keep(openPostgresIndex(url)),
      async rowCount(table) {
        const sql = new SQL({ url, max: 1 });
        const [row] = await sql.unsafe(`SELECT COUNT(*) AS n FROM ${table}`);
        await sql.close();
        return Number(row.n);
      },
      dispose: () => opened.forEach((i) => i.close()),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "pharos-index-"));
  const path = join(dir, "index.sqlite");
  return {
    index: keep(new SqliteIndex(path)),
    reopen: () => keep(new SqliteIndex(path)),
    rowCount(table) {
      const index = opened[0] as SqliteIndex;
      const row = index.db.query<{ n: number }, []>(`SELECT COUNT(*) AS n FROM ${table}`).get();
      return Promise.resolve(row?.n ?? 0);
    },
    dispose() {
      for (const i of opened) i.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
