// WADO-RS metadata of recently asked instances, kept in memory so that a viewer opening a large
// series again (or several viewers opening it) does not parse every file again. Orthanc's plugin
// keeps such a cache in an attachment; an instance is never modified in place, so its internal id
// with the URL it is reached by is a sufficient key.
import type { DicomJsonDataset } from "../dicom/dicom-json.ts";
import type { RestDependencies } from "../rest/context.ts";
import { readInstance } from "../rest/instance-data.ts";
import type { Resource } from "../server/model.ts";
import type { BinaryModes } from "./binary-modes.ts";
import { instanceMetadata } from "./wado.ts";

const CAPACITY = 20_000;

export class MetadataCache {
  private readonly entries = new Map<string, DicomJsonDataset>();

  constructor(
    private readonly deps: RestDependencies,
    private readonly enabled: boolean,
    private readonly modes?: BinaryModes,
  ) {}

  async metadata(instance: Resource, instanceUrl: string): Promise<DicomJsonDataset> {
    // A plugin's choice of binary modes may change between calls: no caching then.
    const cacheable = this.enabled && (!this.modes || this.modes.empty);
    const key = `${instance.internalId} ${instanceUrl}`;
    const known = cacheable ? this.entries.get(key) : undefined;
    if (known) {
      // Most recently used last, so that the first one is the one to evict.
      this.entries.delete(key);
      this.entries.set(key, known);
      return known;
    }
    const data = await readInstance(this.deps, instance);
    const json = await instanceMetadata(data, instanceUrl, this.modes);
    if (cacheable) {
      this.entries.set(key, json);
      if (this.entries.size > CAPACITY) this.entries.delete(this.entries.keys().next().value!);
    }
    return json;
  }
}
