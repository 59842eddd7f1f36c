// The filesystem storage area: Orthanc's ab/cd/uuid layout, byte-exact files of every size, on
// the in-place path of small files and the thread pool's of large ones.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FilesystemStorage } from "../../src/storage/filesystem.ts";

const root = mkdtempSync(join(tmpdir(), "pharos-storage-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const filled = (size: number) => new Uint8Array(size).map((_, i) => (i * 31 + size) & 0xff);

for (const sync of [true, false]) {
  test(`files are written whole in Orthanc's layout (SyncStorageArea ${sync})`, async () => {
    const storage = new FilesystemStorage(join(root, String(sync)), sync);
    const sizes = [0, 1, 170_000, 1024 * 1024 - 1, 1024 * 1024, 3 * 1024 * 1024 + 7];
    const uuids = sizes.map((_, i) => `a${i}b${i}cdef-0000-4000-8000-00000000000${i}`);
    // Two files share a folder: the second finds it made.
    uuids.push("a0b0cdef-0000-4000-8000-0000000000ff");
    sizes.push(12_345);
    await Promise.all(uuids.map((u, i) => storage.create(u, 1, filled(sizes[i]!))));
    uuids.forEach((u, i) => {
      const path = join(root, String(sync), u.slice(0, 2), u.slice(2, 4), u);
      expect(storage.path(u)).toBe(path);
      expect(new Uint8Array(readFileSync(path))).toEqual(filled(sizes[i]!));
    });
    // A file written again under its uuid is replaced, not appended to.
    await storage.create(uuids[2]!, 1, filled(10));
    expect(new Uint8Array(await storage.read(uuids[2]!))).toEqual(filled(10));
  });
}
