// WADO-RS metadata of recently asked instances, kept in memory as its JSON text so that a viewer
// opening a large series again (or several viewers opening it) neither parses the files again
// nor serializes them. Each text keeps the base URL it was written with: a client that reaches the
// server by another Host gets its bulk data URIs rewritten (in DICOM JSON, `"BulkDataURI":"` can
// only come before a URL, quotes in values being escaped). The key is the uuid of the instance's
// DICOM file: a file never changes, and an instance deleted then stored again (or overwritten)
// gets a new one, whereas internal ids may be reused.
//
// What is not cached is computed from each file read up to its pixel data (header-read.ts), in
// batches on the metadata workers (on the server's thread when none is ready). As Orthanc's plugin (from
// 1.13) fills its cache when a series becomes stable, this one warms the series that viewers
// asked for recently, when they become stable again (a few instances added to a series being
// read), and not every series of a bulk ingest, which would read the whole ingest once more.
import { hasUserDictionaryEntries } from "../dicom/dictionary.ts";
import { Tags } from "../dicom/tag.ts";
import type { RestDependencies } from "../rest/context.ts";
import { readInstance } from "../rest/instance-data.ts";
import {
  type AttachmentInfo,
  type ChildFilesQuery,
  ContentType,
  Metadata,
  type Resource,
} from "../server/model.ts";
import { FilesystemStorage } from "../storage/filesystem.ts";
import type { BinaryModes } from "./binary-modes.ts";
import { headerCut } from "./header-cut.ts";
import { metadataBytes, type StoredDicom } from "./header-read.ts";
import { datasetText } from "./json.ts";
import { metadataOf } from "./metadata-json.ts";
import { type MetadataItem, type MetadataWorker, metadataWorkers } from "./metadata-workers.ts";
import { retrieveUrl, type WebBase } from "./urls.ts";
import { instanceMetadata, uidsOf } from "./wado.ts";

const CAPACITY = 20_000;
/** Series whose metadata was asked recently: the ones warmed when they become stable. */
const RECENT_SERIES = 64;
/** Files read at once on the server's thread: reads overlap with the writing of the ones read. */
const READS_IN_FLIGHT = 8;
/** Instances per batch: small enough to share a series between threads, large enough to pay. */
const BATCH = 25;

/** An instance's metadata text, and the base of the URLs in it. */
interface Entry {
  text: string;
  base: WebBase;
}

function rebased(entry: Entry, base: WebBase): string {
  if (entry.base === base) return entry.text;
  return entry.text.replaceAll(`"BulkDataURI":"${entry.base}/`, `"BulkDataURI":"${base}/`);
}

/** What identifies the content of an instance's DICOM file. */
export function dicomFileKey(deps: RestDependencies, instance: Resource): string {
  return fileKey(instance, deps.core.resources.attachment(instance.internalId, ContentType.Dicom));
}

function fileKey(instance: Resource, file: AttachmentInfo | undefined): string {
  return file?.uuid ?? `instance ${instance.internalId}`;
}

/** What the index says of an instance's file, and its SOP instance UID. */
interface Stored extends StoredDicom {
  sopInstanceUid?: string;
}

/** An instance whose metadata is to be computed, and where its answer goes. */
interface Pending extends Stored {
  index: number;
}

/** What reading the files of a series needs, for all its instances in one query. */
const STORED_QUERY: ChildFilesQuery = {
  tag: Tags.SopInstanceUid,
  contentType: ContentType.Dicom,
  metadata: [Metadata.PixelDataOffset, Metadata.TransferSyntax],
};

export class MetadataCache {
  private readonly entries = new Map<string, Entry>();
  /** Series ids, most recently asked last, with the base their viewer used. */
  private readonly recentSeries = new Map<number, WebBase>();

  constructor(
    private readonly deps: RestDependencies,
    private readonly enabled: boolean,
    private readonly modes?: BinaryModes,
  ) {}

  /** A plugin's choice of binary modes may change between calls: no caching then. */
  private get cacheable(): boolean {
    return this.enabled && this.plain;
  }

  /** Without a plugin's binary modes, every binary value is a bulk data URI. */
  private get plain(): boolean {
    return !this.modes || this.modes.empty;
  }

  /** The metadata of each instance, in order, as JSON text with its URLs below `base`. */
  async texts(instances: Resource[], base: WebBase): Promise<string[]> {
    for (const instance of instances) this.noteSeries(instance.parentId, base);
    if (!this.plain) return await this.withModes(instances, base);
    const cacheable = this.cacheable;
    const out: string[] = new Array(instances.length);
    const pending: Pending[] = [];
    this.storedOf(instances).forEach((stored, index) => {
      const known = cacheable ? this.recall(fileKey(stored.instance, stored.file)) : undefined;
      if (known !== undefined) out[index] = rebased(known, base);
      else pending.push({ ...stored, index });
    });
    await this.compute(pending, base, (p, text) => {
      out[p.index] = text;
      if (cacheable) this.keep(fileKey(p.instance, p.file), { text, base });
    });
    return out;
  }

  /** Fills the cache for a series asked recently (on StableSeries). */
  async warm(series: Resource): Promise<void> {
    const base = this.recentSeries.get(series.internalId);
    if (!this.cacheable || base === undefined) return;
    const pending: Pending[] = [];
    for (const stored of this.seriesFiles(series.internalId).values()) {
      if (this.entries.has(fileKey(stored.instance, stored.file))) continue;
      pending.push({ ...stored, index: pending.length });
    }
    await this.compute(
      pending,
      base,
      (p, text) => this.keep(fileKey(p.instance, p.file), { text, base }),
    );
  }

  /** Starts the metadata workers, before the first call needs them (on a first DICOMweb request). */
  prepare(): void {
    if (this.plain) metadataWorkers.start();
  }

  /** What the index says of each instance's file: one query per series for several. */
  private storedOf(instances: Resource[]): Stored[] {
    if (instances.length === 1) {
      const instance = instances[0]!;
      const resources = this.deps.core.resources;
      const metadata = resources.metadata(instance.internalId);
      return [{
        instance,
        file: resources.attachment(instance.internalId, ContentType.Dicom),
        pixelDataOffset: metadata.get(Metadata.PixelDataOffset),
        transferSyntax: metadata.get(Metadata.TransferSyntax),
        sopInstanceUid: resources.mainTags(instance.internalId).get(Tags.SopInstanceUid),
      }];
    }
    const series = new Map<number, Map<number, Stored>>();
    return instances.map((instance) => {
      if (instance.parentId === null) return { instance };
      let files = series.get(instance.parentId);
      if (!files) series.set(instance.parentId, files = this.seriesFiles(instance.parentId));
      return files.get(instance.internalId) ?? { instance };
    });
  }

  /** The files of a series' instances, by internal id. */
  private seriesFiles(seriesId: number): Map<number, Stored> {
    const files = new Map<number, Stored>();
    for (const child of this.deps.core.resources.childFiles(seriesId, STORED_QUERY)) {
      files.set(child.resource.internalId, {
        instance: child.resource,
        file: child.file,
        pixelDataOffset: child.metadata[0],
        transferSyntax: child.metadata[1],
        sopInstanceUid: child.tag,
      });
    }
    return files;
  }

  private noteSeries(seriesId: number | null, base: WebBase): void {
    if (seriesId === null) return;
    this.recentSeries.delete(seriesId);
    this.recentSeries.set(seriesId, base);
    if (this.recentSeries.size > RECENT_SERIES) {
      this.recentSeries.delete(this.recentSeries.keys().next().value!);
    }
  }

  /** The URL of each instance, its study's and series' UIDs read once per series. */
  private instanceUrls(base: WebBase): (stored: Stored) => string {
    const seriesUrls = new Map<number | null, string>();
    return ({ instance, sopInstanceUid }) => {
      let prefix = seriesUrls.get(instance.parentId);
      if (prefix === undefined) {
        const uids = uidsOf(this.deps, instance);
        prefix = retrieveUrl(base, { study: uids.study, series: uids.series });
        seriesUrls.set(instance.parentId, prefix);
      }
      return `${prefix}/instances/${sopInstanceUid}`;
    };
  }

  /**
   * Computes the pending instances in batches on the metadata workers free now, each given its
   * next batch while it computes one; on this thread when none is (not started yet, or the
   * Dictionary option or a plugin added entries, which the workers do not know).
   */
  private async compute(
    pending: Pending[],
    base: WebBase,
    done: (p: Pending, text: string) => void,
  ): Promise<void> {
    if (pending.length === 0) return;
    metadataWorkers.start();
    const general = hasUserDictionaryEntries();
    const workers = general ? [] : metadataWorkers.claim();
    const url = this.instanceUrls(base);
    let next = 0;
    let allTaken!: () => void;
    const taken = new Promise<void>((resolve) => (allTaken = resolve));
    const take = (forWorker: boolean) => {
      const batch = pending.slice(next, next + BATCH);
      next += batch.length;
      if (next >= pending.length) allTaken();
      if (batch.length === 0) return undefined;
      const read = this.read(batch, url, forWorker);
      // Read ahead: its error, if any, is thrown where it is awaited.
      read.catch(() => {});
      return { batch, read };
    };
    const here = async () => {
      try {
        for (let current = take(false); current; current = take(false)) {
          const items = await current.read;
          for (const [i, p] of current.batch.entries()) {
            done(p, await this.computeHere(p, items[i]!));
          }
        }
      } finally {
        // A failure ends the call: no worker is waited for then.
        allTaken();
      }
    };
    const fallback = this.deps.core.defaultEncoding;
    const lane = async (worker: MetadataWorker) => {
      // The batch read, then given to the worker, its texts undefined if the worker failed.
      const start = (batch: NonNullable<ReturnType<typeof take>>) =>
        batch.read.then(async (items) => ({
          items,
          texts: await worker.run(fallback, items).catch(() => undefined),
        }));
      let current = take(true);
      let running = current && start(current);
      while (current && running) {
        const following = take(true);
        const next = following && start(following);
        // Its error, if any, is thrown where it is awaited.
        next?.catch(() => {});
        const { items, texts } = await running;
        for (const [i, p] of current.batch.entries()) {
          done(p, texts?.[i] ?? await this.computeHere(p, items[i]!));
        }
        current = following;
        running = next;
      }
    };
    const lanes = workers.map(lane);
    if (workers.length === 0) {
      lanes.push(here());
      // The workers still warming up (a first call soon after the first DICOMweb request) take
      // the batches left when they are ready.
      for (const worker of general ? [] : metadataWorkers.starting()) {
        lanes.push(
          Promise.race([worker.whenStarted, taken.then(() => false)]).then((ready) => {
            if (!ready || next >= pending.length || worker.busy || !worker.ready) return;
            worker.busy = true;
            workers.push(worker);
            return lane(worker);
          }),
        );
      }
    }
    // Every lane ends before its worker is given back, even when another one failed.
    const outcomes = await Promise.allSettled(lanes);
    for (const worker of workers) worker.busy = false;
    for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
  }

  /**
   * The batch's items: for a worker, the files it can read itself (uncompressed, in the
   * filesystem storage area, cut in their pixel data); the bytes of the others, read here.
   */
  private async read(
    batch: Pending[],
    url: (stored: Stored) => string,
    forWorker: boolean,
  ): Promise<MetadataItem[]> {
    const storage = this.deps.core.storage;
    const local = forWorker && storage instanceof FilesystemStorage ? storage : undefined;
    const out: MetadataItem[] = new Array(batch.length);
    const toRead: number[] = [];
    batch.forEach((p, i) => {
      const cut = local && p.file?.compression === 0 &&
        headerCut(p.file.uncompressedSize, p.pixelDataOffset, p.transferSyntax);
      if (cut) out[i] = { url: url(p), path: local.path(p.file!.uuid), cut };
      else toRead.push(i);
    });
    let next = 0;
    const reader = async () => {
      while (next < toRead.length) {
        const i = toRead[next++]!;
        out[i] = { ...await metadataBytes(this.deps, batch[i]!), url: url(batch[i]!) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, toRead.length) }, reader));
    return out;
  }

  /**
   * On this thread: the bytes read again where the item has none (a file for a worker, or bytes
   * the worker took); a file that does not parse is read whole again for the usual error.
   */
  private async computeHere(p: Pending, item: MetadataItem): Promise<string> {
    const source = "bytes" in item && item.bytes.byteLength > 0
      ? item
      : await metadataBytes(this.deps, p);
    const text = metadataOf(source, this.deps.core.defaultEncoding, item.url);
    if (text !== undefined) return text;
    const data = await readInstance(this.deps, p.instance);
    return datasetText(await instanceMetadata(data, item.url));
  }

  /** A plugin chooses how binary values are written: the whole file, computed here. */
  private async withModes(instances: Resource[], base: WebBase): Promise<string[]> {
    const out: string[] = new Array(instances.length);
    let next = 0;
    const worker = async () => {
      while (next < instances.length) {
        const i = next++;
        const data = await readInstance(this.deps, instances[i]!);
        const url = retrieveUrl(base, uidsOf(this.deps, instances[i]!));
        out[i] = datasetText(await instanceMetadata(data, url, this.modes));
      }
    };
    await Promise.all(Array.from({ length: READS_IN_FLIGHT }, worker));
    return out;
  }

  private recall(key: string): Entry | undefined {
    const known = this.entries.get(key);
    if (known !== undefined) {
      // Most recently used last, so that the first one is the one to evict.
      this.entries.delete(key);
      this.entries.set(key, known);
    }
    return known;
  }

  private keep(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    if (this.entries.size > CAPACITY) this.entries.delete(this.entries.keys().next().value!);
  }
}
