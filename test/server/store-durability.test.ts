// The store pipeline's order with the disk: the index commit runs while the file is flushed, an
// instance is answered only once both are done, and a flush that fails fails the store (its row,
// committed meanwhile, keeps its written file). A caller's MD5 is used for the bytes it hashed.
import { afterEach, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteIndex } from "../../src/index/sqlite/database.ts";
import { EventBus } from "../../src/server/events.ts";
import { HookRegistry } from "../../src/server/hooks.ts";
import { ContentType } from "../../src/server/model.ts";
import { parseInstance, StorePipeline } from "../../src/server/store.ts";
import { FilesystemStorage } from "../../src/storage/filesystem.ts";
import { samplesDir, waitFor } from "../support/server.ts";

const SAMPLE = readFileSync(join(samplesDir, "Brainix/Flair/IM-0001-0001.dcm"));
const ORIGIN = { kind: "RestApi" } as const;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A pipeline over a real index and filesystem, whose flushes this test settles by hand. */
function pipeline() {
  const dir = mkdtempSync(join(tmpdir(), "pharos-store-"));
  dirs.push(dir);
  const index = new SqliteIndex(join(dir, "index.sqlite"));
  const files = new FilesystemStorage(join(dir, "storage"), false);
  const flushes: { settle: (error?: Error) => void }[] = [];
  const hooks = new HookRegistry();
  const stored: string[] = [];
  hooks.register("storedInstance", "test", (e) => void stored.push(e.ids.instance));
  const store = new StorePipeline({
    index,
    storage: {
      create: (uuid, type, data) => files.create(uuid, type, data),
      read: (uuid) => files.read(uuid),
      remove: (uuid) => files.remove(uuid),
      async write(uuid, type, data) {
        await files.create(uuid, type, data);
        const durable = new Promise<void>((resolve, reject) =>
          flushes.push({ settle: (error) => (error ? reject(error) : resolve()) })
        );
        return { durable };
      },
    },
    events: new EventBus(hooks),
    options: () => ({
      compression: false,
      storeMd5: true,
      overwrite: false,
      defaultEncoding: "Latin1",
      limits: { maximumStorageSize: 0, maximumPatientCount: 0, mode: "Recycle" },
    }),
    hooks,
    removeFiles: async (list) => {
      for (const f of list) await files.remove(f.uuid);
    },
    ingestTranscode: (bytes) => Promise.resolve(bytes),
  });
  return { index, store, flushes, stored, files };
}

const INSTANCE = parseInstance(SAMPLE, "Latin1").summary.ids.instance;
const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

test("the row is committed while the file flushes, and the answer waits for the flush", async () => {
  const { index, store, flushes } = pipeline();
  let answered = false;
  const result = store.store(SAMPLE, ORIGIN).then((r) => {
    answered = true;
    return r;
  });
  await waitFor(() => index.lookup(INSTANCE) !== undefined, "the commit");
  expect(flushes.length).toBe(1);
  expect(answered).toBe(false);
  flushes[0]!.settle();
  expect((await result).status).toBe("Success");
  const row = index.attachment(index.lookup(INSTANCE)!.internalId, ContentType.Dicom)!;
  expect(row.uncompressedMd5).toBe(md5(SAMPLE));
});

test("a flush that fails fails the store; the committed row keeps its written file", async () => {
  const { index, store, flushes, stored, files } = pipeline();
  const result = store.store(SAMPLE, ORIGIN);
  await waitFor(() => flushes.length === 1, "the flush to start");
  flushes[0]!.settle(new Error("EIO"));
  await expect(result).rejects.toThrow("EIO");
  const row = index.attachment(index.lookup(INSTANCE)!.internalId, ContentType.Dicom)!;
  expect(readFileSync(files.path(row.uuid))).toEqual(SAMPLE);
  // The events of what was committed went out.
  expect(stored).toEqual([INSTANCE]);
});

test("a caller's MD5 of the bytes it gave is the one recorded", async () => {
  const { index, store, flushes } = pipeline();
  const given = "0123456789abcdef0123456789abcdef";
  const result = store.store(SAMPLE, ORIGIN, [], given);
  await waitFor(() => flushes.length === 1, "the flush to start");
  flushes[0]!.settle();
  await result;
  const row = index.attachment(index.lookup(INSTANCE)!.internalId, ContentType.Dicom)!;
  expect(row.uncompressedMd5).toBe(given);
  expect(row.compressedMd5).toBe(given);
});
