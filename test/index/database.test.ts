// The index on a real SQLite file, or PostgreSQL database (PHAROS_TEST_INDEX): resource tree,
// cascade deletion, totals, persistence, the file journal.
import { afterEach, expect, test } from "bun:test";
import type { IndexBackend } from "../../src/index/interface.ts";
import { ContentType } from "../../src/server/model.ts";
import { deleteSubtree } from "../../src/server/delete.ts";
import { freshTestIndex, type TestIndex } from "../support/test-index.ts";
import { onPostgreSQL } from "../support/postgresql.ts";
import { SqliteIndex } from "../../src/index/sqlite/database.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const opened: TestIndex[] = [];
function freshIndex(): TestIndex {
  const fresh = freshTestIndex();
  opened.push(fresh);
  return fresh;
}
afterEach(() => {
  for (const o of opened.splice(0)) o.dispose();
});

function attachment(uuid: string, size: number) {
  return {
    contentType: ContentType.Dicom,
    uuid,
    compressedSize: size,
    uncompressedSize: size,
    compression: 0,
    uncompressedMd5: "",
    compressedMd5: "",
    revision: 0,
  };
}

function tree(index: IndexBackend) {
  return index.transaction(() => {
    const p = index.createResource("Patient", "p", null);
    const st = index.createResource("Study", "st", p);
    const se1 = index.createResource("Series", "se1", st);
    const se2 = index.createResource("Series", "se2", st);
    const i1 = index.createResource("Instance", "i1", se1);
    const i2 = index.createResource("Instance", "i2", se2);
    index.addAttachment(i1, attachment("u1", 100));
    index.addAttachment(i2, attachment("u2", 50));
    index.setMainTag(p, 0x00100020, "PID");
    return { p, st, se1, se2, i1, i2 };
  });
}

test("builds the tree and counts it", () => {
  const { index } = freshIndex();
  const ids = tree(index);
  expect(index.children(ids.st).map((r) => r.publicId)).toEqual(["se1", "se2"]);
  expect(index.totals()).toEqual({
    patients: 1,
    studies: 1,
    series: 2,
    instances: 2,
    compressedSize: 150,
    uncompressedSize: 150,
  });
  expect(index.listLevel("Series", 1, 5)).toEqual(["se2"]);
  expect(index.mainTags(ids.p).get(0x00100020)).toBe("PID");
});

test("childFiles reads each child's main tag, attachment and metadata in one query", () => {
  const { index } = freshIndex();
  const ids = tree(index);
  const i3 = index.transaction(() => {
    const i3 = index.createResource("Instance", "i3", ids.se1);
    index.setMainTag(ids.i1, 0x00080018, "1.2.3");
    index.setMainTag(ids.i1, 0x00080060, "MR");
    index.setMetadata(ids.i1, 14, "1234");
    index.setMetadata(ids.i1, 3, "1.2.840.10008.1.2.1");
    index.setMetadata(i3, 3, "1.2.840.10008.1.2");
    index.addAttachment(i3, { ...attachment("u3", 30), contentType: 42 });
    return i3;
  });
  const query = { tag: 0x00080018, contentType: ContentType.Dicom, metadata: [14, 3] };
  expect(index.childFiles(ids.se1, query)).toEqual([
    {
      resource: { internalId: ids.i1, level: "Instance", publicId: "i1", parentId: ids.se1 },
      tag: "1.2.3",
      file: attachment("u1", 100),
      metadata: ["1234", "1.2.840.10008.1.2.1"],
    },
    {
      // Without the tag, the attachment of that type and the first metadata.
      resource: { internalId: i3, level: "Instance", publicId: "i3", parentId: ids.se1 },
      metadata: [undefined, "1.2.840.10008.1.2"],
    },
  ]);
  expect(index.childFiles(ids.se1, { ...query, metadata: [] }).map((c) => c.metadata)).toEqual([
    [],
    [],
  ]);
  expect(index.childFiles(ids.i1, query)).toEqual([]);
});

test("deleting the last instance of a series removes the series and keeps the study", () => {
  const { index } = freshIndex();
  tree(index);
  const outcome = index.transaction(() => deleteSubtree(index, index.lookup("i1")!));
  expect(outcome.files.map((f) => f.uuid)).toEqual(["u1"]);
  expect(outcome.remainingAncestor).toEqual({ ID: "st", Path: "/studies/st", Type: "Study" });
  expect(index.lookup("se1")).toBeUndefined();
  expect(index.totals().instances).toBe(1);
  expect(index.totals().compressedSize).toBe(50);
});

test("deleting a patient cascades to everything below", async () => {
  const { index, rowCount } = freshIndex();
  tree(index);
  const outcome = index.transaction(() => deleteSubtree(index, index.lookup("p")!));
  expect(outcome.files.map((f) => f.uuid).sort()).toEqual(["u1", "u2"]);
  expect(outcome.remainingAncestor).toBeNull();
  expect(index.totals()).toEqual({
    patients: 0,
    studies: 0,
    series: 0,
    instances: 0,
    compressedSize: 0,
    uncompressedSize: 0,
  });
  expect(await rowCount("main_tags")).toBe(0);
});

test("a failed transaction leaves nothing behind, and commits survive a reopen", () => {
  const { index, reopen } = freshIndex();
  tree(index);
  expect(() =>
    index.transaction(() => {
      index.createResource("Patient", "p2", null);
      throw new Error("boom");
    })
  ).toThrow("boom");
  expect(index.lookup("p2")).toBeUndefined();
  index.close();
  const reopened = reopen();
  expect(reopened.totals().instances).toBe(2);
});

test("the file journal follows the attachment rows in their transactions", () => {
  const { index } = freshIndex();
  const { i1 } = tree(index);
  const uuids = () => index.pendingFiles().map((f) => f.uuid).sort();
  // Attached files are not pending; a file journaled before its write leaves when attached.
  expect(uuids()).toEqual([]);
  index.addPendingFile({ uuid: "u3", contentType: ContentType.Dicom });
  expect(uuids()).toEqual(["u3"]);
  index.transaction(() => index.addAttachment(i1, attachment("u3", 10)));
  // Replacing u1 by u3 leaves u1 to be removed.
  expect(uuids()).toEqual(["u1"]);
  index.removePendingFile("u1");
  // A deletion journals every file it detaches, in its own transaction.
  const p = index.lookup("p")!;
  index.transaction(() => deleteSubtree(index, p));
  expect(uuids()).toEqual(["u2", "u3"]);
  // A rolled-back deletion journals nothing.
  const other = freshIndex().index;
  const t = tree(other);
  expect(() =>
    other.transaction(() => {
      other.deleteResource(t.i1);
      throw new Error("rollback");
    })
  ).toThrow("rollback");
  expect(other.pendingFiles()).toEqual([]);
});

test.skipIf(onPostgreSQL)(
  "moving a patient to the end of the recycling order reads an index, not every patient",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "pharos-recycling-"));
    const index = new SqliteIndex(join(dir, "index.db"));
    try {
      // The query touchPatient runs to find the end of the order: with 200,000 patients, a scan
      // of the table cost about 17 ms a store.
      const plan = index.db.query<{ detail: string }, []>(
        "EXPLAIN QUERY PLAN SELECT MAX(seq) FROM patient_recycling",
      ).all();
      expect(plan.map((r) => r.detail).join()).toContain("INDEX patient_recycling_seq");
    } finally {
      index.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("a store moves its patient to the end of the recycling order, once, when it is not last already", () => {
  const { index } = freshIndex();
  const [a, b, c] = index.transaction(() =>
    ["a", "b", "c"].map((id) => {
      const patient = index.createResource("Patient", id, null);
      index.touchPatient(patient);
      return patient;
    })
  );
  const order = () => {
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const next = index.oldestUnprotectedPatient(-1);
      if (next === undefined) break;
      seen.push(next);
      index.setProtected(next, true);
    }
    for (const p of seen) index.setProtected(p, false);
    return seen;
  };
  expect(order()).toEqual([a!, b!, c!]);
  // c is last already: touching it again changes nothing.
  index.transaction(() => index.touchPatient(c!));
  expect(order()).toEqual([a!, b!, c!]);
  index.transaction(() => index.touchPatient(a!));
  expect(order()).toEqual([b!, c!, a!]);
  index.transaction(() => index.touchPatient(a!));
  index.transaction(() => index.touchPatient(b!));
  expect(order()).toEqual([c!, a!, b!]);
});

test.skipIf(onPostgreSQL)("touching the patient that is last already writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "pharos-recycling-"));
  const index = new SqliteIndex(join(dir, "index.db"));
  try {
    const patient = index.transaction(() => {
      const p = index.createResource("Patient", "p", null);
      index.touchPatient(p);
      return p;
    });
    const changes = () => index.db.query<{ n: number }, []>("SELECT total_changes() AS n").get()!.n;
    const before = changes();
    index.transaction(() => index.touchPatient(patient));
    expect(changes()).toBe(before);
  } finally {
    index.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
