// A new file opened for writing, on the server's thread or a hashing writer's.
import { fdatasync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { promisify } from "node:util";

/** fdatasync on the thread pool. */
export const datasync = promisify(fdatasync);

/** Opens a new file for writing; its folders are made when the first try finds none. */
export function openInFolder(path: string): number {
  try {
    return openSync(path, "w");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dirname(path), { recursive: true });
  return openSync(path, "w");
}
