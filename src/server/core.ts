// The core every front end calls: it owns the index, the storage area, the store pipeline, the
// hook registry and the events, and hands out the services through which the front ends read
// and write (resources, metadata, labels, protection, attachments, changes, properties, finds).
// The index itself stays private to src/server.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Configuration } from "../config/schema.ts";
import type { Encoding } from "../dicom/charsets.ts";
import { registerDictionaryEntry } from "../dicom/dictionary.ts";
import type { Level } from "../dicom/levels.ts";
import { parseTagText } from "../dicom/tag.ts";
import type { IndexBackend } from "../index/interface.ts";
import { connectionOptions } from "../index/postgresql/options.ts";
import { PostgresIndex } from "../index/postgresql/database.ts";
import { SqliteIndex } from "../index/sqlite/database.ts";
import { log } from "../log.ts";
import type { StorageArea } from "../storage/area.ts";
import { FilesystemStorage } from "../storage/filesystem.ts";
import { AttachmentStore } from "./attachments.ts";
import { ChangeLog } from "./changes.ts";
import { deleteSubtree, type RemainingAncestor } from "./delete.ts";
import { OrthancError } from "./errors.ts";
import { EventBus, type RequestOrigin } from "./events.ts";
import { HookRegistry } from "./hooks.ts";
import { KeyValues } from "./key-values.ts";
import { Finder } from "./find.ts";
import { LabelWriter } from "./labels.ts";
import { MetadataWriter } from "./metadata.ts";
import {
  type AttachmentInfo,
  ChangeType,
  ContentType,
  type Resource,
  type StoredFile,
} from "./model.ts";
import { databaseServerIdentifier, GlobalProperties } from "./properties.ts";
import { Protection } from "./protection.ts";
import { Reconstruction } from "./reconstruct.ts";
import { ResourceReader } from "./resources.ts";
import { forgetStability, reportsStability } from "./shared-stability.ts";
import { StabilityTracker } from "./stability.ts";
import { type StoredMetadata, StorePipeline, type StoreResult } from "./store.ts";
import { isoNow } from "./time.ts";

export class PharosCore {
  private readonly index: IndexBackend;
  private storageArea: StorageArea;
  private ingestTranscoder = (bytes: Uint8Array): Promise<Uint8Array> => Promise.resolve(bytes);
  /** What plugins (and Lua scripts) hook into: filters, received-instance decisions, events. */
  readonly hooks = new HookRegistry();
  readonly events = new EventBus(this.hooks);
  readonly stability: StabilityTracker;
  readonly resources: ResourceReader;
  readonly metadata: MetadataWriter;
  readonly labels: LabelWriter;
  readonly protection: Protection;
  readonly attachments: AttachmentStore;
  readonly changes: ChangeLog;
  readonly properties: GlobalProperties;
  /** The key-value stores and queues of plugins (Orthanc 1.12.8). */
  readonly keyValues: KeyValues;
  readonly finder: Finder;
  readonly reconstruction: Reconstruction;
  defaultEncoding: Encoding;
  private readonly pipeline: StorePipeline;
  private readonly inFlight = new Set<Promise<unknown>>();

  /** `index`: a back-end a plugin provides (registered before the core is composed). */
  constructor(readonly config: Configuration, index?: IndexBackend) {
    const base = config.configurationDirectory;
    const storageDir = resolve(base, config.StorageDirectory);
    mkdirSync(storageDir, { recursive: true });
    if (index) {
      this.index = index;
    } else if (config.PostgreSQL.EnableIndex) {
      this.index = new PostgresIndex(connectionOptions(config.PostgreSQL));
    } else {
      const indexDir = resolve(base, config.IndexDirectory);
      mkdirSync(indexDir, { recursive: true });
      this.index = new SqliteIndex(join(indexDir, "pharos-index.sqlite"));
    }
    this.storageArea = new FilesystemStorage(storageDir, config.SyncStorageArea);
    this.defaultEncoding = config.DefaultEncoding;
    this.resources = new ResourceReader(this.index);
    this.metadata = new MetadataWriter(this.index, this.events);
    this.labels = new LabelWriter(this.index);
    this.protection = new Protection(this.index);
    this.attachments = new AttachmentStore({
      index: this.index,
      storage: () => this.storageArea,
      events: this.events,
      removeFiles: (files) => this.removeFiles(files),
    }, config);
    this.changes = new ChangeLog(this.index);
    /** Several nodes on this index (server/shared-stability.ts, properties.ts). */
    const shared = !index && config.PostgreSQL.EnableIndex && !config.PostgreSQL.Lock;
    this.properties = new GlobalProperties(
      this.index,
      shared ? databaseServerIdentifier(config) : undefined,
    );
    this.keyValues = new KeyValues(this.index);
    this.finder = new Finder(this.index);
    this.reconstruction = new Reconstruction({
      index: this.index,
      resources: this.resources,
      attachments: this.attachments,
      defaultEncoding: () => this.defaultEncoding,
      compression: config.StorageCompression,
    });
    registerDictionary(config.Dictionary);
    this.stability = new StabilityTracker(
      config.StableAge * 1000,
      (changeType, level, publicId, forced) => {
        const event = this.index.transaction(() => {
          // A resource deleted meanwhile does not become stable.
          const resource = this.index.lookup(publicId);
          if (!resource) return undefined;
          if (
            shared &&
            !reportsStability(this.index, resource, {
              stableAgeMs: config.StableAge * 1000,
              now: Date.now(),
              forced,
            })
          ) {
            return undefined;
          }
          const event = { changeType, level, publicId, date: isoNow() };
          this.index.logChange(changeType, level, publicId, event.date);
          return event;
        });
        if (event) this.events.emitChanges([event]);
      },
    );
    if (shared) {
      this.hooks.register("change", "the shared stability", (e) => {
        if (e.changeType === ChangeType.Deleted) forgetStability(this.index, e.publicId);
      });
    }
    this.hooks.register("storedInstance", "the stability tracker", (e) => {
      this.stability.onStored(e.ids);
    });
    this.hooks.register("change", "the stability tracker", (e) => this.stability.onChange(e), {
      immediate: true,
    });
    this.stability.start();
    const storage = () => this.storageArea;
    this.pipeline = new StorePipeline({
      index: this.index,
      storage: {
        create: (uuid, type, data) => this.storage.create(uuid, type, data),
        // Read at each use: a plugin's area may replace the filesystem after construction.
        get write() {
          const area = storage();
          return area.write?.bind(area);
        },
        get reserve() {
          const area = storage();
          return area.reserve?.bind(area);
        },
        read: (uuid, type) => this.storage.read(uuid, type),
        remove: (uuid, type) => this.storage.remove(uuid, type),
      },
      events: this.events,
      options: () => ({
        compression: config.StorageCompression,
        storeMd5: config.StoreMD5ForAttachments,
        overwrite: config.OverwriteInstances,
        defaultEncoding: this.defaultEncoding,
        limits: {
          maximumStorageSize: config.MaximumStorageSize * 1024 * 1024,
          maximumPatientCount: config.MaximumPatientCount,
          mode: config.MaximumStorageMode,
        },
      }),
      hooks: this.hooks,
      removeFiles: (files) => this.removeFiles(files),
      ingestTranscode: (bytes) => this.ingestTranscoder(bytes),
    });
  }

  get storage(): StorageArea {
    return this.storageArea;
  }

  /** IngestTranscoding, when configured: the received files as they are to be stored. */
  useIngestTranscoder(transcoder: (bytes: Uint8Array) => Promise<Uint8Array>): void {
    this.ingestTranscoder = transcoder;
  }

  /** A plugin's storage area replaces the filesystem; only before anything is stored. */
  useStorageArea(area: StorageArea): void {
    this.storageArea = area;
  }

  /**
   * Forces a patient, study or series stable (its Stable* change now) or unstable (its StableAge
   * starts over); answers whether its status changed (OrthancPluginSetStableStatus).
   */
  setStableStatus(publicId: string, stable: boolean): boolean {
    const resource = this.index.lookup(publicId);
    if (!resource) throw new OrthancError("UnknownResource");
    if (resource.level === "Instance") {
      throw new OrthancError("ParameterOutOfRange", "An instance has no stable status");
    }
    return stable
      ? this.stability.forceStable(publicId)
      : this.stability.forceUnstable(publicId, resource.level);
  }

  /**
   * Stores one instance; tracked so that shutdown waits for it. `md5`: the MD5 of `bytes`, when
   * the caller hashed them as they arrived.
   */
  store(
    bytes: Uint8Array,
    origin: RequestOrigin,
    metadata?: readonly StoredMetadata[],
    md5?: string,
  ): Promise<StoreResult> {
    return this.track(this.pipeline.store(bytes, origin, metadata, md5));
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    promise.then(() => this.inFlight.delete(promise), () => this.inFlight.delete(promise));
    return promise;
  }

  /** Resolves a public id at a level, or throws Orthanc's UnknownResource. */
  resource(publicId: string, level: Level): Resource {
    return this.resources.get(publicId, level);
  }

  async delete(publicId: string, level: Level): Promise<RemainingAncestor | null> {
    const resource = this.resource(publicId, level);
    const outcome = this.index.transaction(() => deleteSubtree(this.index, resource));
    await this.track(this.removeFiles(outcome.files));
    this.events.emitChanges(outcome.changes);
    return outcome.remainingAncestor;
  }

  /** Removes files no row points at; each leaves the file journal once it is gone. */
  async removeFiles(files: StoredFile[]): Promise<void> {
    for (const f of files) {
      try {
        await this.storage.remove(f.uuid, f.contentType);
        this.index.removePendingFile(f.uuid);
      } catch (error) {
        // Kept in the journal: the next start tries again.
        log.warning(`Cannot remove file ${f.uuid}: ${String(error)}`);
      }
    }
  }

  /**
   * Removes what a crash left in the file journal (files written but never indexed, files
   * unindexed but not yet removed). Run once the storage area is final, after the plugins.
   */
  async removeOrphans(): Promise<number> {
    const files = this.index.pendingFiles();
    if (files.length > 0) {
      log.warning(`Removing ${files.length} file(s) left by an interrupted write or deletion`);
    }
    await this.removeFiles(files);
    return files.length;
  }

  private dicomAttachment(instance: Resource): AttachmentInfo {
    const a = this.index.attachment(instance.internalId, ContentType.Dicom);
    if (!a) throw new OrthancError("InexistentFile");
    return a;
  }

  /** The DICOM file of an instance as received (uncompressed when the area compresses). */
  dicomBytes(instance: Resource): Promise<Uint8Array> {
    return this.attachments.content(this.dicomAttachment(instance));
  }

  /**
   * The DICOM file for an answer: a zero-copy file handle when the stored file is the DICOM
   * file itself, else its bytes; with the uuid Orthanc names the download after.
   */
  async dicomDownload(instance: Resource): Promise<{ body: Blob | Uint8Array; uuid: string }> {
    const a = this.dicomAttachment(instance);
    const file = a.compression === 0 ? await this.attachments.file(a) : undefined;
    return { body: file ?? await this.attachments.content(a), uuid: a.uuid };
  }

  /** Waits for the writes under way, then closes the index. */
  async close(): Promise<void> {
    this.stability.stop();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.pipeline.close();
    this.index.close();
  }
}

function registerDictionary(entries: Record<string, (string | number)[]>): void {
  for (const [key, value] of Object.entries(entries)) {
    const tag = parseTagText(key);
    const [vr, name, , , creator] = value;
    if (tag === undefined || typeof vr !== "string" || typeof name !== "string") {
      throw new OrthancError(
        "BadRequest",
        `Bad entry in the "Dictionary" configuration option: ${key}`,
      );
    }
    registerDictionaryEntry(tag, vr, name, typeof creator === "string" ? creator : undefined);
  }
}
