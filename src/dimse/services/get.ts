// The C-GET service: the designated instances go back on the requesting association, one
// sub-operation each, in a transfer syntax the requester accepted for their SOP class
// (transcoded when the stored one was not accepted and the requester allows transcoding, as
// Orthanc does), with the counts reported after each sub-operation.
import { TransferSyntax } from "../../dicom/uids.ts";
import type { Transcoders } from "../../imaging/transcoders.ts";
import { log } from "../../log.ts";
import type { PharosCore } from "../../server/core.ts";
import { dimseInstanceOf, loadInstance } from "../instances.ts";
import type { ModalityDirectory } from "../modalities.ts";
import { Status } from "../status.ts";
import type {
  AssociationInfo,
  DimseInstance,
  Identifier,
  RetrieveResult,
  SubOperationChannel,
  SubOperationCounts,
} from "../types.ts";
import {
  countSubOperation,
  finalStatus,
  GET_RULES,
  noCounts,
  retrieveTargets,
} from "./retrieve.ts";

export interface GetProvider {
  get(
    association: AssociationInfo,
    identifier: Identifier,
    channel: SubOperationChannel,
    progress: (counts: SubOperationCounts) => void,
  ): Promise<RetrieveResult>;
}

/** The uncompressed syntaxes tried after the stored one, in Orthanc's order of preference. */
const UNCOMPRESSED_PREFERENCE = [
  TransferSyntax.ImplicitVrLittleEndian,
  TransferSyntax.ExplicitVrLittleEndian,
  TransferSyntax.ExplicitVrBigEndian,
];

/**
 * The syntax a sub-operation goes in: the stored one if accepted; else, when transcoding is
 * allowed, an accepted uncompressed one, else any accepted one. Undefined: it cannot go.
 */
export function subOperationSyntax(
  stored: string,
  accepted: string[],
  allowTranscoding: boolean,
): string | undefined {
  if (accepted.includes(stored)) return stored;
  if (!allowTranscoding) return undefined;
  return UNCOMPRESSED_PREFERENCE.find((ts) => accepted.includes(ts)) ?? accepted[0];
}

export function getService(
  core: PharosCore,
  requesters: Pick<ModalityDirectory, "byAet">,
  transcoders: Transcoders,
): GetProvider {
  /** The instance in the syntax chosen for it, or undefined when it cannot be sent. */
  const prepare = async (
    info: AssociationInfo,
    channel: SubOperationChannel,
    instance: DimseInstance,
  ): Promise<DimseInstance | undefined> => {
    // A requester unknown to the modalities got here through DicomAlwaysAllowGet.
    const allowTranscoding = requesters.byAet(info.callingAet)?.AllowTranscoding ?? true;
    const target = subOperationSyntax(
      instance.transferSyntax,
      channel.acceptedSyntaxes(instance.sopClassUid),
      allowTranscoding,
    );
    if (target === undefined) {
      log.error(`C-GET SCP: no presentation context for SOP class ${instance.sopClassUid}`);
      return undefined;
    }
    if (target === instance.transferSyntax) return instance;
    const file = await transcoders.transcode(instance.file, [target]);
    if (!file) {
      log.error(
        `C-GET SCP: cannot transcode ${instance.sopInstanceUid} from ${instance.transferSyntax} to ${target}`,
      );
      return undefined;
    }
    return dimseInstanceOf(file);
  };

  return {
    async get(info, identifier, channel, progress) {
      const counts = noCounts();
      const targets = retrieveTargets(core, identifier, GET_RULES);
      if (!targets) return { status: Status.UnableToProcess, counts };
      counts.remaining = targets.length;
      for (const t of targets) {
        const instance = await prepare(info, channel, await loadInstance(core, t));
        countSubOperation(counts, instance ? await channel.send(instance) : -1);
        // Orthanc reports after every sub-operation, the last one included.
        progress({ ...counts });
      }
      return { status: finalStatus(counts), counts };
    },
  };
}
