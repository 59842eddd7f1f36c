// What Orthanc does with a file written into /webdav/uploads/: it imports it in the background,
// one file at a time (a ZIP archive entry by entry), then removes it from the upload area
// whether or not it was DICOM. Empty files are left alone (clients create a file empty before
// writing it), and folders left empty are removed after 30 s without uploads.
import { isZip, readZip, ZipFormatError } from "../archive/zip-reader.ts";
import { mayBeDicom, SNIFF_LENGTH } from "../dicom/sniff.ts";
import { log } from "../log.ts";
import { OrthancError } from "../server/errors.ts";
import type { StoreResult } from "../server/store.ts";
import type { UploadArea } from "./upload-area.ts";

const IDLE_CLEANUP_MS = 30_000;

export class UploadImporter {
  private queue: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly area: UploadArea,
    private readonly store: (bytes: Uint8Array) => Promise<StoreResult>,
    private readonly idleMs = IDLE_CLEANUP_MS,
  ) {
    this.armCleanup();
  }

  /** Stores a file in the area and, unless it is empty, queues its import. */
  put(path: string[], bytes: Uint8Array): boolean {
    if (!this.area.store(path, bytes)) return false;
    if (bytes.byteLength > 0) {
      this.queue = this.queue.then(() => this.import(path)).catch((error) =>
        log.error(`WebDAV upload of /${path.join("/")}: ${String(error)}`)
      );
    }
    return true;
  }

  private armCleanup(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.area.removeEmptyFolders();
      this.armCleanup();
    }, this.idleMs);
    // The cleanup never keeps the process alive.
    this.timer.unref();
  }

  private async import(path: string[]): Promise<void> {
    const file = this.area.file(path);
    if (!file) return;
    const name = `/${path.join("/")}`;
    const imported = isZip(file.bytes)
      ? await this.importZip(file.bytes, name)
      : await this.importDicom(file.bytes, name);
    this.area.remove(path);
    if (!imported) {
      log.warning(`Cannot import DICOM instance from WebDAV (maybe not a DICOM file): ${name}`);
    }
    this.armCleanup();
  }

  private async importDicom(bytes: Uint8Array, name: string): Promise<boolean> {
    try {
      const result = await this.store(bytes);
      if (result.status === "FilteredOut") return false;
      log.info(`Imported DICOM instance from WebDAV: ${name} (Orthanc ID: ${result.ids.instance})`);
      return true;
    } catch {
      return false;
    }
  }

  /** Every non-empty entry is stored; an archive counts as imported even if some entries fail. */
  private async importZip(bytes: Uint8Array, name: string): Promise<boolean> {
    let entries;
    try {
      entries = readZip(bytes);
    } catch {
      return false;
    }
    for (const entry of entries) {
      if (entry.size === 0) continue;
      try {
        // Not inflated at all when its first bytes cannot start a DICOM file.
        if (!mayBeDicom(entry.head(SNIFF_LENGTH))) throw new OrthancError("BadFileFormat");
        await this.store(entry.read());
      } catch (error) {
        if (error instanceof ZipFormatError) {
          log.error(`Cannot read ${entry.name} in ZIP archive ${name}: ${error.message}`);
        } else if (error instanceof OrthancError && error.kind === "BadFileFormat") {
          log.error(`Cannot import non-DICOM file from ZIP archive ${name}: ${entry.name}`);
        }
      }
    }
    return true;
  }
}
