// Filesystem storage area in Orthanc's layout: <root>/ab/cd/abcd...-uuid.
import { closeSync, constants, fdatasync, mkdirSync, openSync, writeSync } from "node:fs";
import { mkdir, open, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { StorageArea } from "./area.ts";

const datasync = promisify(fdatasync);

/**
 * Up to this size a file is opened, written and closed in place, and only its flush waits in the
 * thread pool: each trip there costs two thread wake-ups, more than the call. Past it, the write
 * goes to the thread pool, so that a large upload does not hold up the requests of others.
 */
const WRITE_IN_PLACE_BELOW = 1024 * 1024;

export class FilesystemStorage implements StorageArea {
  /** `sync`: flush each file to the disk before create() resolves (Orthanc's SyncStorageArea). */
  constructor(readonly root: string, private readonly sync: boolean) {}

  path(uuid: string): string {
    return join(this.root, uuid.slice(0, 2), uuid.slice(2, 4), uuid);
  }

  async create(uuid: string, contentType: number, data: Uint8Array): Promise<void> {
    await (await this.write(uuid, contentType, data)).durable;
  }

  async write(
    uuid: string,
    _contentType: number,
    data: Uint8Array,
  ): Promise<{ durable: Promise<void> }> {
    const path = this.path(uuid);
    if (data.length >= WRITE_IN_PLACE_BELOW) {
      await this.createLarge(path, data);
      return { durable: Promise.resolve() };
    }
    const fd = openInFolder(path);
    try {
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    if (!this.sync) {
      closeSync(fd);
      return { durable: Promise.resolve() };
    }
    return { durable: datasync(fd).finally(() => closeSync(fd)) };
  }

  /** Opened without O_TRUNC: a file that create() is filling meanwhile keeps its bytes. */
  async reserve(uuid: string): Promise<void> {
    const path = this.path(uuid);
    const flags = constants.O_WRONLY | constants.O_CREAT;
    const handle = await open(path, flags).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
      await mkdir(dirname(path), { recursive: true });
      return open(path, flags);
    });
    // Not waited for: the file is there once it is open.
    void handle.close().catch(() => undefined);
  }

  private async createLarge(path: string, data: Uint8Array): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, "w");
    try {
      await handle.writeFile(data);
      if (this.sync) await handle.datasync();
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

/** Opens a new file for writing; its folders are made when the first try finds none. */
function openInFolder(path: string): number {
  try {
    return openSync(path, "w");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dirname(path), { recursive: true });
  return openSync(path, "w");
}
