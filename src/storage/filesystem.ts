// Filesystem storage area in Orthanc's layout: <root>/ab/cd/abcd...-uuid.
import { mkdir, open, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StorageArea } from "./area.ts";

export class FilesystemStorage implements StorageArea {
  private readonly madeFolders = new Set<string>();

  /** `sync`: flush each file to the disk before create() resolves (Orthanc's SyncStorageArea). */
  constructor(readonly root: string, private readonly sync: boolean) {}

  path(uuid: string): string {
    return join(this.root, uuid.slice(0, 2), uuid.slice(2, 4), uuid);
  }

  async create(uuid: string, _contentType: number, data: Uint8Array): Promise<void> {
    const folder = join(this.root, uuid.slice(0, 2), uuid.slice(2, 4));
    if (!this.madeFolders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.madeFolders.add(folder);
    }
    if (!this.sync) {
      await writeFile(this.path(uuid), data);
      return;
    }
    const handle = await open(this.path(uuid), "w");
    try {
      await handle.writeFile(data);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async read(uuid: string): Promise<Uint8Array> {
    return new Uint8Array(await Bun.file(this.path(uuid)).arrayBuffer());
  }

  async readRange(uuid: string, _contentType: number, start: number, end: number) {
    return new Uint8Array(await Bun.file(this.path(uuid)).slice(start, end).arrayBuffer());
  }

  file(uuid: string): Bun.BunFile {
    return Bun.file(this.path(uuid));
  }

  async remove(uuid: string): Promise<void> {
    await rm(this.path(uuid), { force: true });
  }
}
