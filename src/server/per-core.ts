// Parts of a server that live beside its core (the DICOM network, the jobs, the codecs) are
// created on first use and kept per core, so that a test process can run several servers.
import type { PharosCore } from "./core.ts";

/** A getter that creates the part with `create` on first use for each core, then keeps it. */
export function perCore<T>(create: (core: PharosCore) => T): (core: PharosCore) => T {
  const parts = new WeakMap<PharosCore, T>();
  return (core) => {
    let part = parts.get(core);
    if (part === undefined) {
      part = create(core);
      parts.set(core, part);
    }
    return part;
  };
}
