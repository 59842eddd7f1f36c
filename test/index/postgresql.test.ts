// The PostgreSQL back-end on a real cluster (test/support/postgresql.ts), whatever
// PHAROS_TEST_INDEX says: what SQLite has no counterpart for. The schema version and its refusal,
// the sync bridge's transactions, the journal shared by several nodes, the Lock option, GLOB
// patterns as regular expressions, and a restart of the database under a node.
import { afterAll, expect, test } from "bun:test";
import { SQL } from "bun";
import { INDEX_METHODS } from "../../src/index/interface.ts";
import { globToRegex, PostgresIndex } from "../../src/index/postgresql/database.ts";
import { SCHEMA_VERSION } from "../../src/index/postgresql/schema.ts";
import { ContentType, IndexFailure } from "../../src/server/model.ts";
import { freshDatabase, restartCluster } from "../support/postgresql.ts";
import { openPostgresIndex } from "../support/test-index.ts";

const opened: PostgresIndex[] = [];
const open = (url: string, exclusive = false) => {
  const index = new PostgresIndex({
    url,
    exclusive,
    connectAttempts: 1,
    connectIntervalSeconds: 0,
  });
  opened.push(index);
  return index;
};
afterAll(() => opened.forEach((i) => i.close()));

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new SQL({ url, max: 1 });
  try {
    return [...await client.unsafe(sql)];
  } finally {
    await client.close();
  }
}

test("INDEX_METHODS lists every method of the PostgreSQL back-end", () => {
  const own = Object.getOwnPropertyNames(PostgresIndex.prototype).filter((n) =>
    n !== "constructor" &&
    !["migrate", "rows", "write", "send", "savepoint", "upsertRow", "prefetch"].includes(n)
  );
  expect([...INDEX_METHODS].sort() as string[]).toEqual(own.sort());
});

test(
  "the schema version is recorded; a database from a newer Pharos is refused, clearly",
  async () => {
    const url = freshDatabase();
    open(url).close();
    expect(await query(url, "SELECT version FROM pharos_schema")).toEqual([{
      version: SCHEMA_VERSION,
    }]);
    // An older one is upgraded: the tables it lacks are created at start.
    await query(url, "DROP TABLE queues; UPDATE pharos_schema SET version = 0");
    const upgraded = open(url);
    upgraded.enqueueValue("q", new Uint8Array([1]));
    expect(upgraded.queueSize("q")).toBe(1);
    upgraded.close();
    expect((await query(url, "SELECT version FROM pharos_schema"))[0]?.version).toBe(
      SCHEMA_VERSION,
    );
    await query(url, `UPDATE pharos_schema SET version = ${SCHEMA_VERSION + 1}`);
    expect(() => open(url)).toThrow(
      `The PostgreSQL index has schema version ${SCHEMA_VERSION + 1}, newer than this Pharos knows`,
    );
  },
  30_000,
); // The first test of a process also starts the cluster.

test("a transaction is one PostgreSQL transaction: a throw undoes it, nested ones as savepoints", () => {
  const index = open(freshDatabase());
  expect(() =>
    index.transaction(() => {
      index.createResource("Patient", "gone", null);
      throw new Error("boom");
    })
  ).toThrow("boom");
  expect(index.lookup("gone")).toBeUndefined();
  index.transaction(() => {
    index.createResource("Patient", "kept", null);
    expect(() =>
      index.transaction(() => {
        index.createResource("Patient", "inner", null);
        throw new Error("inner");
      })
    ).toThrow("inner");
  });
  expect(index.lookup("kept")?.level).toBe("Patient");
  expect(index.lookup("inner")).toBeUndefined();
  expect(index.totals().patients).toBe(1);
  // A statement the database refuses fails its transaction with Orthanc's Database error.
  const failure = (() => {
    try {
      index.transaction(() => index.createResource("Patient", "kept", null));
    } catch (error) {
      return error;
    }
  })();
  expect(failure).toBeInstanceOf(IndexFailure);
  expect((failure as IndexFailure).kind).toBe("Database");
});

test("prefetched lookups answer as the database would, created and deleted ones included", () => {
  const index = open(freshDatabase());
  const p = index.transaction(() => index.createResource("Patient", "p", null));
  index.transaction(() => {
    index.prefetch(["p", "st", "missing"]);
    expect(index.lookup("p")).toEqual({
      internalId: p,
      level: "Patient",
      publicId: "p",
      parentId: null,
    });
    expect(index.lookup("st")).toBeUndefined();
    const st = index.createResource("Study", "st", p);
    expect(index.lookup("st")?.internalId).toBe(st);
    index.deleteResource(st);
    expect(index.lookup("st")).toBeUndefined();
    expect(index.lookup("missing")).toBeUndefined();
  });
  expect(index.lookup("st")).toBeUndefined();
  expect(index.lookup("p")?.internalId).toBe(p);
});

test("main tags and metadata set together are written together, as one by one", () => {
  const index = open(freshDatabase());
  const id = index.transaction(() => {
    const p = index.createResource("Patient", "p", null);
    index.setMainTag(p, 0x00100010, "FIRST");
    index.setMainTag(p, 0x00100020, "ID");
    index.setMainTag(p, 0x00100010, "LAST");
    return p;
  });
  expect(index.mainTags(id)).toEqual(new Map([[0x00100010, "LAST"], [0x00100020, "ID"]]));
  index.transaction(() => {
    index.clearMainTags(id);
    index.setMainTag(id, 0x00100030, "19700101");
  });
  expect(index.mainTags(id)).toEqual(new Map([[0x00100030, "19700101"]]));
  // A metadata set twice is revised twice.
  index.transaction(() => {
    index.setMetadata(id, 1, "a");
    index.setMetadata(id, 2, "b");
    index.setMetadata(id, 1, "c");
    index.setMetadata(id, 3, "d");
  });
  expect(index.metadataEntry(id, 1)).toEqual({ value: "c", revision: 1 });
  expect(index.metadata(id)).toEqual(new Map([[1, "c"], [2, "b"], [3, "d"]]));
  expect(index.metadataEntry(id, 3)).toEqual({ value: "d", revision: 0 });
});

test("the journal is per node: a live node's files are its own, a gone node's are taken over", () => {
  const url = freshDatabase();
  const a = open(url);
  const b = open(url);
  a.addPendingFile({ uuid: "of-a", contentType: ContentType.Dicom });
  b.addPendingFile({ uuid: "of-b", contentType: ContentType.Dicom });
  expect(a.pendingFiles().map((f) => f.uuid)).toEqual(["of-a"]);
  expect(b.pendingFiles().map((f) => f.uuid)).toEqual(["of-b"]);
  a.close();
  const c = open(url);
  expect(c.pendingFiles().map((f) => f.uuid)).toEqual(["of-a"]);
  expect(b.pendingFiles().map((f) => f.uuid)).toEqual(["of-b"]);
});

test("Lock: a node with it uses the database alone; shared nodes and it exclude each other", () => {
  const url = freshDatabase();
  const alone = open(url, true);
  expect(() => open(url, false).totals()).toThrow("with PostgreSQL.Lock set");
  alone.close();
  open(url, false);
  expect(() => open(url, true).totals()).toThrow("set PostgreSQL.Lock to false");
});

test("GLOB patterns become anchored regular expressions, sets kept, the rest literal", () => {
  expect(globToRegex("AB*")).toBe("^AB.*$");
  expect(globToRegex("A?C")).toBe("^A.C$");
  expect(globToRegex("[[]x[]]")).toBe("^[[]x[]]$");
  expect(globToRegex("1.2+(3)")).toBe("^1\\.2\\+\\(3\\)$");
  const index = open(freshDatabase());
  const id = index.transaction(() => index.createResource("Patient", "p", null));
  index.transaction(() => index.setMainTag(id, 0x00100010, "DOE^J.[x]"));
  const find = (pattern: string) =>
    index.runFind({
      level: "Patient",
      tags: [{
        holder: "Patient",
        tag: 0x00100010,
        condition: { kind: "glob", normPattern: pattern },
      }],
      since: 0,
    }).length;
  expect(find("DOE^J.[[]X[]]")).toBe(1);
  expect(find("DOE*")).toBe(1);
  expect(find("DOE^J?[[]X[]]")).toBe(1);
  expect(find("DOE^JX*")).toBe(0);
});

test("values holding U+0000, which PostgreSQL's text cannot, round-trip and match", () => {
  const index = open(freshDatabase());
  const id = index.transaction(() => index.createResource("Patient", "p", null));
  index.transaction(() => index.setMainTag(id, 0x00080080, "ab\0cd"));
  expect(index.mainTags(id).get(0x00080080)).toBe("ab\0cd");
  const found = index.runFind({
    level: "Patient",
    tags: [{ holder: "Patient", tag: 0x00080080, condition: { kind: "equal", norm: "AB\0CD" } }],
    since: 0,
  });
  expect(found.map((r) => r.public_id)).toEqual(["p"]);
});

test("a restart of the database: a transaction under way fails whole, then the node reconnects", () => {
  const url = freshDatabase();
  const index = openPostgresIndex(url);
  opened.push(index);
  index.transaction(() => index.createResource("Patient", "before", null));
  const failure = (() => {
    try {
      index.transaction(() => {
        index.createResource("Patient", "half", null);
        restartCluster();
        index.createResource("Patient", "other-half", null);
      });
    } catch (error) {
      return error;
    }
  })();
  expect(failure).toBeInstanceOf(IndexFailure);
  expect((failure as IndexFailure).kind).toBe("DatabaseUnavailable");
  // Outside a transaction, the next statement reconnects by itself.
  expect(index.lookup("before")?.publicId).toBe("before");
  expect(index.lookup("half")).toBeUndefined();
  expect(index.lookup("other-half")).toBeUndefined();
  index.transaction(() => index.createResource("Patient", "after", null));
  expect(index.totals().patients).toBe(2);
  // The node's session (its journal's owner) came back with the connection.
  index.addPendingFile({ uuid: "after-restart", contentType: ContentType.Dicom });
  expect(index.pendingFiles().map((f) => f.uuid)).toEqual(["after-restart"]);
  // Another node that starts while this one is cut off takes its journal over; this one then
  // reconnects under a new number rather than wait for its old one.
  restartCluster();
  const other = open(url);
  expect(other.pendingFiles().map((f) => f.uuid)).toEqual(["after-restart"]);
  index.removePendingFile("after-restart");
  index.addPendingFile({ uuid: "own-again", contentType: ContentType.Dicom });
  expect(index.pendingFiles().map((f) => f.uuid)).toEqual(["own-again"]);
  expect(other.pendingFiles()).toEqual([]);
});
