// WADO-RS metadata of recently asked instances, kept in memory as its JSON text so that a viewer
// opening a large series again (or several viewers opening it) neither parses the files again
// nor serializes them. Orthanc's plugin keeps such a cache in an attachment; an instance is never
// modified in place, so its internal id with the URL it is reached by is a sufficient key.
import type { RestDependencies } from "../rest/context.ts";
import { readInstance } from "../rest/instance-data.ts";
import type { Resource } from "../server/model.ts";
import type { BinaryModes } from "./binary-modes.ts";
import { datasetText } from "./json.ts";
import { instanceMetadata } from "./wado.ts";

const CAPACITY = 20_000;
/** Files read at once for one answer: reads overlap with the parsing of the ones already read. */
const READS_IN_FLIGHT = 8;

export class MetadataCache {
  private readonly entries = new Map<string, string>();

  constructor(
    private readonly deps: RestDependencies,
    private readonly enabled: boolean,
    private readonly modes?: BinaryModes,
  ) {}

  /** The metadata of each instance, in order, as JSON text. */
  async texts(instances: { resource: Resource; url: string }[]): Promise<string[]> {
    const out: string[] = new Array(instances.length);
    let next = 0;
    const worker = async () => {
      while (next < instances.length) {
        const i = next++;
        out[i] = await this.text(instances[i]!.resource, instances[i]!.url);
      }
    };
    await Promise.all(Array.from({ length: READS_IN_FLIGHT }, worker));
    return out;
  }

  private async text(instance: Resource, instanceUrl: string): Promise<string> {
    // A plugin's choice of binary modes may change between calls: no caching then.
    const cacheable = this.enabled && (!this.modes || this.modes.empty);
    const key = `${instance.internalId} ${instanceUrl}`;
    const known = cacheable ? this.entries.get(key) : undefined;
    if (known !== undefined) {
      // Most recently used last, so that the first one is the one to evict.
      this.entries.delete(key);
      this.entries.set(key, known);
      return known;
    }
    const data = await readInstance(this.deps, instance);
    const text = datasetText(await instanceMetadata(data, instanceUrl, this.modes));
    if (cacheable) {
      this.entries.set(key, text);
      if (this.entries.size > CAPACITY) this.entries.delete(this.entries.keys().next().value!);
    }
    return text;
  }
}
