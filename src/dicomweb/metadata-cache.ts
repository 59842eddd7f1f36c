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
import { type AttachmentInfo, ContentType, type Resource } from "../server/model.ts";
import type { BinaryModes } from "./binary-modes.ts";
import { metadataBytes } from "./header-read.ts";
import { datasetText } from "./json.ts";
import { type MetadataBytes, metadataOf } from "./metadata-json.ts";
import { type MetadataWorker, metadataWorkers } from "./metadata-workers.ts";
import { retrieveUrl, type WebBase } from "./urls.ts";
import { instanceMetadata, uidsOf } from "./wado.ts";

const CAPACITY = 20_000;
/** Series whose metadata was asked recently: the ones warmed when they become stable. */
const RECENT_SERIES = 64;
/** Files read at once: reads overlap with the parsing of the ones already read. */
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

/** An instance whose metadata is to be computed, and where its answer goes. */
interface Pending {
  index: number;
  instance: Resource;
  file: AttachmentInfo | undefined;
}

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
    instances.forEach((instance, index) => {
      const file = this.deps.core.resources.attachment(instance.internalId, ContentType.Dicom);
      const known = cacheable ? this.recall(fileKey(instance, file)) : undefined;
      if (known !== undefined) out[index] = rebased(known, base);
      else pending.push({ index, instance, file });
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
    for (const instance of this.deps.core.resources.children(series.internalId)) {
      const file = this.deps.core.resources.attachment(instance.internalId, ContentType.Dicom);
      if (this.entries.has(fileKey(instance, file))) continue;
      pending.push({ index: pending.length, instance, file });
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

  private noteSeries(seriesId: number | null, base: WebBase): void {
    if (seriesId === null) return;
    this.recentSeries.delete(seriesId);
    this.recentSeries.set(seriesId, base);
    if (this.recentSeries.size > RECENT_SERIES) {
      this.recentSeries.delete(this.recentSeries.keys().next().value!);
    }
  }

  /** The URL of each instance, its study's and series' UIDs read once per series. */
  private instanceUrls(base: WebBase): (instance: Resource) => string {
    const resources = this.deps.core.resources;
    const seriesUrls = new Map<number | null, string>();
    return (instance) => {
      let prefix = seriesUrls.get(instance.parentId);
      if (prefix === undefined) {
        const uids = uidsOf(this.deps, instance);
        prefix = retrieveUrl(base, { study: uids.study, series: uids.series });
        seriesUrls.set(instance.parentId, prefix);
      }
      return `${prefix}/instances/${
        resources.mainTags(instance.internalId).get(Tags.SopInstanceUid)
      }`;
    };
  }

  /**
   * Computes the pending instances in batches on the metadata workers free now, each reading its
   * next batch while the worker computes one; on this thread when none is (not started yet, or
   * the Dictionary option or a plugin added entries, which the workers do not know).
   */
  private async compute(
    pending: Pending[],
    base: WebBase,
    done: (p: Pending, text: string) => void,
  ): Promise<void> {
    if (pending.length === 0) return;
    metadataWorkers.start();
    const workers = hasUserDictionaryEntries() ? [] : metadataWorkers.claim();
    const url = this.instanceUrls(base);
    let next = 0;
    const take = () => {
      const batch = pending.slice(next, next + BATCH);
      next += batch.length;
      if (batch.length === 0) return undefined;
      const read = this.read(batch, url);
      // Read ahead: its error, if any, is thrown where it is awaited.
      read.catch(() => {});
      return { batch, read };
    };
    const lane = async (worker?: MetadataWorker) => {
      for (let current = take(); current;) {
        const items = await current.read;
        const following = worker ? take() : undefined;
        const texts = worker
          ? await worker.run(this.deps.core.defaultEncoding, items).catch(() => undefined)
          : undefined;
        for (const [i, p] of current.batch.entries()) {
          done(p, texts?.[i] ?? await this.computeHere(p, items[i]!));
        }
        current = worker ? following : take();
      }
    };
    // Every lane ends before its worker is given back, even when another one failed.
    const outcomes = await Promise.allSettled(workers.length > 0 ? workers.map(lane) : [lane()]);
    for (const worker of workers) worker.busy = false;
    for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
  }

  private async read(
    batch: Pending[],
    url: (instance: Resource) => string,
  ): Promise<(MetadataBytes & { url: string })[]> {
    const out: (MetadataBytes & { url: string })[] = new Array(batch.length);
    let next = 0;
    const reader = async () => {
      while (next < batch.length) {
        const i = next++;
        const { instance, file } = batch[i]!;
        out[i] = { ...await metadataBytes(this.deps, instance, file), url: url(instance) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, batch.length) }, reader));
    return out;
  }

  /** On this thread; a file that does not parse is read whole again for the usual error. */
  private async computeHere(p: Pending, source: MetadataBytes & { url: string }): Promise<string> {
    const text = metadataOf(source, this.deps.core.defaultEncoding, source.url);
    if (text !== undefined) return text;
    const data = await readInstance(this.deps, p.instance);
    return datasetText(await instanceMetadata(data, source.url));
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
