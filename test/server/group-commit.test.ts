// Group commit and the files journaled ahead: concurrent stores share one transaction, a failure
// is only its own, and a clean stop leaves nothing in the journal.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteIndex } from "../../src/index/sqlite/database.ts";
import { GroupCommit } from "../../src/server/group-commit.ts";
import { ReservedFiles } from "../../src/server/reserved-files.ts";
import { FilesystemStorage } from "../../src/storage/filesystem.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A real index whose transactions are counted. */
function countedIndex(): { index: SqliteIndex; transactions: () => number } {
  const dir = mkdtempSync(join(tmpdir(), "pharos-group-"));
  dirs.push(dir);
  const index = new SqliteIndex(join(dir, "index.sqlite"));
  let count = 0;
  const transaction = index.transaction.bind(index);
  index.transaction = <T>(fn: () => T): T => {
    count++;
    return transaction(fn);
  };
  return { index, transactions: () => count };
}

test("work queued in one turn is committed in one transaction, each caller getting its result", async () => {
  const { index, transactions } = countedIndex();
  const commits = new GroupCommit(index);
  const ids = await Promise.all(
    ["a", "b", "c", "d"].map((id) => commits.run(() => index.createResource("Patient", id, null))),
  );
  expect(transactions()).toBe(1);
  expect(ids.map((id) => index.byInternalId(id)?.publicId)).toEqual(["a", "b", "c", "d"]);
});

test("a failing piece of work fails alone; the others of its group are committed", async () => {
  const { index } = countedIndex();
  const commits = new GroupCommit(index);
  const outcomes = await Promise.allSettled([
    commits.run(() => index.createResource("Patient", "a", null)),
    commits.run(() => {
      index.createResource("Patient", "b", null);
      throw new Error("refused");
    }),
    commits.run(() => index.createResource("Patient", "c", null)),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect(index.lookup("a")).toBeDefined();
  // The failed work's own writes are rolled back.
  expect(index.lookup("b")).toBeUndefined();
  expect(index.lookup("c")).toBeDefined();
});

test("the group waits for announced work, and commits it with the work queued before", async () => {
  const { index, transactions } = countedIndex();
  const commits = new GroupCommit(index);
  commits.expect();
  const first = commits.run(() => index.createResource("Patient", "early", null));
  // The announced store finishes its file a little later, in another turn.
  await Bun.sleep(0);
  commits.arrived();
  const second = commits.run(() => index.createResource("Patient", "late", null));
  await Promise.all([first, second]);
  expect(transactions()).toBe(1);
});

test("announced work that never comes holds the group back for a few milliseconds only", async () => {
  const { index } = countedIndex();
  const commits = new GroupCommit(index);
  commits.expect();
  const started = performance.now();
  await commits.run(() => index.createResource("Patient", "alone", null));
  expect(performance.now() - started).toBeLessThan(100);
  expect(index.lookup("alone")).toBeDefined();
});

test("reserved files are journaled before they are handed out, and released at a clean stop", async () => {
  const { index } = countedIndex();
  const reserved = new ReservedFiles(index, new GroupCommit(index), { remove: async () => {} });
  const uuid = await reserved.take();
  const journaled = new Set(index.pendingFiles().map((f) => f.uuid));
  expect(journaled.has(uuid)).toBe(true);
  // Handed out once each.
  const more = await Promise.all(Array.from({ length: 40 }, () => reserved.take()));
  expect(new Set([uuid, ...more]).size).toBe(41);
  for (const u of more) expect(index.pendingFiles().some((f) => f.uuid === u)).toBe(true);
  // A batch of 32 shares a folder of the ab/cd layout; each is still a version 4 UUID.
  expect(new Set([uuid, ...more].map((u) => u.slice(0, 4))).size).toBeLessThanOrEqual(3);
  for (const u of [uuid, ...more]) {
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
  // The ones handed out stay journaled until their rows are written; the unused ones leave.
  await reserved.release();
  expect(index.pendingFiles().map((f) => f.uuid).sort()).toEqual([uuid, ...more].sort());
});

test("a reservation's file is made at once, and a reservation given back leaves no file", async () => {
  const { index } = countedIndex();
  const root = mkdtempSync(join(tmpdir(), "pharos-reserved-"));
  dirs.push(root);
  const storage = new FilesystemStorage(root, true);
  const reserved = new ReservedFiles(index, new GroupCommit(index), storage);
  const kept = await reserved.reserve();
  await kept.made;
  expect(statSync(storage.path(kept.uuid)).size).toBe(0);
  // The store fills the file made for it.
  kept.used = true;
  await storage.create(kept.uuid, 1, new Uint8Array([1, 2, 3]));
  const unused = await reserved.reserve();
  await unused.made;
  expect(existsSync(storage.path(unused.uuid))).toBe(true);
  await reserved.giveBack(unused);
  expect(existsSync(storage.path(unused.uuid))).toBe(false);
  await reserved.release();
  expect(existsSync(storage.path(unused.uuid))).toBe(false);
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) =>
    e.isFile()
  );
  expect(files.map((e) => e.name)).toEqual([kept.uuid]);
  expect(statSync(storage.path(kept.uuid)).size).toBe(3);
  // The unused uuid left the journal with the rest of the pool; the used one stays until indexed.
  expect(index.pendingFiles().map((f) => f.uuid)).toEqual([kept.uuid]);
});
