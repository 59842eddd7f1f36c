// Attachments beyond ingest: user content types written and deleted through the REST API, and
// the compression of any attachment changed in place. Writes follow the store pipeline's order:
// the new file is complete before one immediate transaction checks the revision and points the
// row at it; the file is removed if that transaction fails, the replaced one after the commit.
import type { Configuration } from "../config/schema.ts";
import type { IndexBackend } from "../index/interface.ts";
import type { StorageArea } from "../storage/area.ts";
import { compressAttachment, md5Hex, uncompressAttachment } from "../storage/compression.ts";
import { FilesystemStorage } from "../storage/filesystem.ts";
import { OrthancError } from "./errors.ts";
import type { ChangeEvent, EventBus } from "./events.ts";
import { type AttachmentInfo, ChangeType, type Resource, type StoredFile } from "./model.ts";
import { isoNow } from "./time.ts";

/** What the attachment store works with: the storage area may be replaced by a plugin's. */
export interface AttachmentStoreParts {
  index: IndexBackend;
  storage: () => StorageArea;
  events: EventBus;
  removeFiles: (files: StoredFile[]) => Promise<void>;
}

/** Orthanc reserves the content types below 1024; 1024..65535 are the user's. */
export function isUserContentType(type: number): boolean {
  return type >= 1024 && type <= 65535;
}

/** What an If-Match header names: the revision, and the MD5 of the content the writer saw. */
export interface ExpectedRevision {
  revision: number;
  md5: string;
}

type Options = Pick<Configuration, "StorageCompression" | "StoreMD5ForAttachments">;

interface Encoded {
  info: AttachmentInfo;
  data: Uint8Array;
}

export class AttachmentStore {
  constructor(private readonly parts: AttachmentStoreParts, private readonly options: Options) {}

  find(r: Resource, type: number): AttachmentInfo | undefined {
    return this.parts.index.attachment(r.internalId, type);
  }

  types(r: Resource): number[] {
    return this.parts.index.attachmentTypes(r.internalId);
  }

  /** Every attachment of a resource, by content type. */
  all(r: Resource): AttachmentInfo[] {
    return this.parts.index.attachments(r.internalId);
  }

  /**
   * Creates or replaces an attachment and returns its new revision. `expected` (from If-Match,
   * or a sentinel that never matches when CheckRevisions requires one) is only checked against
   * an existing attachment: Orthanc starts a new sequence of revisions otherwise.
   */
  put(r: Resource, type: number, bytes: Uint8Array, expected?: ExpectedRevision): Promise<number> {
    const encoded = this.encode(bytes, type, this.options.StorageCompression);
    return this.replace(r, encoded, (current) => {
      if (!current) return 0;
      if (expected && !matches(expected, current)) throw new OrthancError("Revision");
      return current.revision + 1;
    });
  }

  async remove(r: Resource, type: number, expected?: ExpectedRevision): Promise<void> {
    const { index } = this.parts;
    const outcome = index.transaction(() => {
      const current = index.attachment(r.internalId, type);
      if (!current) throw new OrthancError("UnknownResource");
      if (expected && !matches(expected, current)) throw new OrthancError("Revision");
      index.deleteAttachment(r.internalId, type);
      return { current, change: this.logChange(r, type) };
    });
    await this.parts.removeFiles([{ uuid: outcome.current.uuid, contentType: type }]);
    if (outcome.change) this.parts.events.emitChanges([outcome.change]);
  }

  /** Rewrites the stored file compressed or not; a no-op when it already is. */
  async setCompression(r: Resource, type: number, compressed: boolean): Promise<void> {
    const before = this.find(r, type);
    if (!before) throw new OrthancError("UnknownResource");
    if ((before.compression !== 0) === compressed) return;
    const encoded = this.encode(await this.content(before), type, compressed);
    await this.replace(r, encoded, (current) => {
      // Another writer replaced the file while this one was re-encoding it.
      if (!current || current.uuid !== before.uuid) throw new OrthancError("Revision");
      return current.revision + 1;
    });
  }

  /**
   * Orthanc's verify-md5: the stored bytes against the compressed MD5, then (if compressed) the
   * content against the uncompressed one. False when there is nothing to verify.
   */
  async verify(r: Resource, type: number): Promise<boolean> {
    const a = this.find(r, type);
    if (!a || a.compressedMd5 === "" || a.uncompressedMd5 === "") return false;
    const stored = await this.stored(a);
    if (md5Hex(stored) !== a.compressedMd5) return false;
    return a.compression === 0 || md5Hex(this.decode(stored)) === a.uncompressedMd5;
  }

  /** The bytes as they are in the storage area (compressed or not). */
  async stored(a: AttachmentInfo): Promise<Uint8Array> {
    try {
      return await this.parts.storage().read(a.uuid, a.contentType);
    } catch (error) {
      if (isMissingFile(error)) throw this.missing(a);
      throw error;
    }
  }

  /** The content, uncompressed. */
  async content(a: AttachmentInfo): Promise<Uint8Array> {
    const stored = await this.stored(a);
    return a.compression === 0 ? stored : this.decode(stored);
  }

  /**
   * The stored file as a Bun file, for zero-copy answers and cheap ranges; undefined when the
   * storage area is not a plain filesystem.
   */
  async file(a: AttachmentInfo): Promise<Blob | undefined> {
    const file = this.parts.storage().file?.(a.uuid, a.contentType);
    if (file && !(await file.exists())) throw this.missing(a);
    return file;
  }

  private decode(stored: Uint8Array): Uint8Array {
    try {
      return uncompressAttachment(stored);
    } catch {
      throw new OrthancError("CorruptedFile");
    }
  }

  private missing(a: AttachmentInfo): OrthancError {
    const storage = this.parts.storage();
    const path = storage instanceof FilesystemStorage ? storage.path(a.uuid) : a.uuid;
    return new OrthancError(
      "RegularFileExpected",
      `The path does not point to a regular file: ${path}`,
    );
  }

  private encode(bytes: Uint8Array, contentType: number, compressed: boolean): Encoded {
    const data = compressed ? compressAttachment(bytes) : bytes;
    const withMd5 = this.options.StoreMD5ForAttachments;
    const uncompressedMd5 = withMd5 ? md5Hex(bytes) : "";
    return {
      data,
      info: {
        contentType,
        uuid: crypto.randomUUID(),
        compressedSize: data.length,
        uncompressedSize: bytes.length,
        compression: compressed ? 1 : 0,
        uncompressedMd5,
        compressedMd5: compressed && withMd5 ? md5Hex(data) : uncompressedMd5,
        revision: 0,
      },
    };
  }

  /** Writes the file, then the row; `revise` runs in the transaction and may refuse. */
  private async replace(
    r: Resource,
    encoded: Encoded,
    revise: (current: AttachmentInfo | undefined) => number,
  ): Promise<number> {
    const { index } = this.parts;
    const storage = this.parts.storage();
    const { info, data } = encoded;
    const file = { uuid: info.uuid, contentType: info.contentType };
    // Journaled first, so that a crash before the commit leaves no orphan (index/interface.ts).
    index.addPendingFile(file);
    let outcome: { revision: number; replaced?: AttachmentInfo; change?: ChangeEvent };
    try {
      await storage.create(info.uuid, info.contentType, data);
      outcome = index.transaction(() => {
        // The resource may have been deleted while the file was being written.
        if (!index.byInternalId(r.internalId)) throw new OrthancError("UnknownResource");
        const replaced = index.attachment(r.internalId, info.contentType);
        const revision = revise(replaced);
        index.addAttachment(r.internalId, { ...info, revision });
        return { revision, replaced, change: this.logChange(r, info.contentType) };
      });
    } catch (error) {
      await this.parts.removeFiles([file]);
      throw error;
    }
    if (outcome.replaced) {
      await this.parts.removeFiles([{
        uuid: outcome.replaced.uuid,
        contentType: info.contentType,
      }]);
    }
    if (outcome.change) this.parts.events.emitChanges([outcome.change]);
    return outcome.revision;
  }

  /** Runs in the transaction. Orthanc logs UpdatedAttachment for user content types only. */
  private logChange(r: Resource, type: number): ChangeEvent | undefined {
    if (!isUserContentType(type)) return undefined;
    const event = {
      changeType: ChangeType.UpdatedAttachment,
      level: r.level,
      publicId: r.publicId,
      date: isoNow(),
    };
    this.parts.index.logChange(event.changeType, event.level, event.publicId, event.date);
    return event;
  }
}

function matches(expected: ExpectedRevision, current: AttachmentInfo): boolean {
  return expected.revision === current.revision && expected.md5 === current.uncompressedMd5;
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}
