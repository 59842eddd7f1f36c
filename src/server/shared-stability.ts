// Stable resources on an index that several nodes share (PostgreSQL without Lock): each node's
// StabilityTracker knows only the instances it received, so a series fed through two nodes
// would become stable on both. The Stable* change is logged by the node that received the last
// instance, once: inside the write transaction (which the nodes take one at a time), the
// resource's LastUpdate metadata tells whether another node received an instance later, and its
// revision, once reported, is kept in an internal key-value store with the resource's internal id:
// a resource deleted with its parent leaves its marker behind (only the top of a deleted subtree
// has a Deleted change), and the same UIDs stored again make a new resource whose revisions
// start over.
import type { IndexBackend } from "../index/interface.ts";
import { Metadata, type Resource } from "./model.ts";

const STORE = "pharos.stable-resources";

/** "20240131T235959" (UTC) in milliseconds. */
function parseIsoUtc(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) return Number.NaN;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/**
 * Whether this node logs the resource's Stable* change (to be called in a transaction). A change
 * forced on this node (the plugins' forceStable) is logged whatever the age of the last instance.
 */
export function reportsStability(
  index: IndexBackend,
  resource: Resource,
  when: { stableAgeMs: number; now: number; forced: boolean },
): boolean {
  const last = index.metadataEntry(resource.internalId, Metadata.LastUpdate);
  if (last === undefined) return true;
  // LastUpdate has whole seconds: one more keeps a same-second instance from counting as later.
  if (!when.forced && parseIsoUtc(last.value) + when.stableAgeMs > when.now + 1000) return false;
  const marker = `${resource.internalId}:${last.revision}`;
  const reported = index.keyValue(STORE, resource.publicId);
  if (reported && new TextDecoder().decode(reported) === marker) return false;
  index.storeKeyValue(STORE, resource.publicId, new TextEncoder().encode(marker));
  return true;
}

/** A deleted resource's marker goes with it. */
export function forgetStability(index: IndexBackend, publicId: string): void {
  index.deleteKeyValue(STORE, publicId);
}
