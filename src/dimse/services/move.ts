// The C-MOVE service: the designated instances go to the destination modality on associations
// of their own, a batch at a time, transcoded for a peer that takes none of the stored syntaxes
// when the modality allows it; the counts are reported as they progress.
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
      const peer = destinations.peerOf(modality);
      const moveOriginator = { aet: info.callingAet, messageId };
      try {
        for await (const batch of instanceBatches(core, targets)) {
          const tally = (status: number) => {
            countSubOperation(counts, status);
            if (counts.remaining > 0) progress({ ...counts });
          };
          const answers = await scu.store(peer, batch, {
            moveOriginator,
            onEach: (status) => status !== NO_ANSWER && tally(status),
          });
          if (modality.AllowTranscoding && answers.includes(NO_ANSWER)) {
            const before = [...answers];
            await sendTranscoded(transcoders, peer, batch, answers, moveOriginator);
            answers.forEach((status, i) =>
              before[i] === NO_ANSWER && status !== NO_ANSWER && tally(status)
            );
          }
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
