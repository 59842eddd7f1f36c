// Keeping the storage within MaximumStorageSize / MaximumPatientCount: before an instance is
// indexed, delete the patients with the oldest activity (Recycle) or refuse it (Reject).
import type { IndexBackend } from "../index/interface.ts";
import type { StoredFile } from "./model.ts";
import { deleteSubtree } from "./delete.ts";
import { OrthancError } from "./errors.ts";
import type { ChangeEvent } from "./events.ts";

export interface StorageLimits {
  /** Bytes; 0 means unlimited. */
  maximumStorageSize: number;
  /** 0 means unlimited. */
  maximumPatientCount: number;
  mode: "Recycle" | "Reject";
}

/** Runs inside the store transaction; throwing rolls the recycling back with it. */
export function makeRoom(
  index: IndexBackend,
  limits: StorageLimits,
  incoming: { size: number; patientId: number | undefined },
): { files: StoredFile[]; changes: ChangeEvent[] } {
  const files: StoredFile[] = [];
  const changes: ChangeEvent[] = [];
  // Without limits, the totals need not be read (a round trip on PostgreSQL).
  if (limits.maximumPatientCount === 0 && limits.maximumStorageSize === 0) {
    return { files, changes };
  }
  const full = () => {
    const t = index.totals();
    const patients = t.patients + (incoming.patientId === undefined ? 1 : 0);
    return (limits.maximumPatientCount > 0 && patients > limits.maximumPatientCount) ||
      (limits.maximumStorageSize > 0 &&
        t.compressedSize + incoming.size > limits.maximumStorageSize);
  };
  while (full()) {
    if (limits.mode === "Reject") throw new OrthancError("FullStorage");
    const victim = index.oldestUnprotectedPatient(incoming.patientId ?? -1);
    const resource = victim === undefined ? undefined : index.byInternalId(victim);
    if (!resource) throw new OrthancError("FullStorage");
    const outcome = deleteSubtree(index, resource);
    files.push(...outcome.files);
    changes.push(...outcome.changes);
  }
  return { files, changes };
}
