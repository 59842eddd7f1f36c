// The instances a sending job works on (a C-STORE, a peer's store, a STOW): the instances below
// the resources it names, resolved from the JSON it was started or saved with.
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import type { PharosCore } from "./core.ts";
import { OrthancError } from "./errors.ts";
import type { Resource } from "./model.ts";

/** The instances below (or equal to) the resources, in creation order, without duplicates. */
export function instancesBelow(core: PharosCore, resources: Resource[]): Resource[] {
  const out: Resource[] = [];
  const seen = new Set<number>();
  const walk = (r: Resource) => {
    if (r.level === "Instance") {
      if (!seen.has(r.internalId)) {
        seen.add(r.internalId);
        out.push(r);
      }
      return;
    }
    for (const child of core.resources.children(r.internalId)) walk(child);
  };
  for (const r of resources) walk(r);
  return out;
}

/**
 * A job's `instances` (ids of instances, as saved once resolved) or else the instances below its
 * `resources`; an id no longer known is Orthanc's UnknownResource.
 */
export function jobTargets(core: PharosCore, params: JsonObject): Resource[] {
  const lookup = (id: JsonValue) => {
    const r = typeof id === "string" ? core.resources.lookup(id) : undefined;
    if (!r) throw new OrthancError("UnknownResource", `Unknown resource: ${String(id)}`);
    return r;
  };
  const { instances, resources } = params;
  if (Array.isArray(instances)) return instances.map(lookup);
  return instancesBelow(core, (Array.isArray(resources) ? resources : []).map(lookup));
}

/**
 * The targets resolved as the job is built, so that its content counts its instances while it is
 * pending, as Orthanc's does; undefined when a resource is unknown, which fails the job at its
 * first step (where `jobTargets` is asked again).
 */
export function earlyJobTargets(core: PharosCore, params: JsonObject): Resource[] | undefined {
  try {
    return jobTargets(core, params);
  } catch {
    return undefined;
  }
}
