// The C-GET service: the designated instances go back on the requesting association, one
// sub-operation each, with the counts reported as they progress.
import type { PharosCore } from "../../server/core.ts";
import { loadInstance } from "../instances.ts";
import { Status } from "../status.ts";
import type {
  AssociationInfo,
  DimseInstance,
  Identifier,
  RetrieveResult,
  SubOperationCounts,
} from "../types.ts";
import { countSubOperation, finalStatus, noCounts, retrieveTargets } from "./retrieve.ts";

export interface GetProvider {
  get(
    association: AssociationInfo,
    identifier: Identifier,
    /** Sends one instance on the association; its DIMSE status, or -1 if it could not go. */
    send: (instance: DimseInstance) => Promise<number>,
    progress: (counts: SubOperationCounts) => void,
  ): Promise<RetrieveResult>;
}

export function getService(core: PharosCore): GetProvider {
  return {
    async get(_association, identifier, send, progress) {
      const counts = noCounts();
      const targets = retrieveTargets(core, identifier);
      if (!targets) return { status: Status.UnableToProcess, counts };
      counts.remaining = targets.length;
      for (const t of targets) {
        countSubOperation(counts, await send(await loadInstance(core, t)));
        if (counts.remaining > 0) progress({ ...counts });
      }
      return { status: finalStatus(counts), counts };
    },
  };
}
