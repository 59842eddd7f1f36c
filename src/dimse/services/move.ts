// The C-MOVE service: the designated instances go to the destination modality on associations
// of their own, a batch at a time, transcoded for a peer that takes none of the stored syntaxes
// when the modality allows it; the counts are reported as they progress.
import type { Configuration } from "../../config/schema.ts";
import type { Transcoders } from "../../imaging/transcoders.ts";
import { log } from "../../log.ts";
import type { PharosCore } from "../../server/core.ts";
import { scu } from "../adapter/client.ts";
import { instanceBatches } from "../instances.ts";
import type { ModalityDirectory } from "../modalities.ts";
import { Status } from "../status.ts";
import { NO_ANSWER, sendTranscoded } from "../store-transcoding.ts";
import type { AssociationInfo, Identifier, RetrieveResult, SubOperationCounts } from "../types.ts";
import {
  countSubOperation,
  finalStatus,
  isWarning,
  MOVE_RULES,
  noCounts,
  retrieveTargets,
} from "./retrieve.ts";

export interface MoveProvider {
  move(
    association: AssociationInfo,
    identifier: Identifier,
    destination: string,
    messageId: number,
    progress: (counts: SubOperationCounts) => void,
  ): Promise<RetrieveResult>;
}

export function moveService(
  core: PharosCore,
  config: Pick<Configuration, "LogExportedResources">,
  destinations: ModalityDirectory,
  transcoders: Transcoders,
): MoveProvider {
  return {
    async move(info, identifier, destination, messageId, progress) {
      const counts = noCounts();
      const modality = destinations.byAet(destination);
      if (!modality) {
        log.error(`C-MOVE: unknown destination AET "${destination}"`);
        return { status: Status.MoveDestinationUnknown, counts };
      }
      const targets = retrieveTargets(core, identifier, MOVE_RULES);
      if (!targets) return { status: Status.UnableToProcess, counts };
      counts.remaining = targets.length;
      let offset = 0;
      const peer = destinations.peerOf(modality);
      const moveOriginator = { aet: info.callingAet, messageId };
      try {
        for await (const batch of instanceBatches(core, targets)) {
          const first = offset;
          const tally = (status: number, index: number) => {
            countSubOperation(counts, status);
            if ((status === 0 || isWarning(status)) && config.LogExportedResources) {
              core.changes.logExportedInstances([targets[first + index]!], modality.AET);
            }
            if (counts.remaining > 0) progress({ ...counts });
          };
          const answers = await scu.store(peer, batch, {
            moveOriginator,
            onEach: (status, index) => status !== NO_ANSWER && tally(status, index),
          });
          if (modality.AllowTranscoding && answers.includes(NO_ANSWER)) {
            const before = [...answers];
            await sendTranscoded(transcoders, peer, batch, answers, moveOriginator);
            answers.forEach((status, i) =>
              before[i] === NO_ANSWER && status !== NO_ANSWER && tally(status, i)
            );
          }
          offset += batch.length;
        }
      } catch (error) {
        log.error(`C-MOVE to ${destination}: ${String(error)}`);
      }
      counts.failed += counts.remaining;
      counts.remaining = 0;
      return { status: finalStatus(counts), counts };
    },
  };
}
