// The folder tree behind /webdav/uploads/ (Orthanc's WebDavStorage), kept in memory: files stay
// only until they are imported, and clients create folders before writing into them.
import { autodetectMimeType } from "./mime.ts";
import { OrthancError } from "../server/errors.ts";
import type { DavFile, DavItem } from "./protocol.ts";

interface UploadedFile {
  bytes: Uint8Array;
  mimeType: string;
  time: Date;
}

class Folder {
  readonly files = new Map<string, UploadedFile>();
  readonly folders = new Map<string, Folder>();
  time = new Date();

  has(name: string): boolean {
    return this.files.has(name) || this.folders.has(name);
  }
}

const byName = <T>(map: Map<string, T>) =>
  [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function checkName(name: string): void {
  if (name === "" || /[/\\\0]/.test(name)) {
    throw new OrthancError("ParameterOutOfRange", `Bad resource name for WebDAV: ${name}`);
  }
}

export class UploadArea {
  private readonly root = new Folder();

  private folder(path: string[]): Folder | undefined {
    let folder: Folder | undefined = this.root;
    for (const name of path) folder = folder?.folders.get(name);
    return folder;
  }

  /** The folder holding the item a path names; Orthanc refuses the empty path there. */
  private parent(path: string[]): Folder | undefined {
    if (path.length === 0) throw new OrthancError("ParameterOutOfRange");
    return this.folder(path.slice(0, -1));
  }

  isExistingFolder(path: string[]): boolean {
    return this.folder(path) !== undefined;
  }

  /** Files first, then folders, each by name (Orthanc's order). */
  list(path: string[]): DavItem[] | undefined {
    const folder = this.folder(path);
    if (!folder) return undefined;
    return [
      ...byName(folder.files).map(([name, f]): DavItem => ({
        name,
        folder: false,
        size: f.bytes.byteLength,
        created: f.time,
      })),
      ...byName(folder.folders).map(([name, f]): DavItem => ({
        name,
        folder: true,
        modified: f.time,
      })),
    ];
  }

  file(path: string[]): DavFile | undefined {
    const file = this.parent(path)?.files.get(path.at(-1)!);
    return file && { bytes: file.bytes, mimeType: file.mimeType, modified: file.time };
  }

  /** False when the parent folder is missing or a folder has that name. */
  store(path: string[], bytes: Uint8Array): boolean {
    const folder = this.parent(path);
    const name = path.at(-1)!;
    if (!folder) return false;
    checkName(name);
    if (folder.folders.has(name)) return false;
    folder.files.set(name, { bytes, mimeType: autodetectMimeType(name), time: new Date() });
    folder.time = new Date();
    return true;
  }

  /** False when the parent folder is missing or the name is taken. */
  createFolder(path: string[]): boolean {
    const folder = this.parent(path);
    const name = path.at(-1)!;
    if (!folder) return false;
    checkName(name);
    if (folder.has(name)) return false;
    folder.folders.set(name, new Folder());
    folder.time = new Date();
    return true;
  }

  /** Removes a file or a whole folder; false when there is none (or for the root). */
  remove(path: string[]): boolean {
    if (path.length === 0) return false;
    const chain: Folder[] = [this.root];
    for (const name of path.slice(0, -1)) {
      const next = chain.at(-1)!.folders.get(name);
      if (!next) return false;
      chain.push(next);
    }
    const folder = chain.at(-1)!;
    const name = path.at(-1)!;
    if (!folder.files.delete(name) && !folder.folders.delete(name)) return false;
    const now = new Date();
    for (const f of chain) f.time = now;
    return true;
  }

  /** Drops the folders left empty, innermost first (Orthanc does this after 30 s idle). */
  removeEmptyFolders(folder = this.root): void {
    for (const [name, sub] of folder.folders) {
      this.removeEmptyFolders(sub);
      if (sub.files.size === 0 && sub.folders.size === 0) folder.folders.delete(name);
    }
  }
}
