// WADO-RS metadata of recently asked instances, kept in memory as its JSON text so that a viewer
// opening a large series again (or several viewers opening it) neither parses the files again
// nor serializes them. As Orthanc's plugin (from 1.13) fills its cache when a series becomes
// stable, so does this one, so that even the first viewer finds it ready. The text holds a
// marker where the DICOMweb base URL goes, replaced at each answer: the same entry serves every
// Host a client uses. The key is the uuid of the instance's DICOM file: a file never changes, and
// an instance deleted then stored again (or overwritten) gets a new one, whereas internal ids
// may be reused.
import type { RestDependencies } from "../rest/context.ts";
import { readInstance } from "../rest/instance-data.ts";
import { ContentType, type Resource } from "../server/model.ts";
import type { BinaryModes } from "./binary-modes.ts";
import { readUpToPixelData } from "./header-read.ts";
import { datasetText } from "./json.ts";
import { retrieveUrl, type WebBase } from "./urls.ts";
import { instanceMetadata, uidsOf } from "./wado.ts";

const CAPACITY = 20_000;

/** What identifies the content of an instance's DICOM file. */
export function dicomFileKey(deps: RestDependencies, instance: Resource): string {
  return deps.core.resources.attachment(instance.internalId, ContentType.Dicom)?.uuid ??
    `instance ${instance.internalId}`;
}
/** Files read at once for one answer: reads overlap with the parsing of the ones already read. */
const READS_IN_FLIGHT = 8;
/** Unguessable, so that no DICOM value can hold it. */
const BASE_MARKER = `pharos-dicomweb-base-${crypto.randomUUID()}`;

export class MetadataCache {
  private readonly entries = new Map<string, string>();

  constructor(
    private readonly deps: RestDependencies,
    private readonly enabled: boolean,
    private readonly modes?: BinaryModes,
  ) {}

  /** A plugin's choice of binary modes may change between calls: no caching then. */
  private get cacheable(): boolean {
    return this.enabled && (!this.modes || this.modes.empty);
  }

  /** The metadata of each instance, in order, as JSON text with its URLs below `base`. */
  async texts(instances: Resource[], base: WebBase): Promise<string[]> {
    const cacheable = this.cacheable;
    const out: string[] = new Array(instances.length);
    let next = 0;
    const worker = async () => {
      while (next < instances.length) {
        const i = next++;
        const instance = instances[i]!;
        out[i] = cacheable
          ? (await this.cached(instance)).replaceAll(BASE_MARKER, base)
          : await this.text(instance, base);
      }
    };
    await Promise.all(Array.from({ length: READS_IN_FLIGHT }, worker));
    return out;
  }

  /** Fills the cache for the instances of a series (on StableSeries). */
  async warm(series: Resource): Promise<void> {
    if (!this.cacheable) return;
    const instances = this.deps.core.resources.children(series.internalId);
    let next = 0;
    const worker = async () => {
      while (next < instances.length) await this.cached(instances[next++]!);
    };
    await Promise.all(Array.from({ length: READS_IN_FLIGHT }, worker));
  }

  private async cached(instance: Resource): Promise<string> {
    const key = dicomFileKey(this.deps, instance);
    const known = this.entries.get(key);
    if (known !== undefined) {
      // Most recently used last, so that the first one is the one to evict.
      this.entries.delete(key);
      this.entries.set(key, known);
      return known;
    }
    const text = await this.text(instance, BASE_MARKER);
    this.entries.set(key, text);
    if (this.entries.size > CAPACITY) this.entries.delete(this.entries.keys().next().value!);
    return text;
  }

  private async text(instance: Resource, base: WebBase): Promise<string> {
    // A plugin's binary modes may write the pixel data inline: the whole file is needed then.
    const data = !this.modes || this.modes.empty
      ? await readUpToPixelData(this.deps, instance)
      : await readInstance(this.deps, instance);
    const url = retrieveUrl(base, uidsOf(this.deps, instance));
    return datasetText(await instanceMetadata(data, url, this.modes));
  }
}
