// The SCU client: every operation Pharos runs on a remote modality, for the REST API and the
// jobs alike (C-ECHO, C-FIND, worklist C-FIND, C-MOVE, C-GET, C-STORE of stored resources or of
// one file, storage commitment requests), with the peer's failures turned into Orthanc's errors.
import { SopClass, TransferSyntax } from "../dicom/uids.ts";
import type { Encoding } from "../dicom/charsets.ts";
import type { Level } from "../dicom/levels.ts";
import type { Transcoders } from "../imaging/transcoders.ts";
import type { PharosCore } from "../server/core.ts";
import { OrthancError } from "../server/errors.ts";
import { scu } from "./adapter/client.ts";
import { part10 } from "./codec.ts";
import { findIdentifier, moveIdentifier, worklistIdentifier } from "./identifiers.ts";
import type { Modality } from "./modalities.ts";
import { COMMON_STORAGE_CLASSES, FIND_CLASSES, GET_CLASSES, MOVE_CLASSES } from "./policy.ts";
import { type CommittedInstance, requestDataset } from "./storage-commitment.ts";
import { NO_ANSWER, sendTranscoded } from "./store-transcoding.ts";
import { DimseConnectionError, DimseError, type DimseInstance, type Peer } from "./types.ts";

/** What the client needs of the DICOM network (DicomNetwork provides it). */
export interface ScuContext {
  peerOf(modality: Modality): Peer;
  /** The transfer syntaxes a C-GET proposes for its sub-operations. */
  readonly acceptedSyntaxes: ReadonlySet<string>;
  /** What sends fall back on for a peer that accepts none of the stored syntaxes. */
  readonly transcoders: Transcoders;
  /** DefaultEncoding: the queries Pharos sends are written in it. */
  readonly defaultEncoding: Encoding;
}

/** An answer of a remote C-FIND: the dataset with the transfer syntax it came in. */
export interface RemoteAnswer {
  bytes: Uint8Array;
  transferSyntax: string;
}

/** C-ECHO; Orthanc's error when the modality cannot be reached or refuses. */
export async function echoOn(network: ScuContext, modality: Modality): Promise<void> {
  try {
    await scu.echo(network.peerOf(modality));
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - C-ECHO to AET "${modality.AET}"`);
  }
}

export async function findOn(
  network: ScuContext,
  modality: Modality,
  level: Level,
  query: Record<string, unknown>,
  normalize = true,
): Promise<RemoteAnswer[]> {
  const sopClass = level === "Patient" ? FIND_CLASSES.Patient : FIND_CLASSES.Study;
  try {
    const result = await scu.find(
      network.peerOf(modality),
      sopClass,
      findIdentifier(level, query, {
        normalize,
        manufacturer: modality.Manufacturer,
        encoding: network.defaultEncoding,
      }),
    );
    if (result.status !== 0) {
      throw dimseFailure("C-FIND SCU", modality.AET, result.status, "invalid query");
    }
    return result.answers;
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - C-FIND to AET "${modality.AET}"`);
  }
}

/** C-FIND on the modality's worklists (Modality Worklist Information Model FIND). */
export async function findWorklistOn(
  network: ScuContext,
  modality: Modality,
  query: Record<string, unknown>,
): Promise<RemoteAnswer[]> {
  const identifier = worklistIdentifier(query);
  let result;
  try {
    result = await scu.find(network.peerOf(modality), SopClass.ModalityWorklistFind, identifier);
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - C-FIND to AET "${modality.AET}"`);
  }
  if (result.status !== 0 && result.status !== 0xfe00) {
    throw dimseFailure("C-FIND SCU", modality.AET, result.status);
  }
  return result.answers;
}

/**
 * Orthanc's error for an operation a peer answered with a failure status; UnableToProcess
 * (0xC000) of a C-FIND or C-MOVE says what it likely means, with HTTP status 422.
 */
function dimseFailure(
  operation: string,
  aet: string,
  status: number,
  unableToProcess?: string,
): OrthancError {
  const hex = status.toString(16).toUpperCase().padStart(4, "0");
  const message = `${operation} to AET "${aet}" has failed with DIMSE status 0x${hex}`;
  if (status === 0xc000 && unableToProcess) {
    return new OrthancError(
      "NetworkProtocol",
      `${message} (unable to process - ${unableToProcess} ?)`,
      422,
    );
  }
  return new OrthancError("NetworkProtocol", message);
}

/** An SCU failure as Orthanc words it: NetworkProtocol, with what was being done. */
export function asNetworkError(error: unknown, what: string): unknown {
  if (error instanceof DimseConnectionError) {
    return new OrthancError("NetworkProtocol", error.message);
  }
  if (error instanceof DimseError) {
    return new OrthancError("NetworkProtocol", `${what}: ${error.message}`);
  }
  return error;
}

/** C-MOVE of the resources an identifier names (level + UIDs) to `target`. */
export async function moveOn(
  network: ScuContext,
  modality: Modality,
  level: Level,
  keys: Record<string, string>,
  target: string,
): Promise<void> {
  const sopClass = level === "Patient" ? MOVE_CLASSES.Patient : MOVE_CLASSES.Study;
  let result;
  try {
    result = await scu.move(
      network.peerOf(modality),
      sopClass,
      target,
      moveIdentifier(level, keys, {
        manufacturer: modality.Manufacturer,
        encoding: network.defaultEncoding,
      }),
    );
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - C-MOVE to AET "${modality.AET}"`);
  }
  if (result.status !== 0) {
    throw dimseFailure("C-MOVE SCU", modality.AET, result.status, "resource not found");
  }
}

/**
 * C-GET of the resources an identifier names (level + UIDs): the instances come back on the
 * association and go through the store pipeline. Sub-operation counts of the final answer.
 */
export async function getOn(
  network: ScuContext,
  core: PharosCore,
  modality: Modality,
  level: Level,
  keys: Record<string, string>,
  onInstance?: () => void,
): Promise<{ completed: number; failed: number; warning: number }> {
  const sopClass = level === "Patient" ? GET_CLASSES.Patient : GET_CLASSES.Study;
  const peer = network.peerOf(modality);
  const syntaxes = [...network.acceptedSyntaxes].sort((a, b) =>
    a === TransferSyntax.ExplicitVrLittleEndian
      ? -1
      : b === TransferSyntax.ExplicitVrLittleEndian
      ? 1
      : 0
  );
  const identifier = moveIdentifier(level, keys, {
    manufacturer: modality.Manufacturer,
    encoding: network.defaultEncoding,
  });
  let result;
  try {
    result = await scu.get(peer, sopClass, identifier, {
      storageClasses: COMMON_STORAGE_CLASSES,
      transferSyntaxes: syntaxes,
      onStore: async (received) => {
        if (received.chunks.every((c) => c.length === 0)) return 0xc000;
        const bytes = part10(
          received.chunks,
          received.sopClassUid,
          received.sopInstanceUid,
          received.transferSyntax,
          modality.AET,
        );
        try {
          const stored = await core.store(bytes, {
            kind: "DicomProtocol",
            remoteAet: modality.AET,
            remoteIp: modality.Host,
            calledAet: peer.localAet,
          });
          onInstance?.();
          return stored.status === "FilteredOut" ? 0xa700 : 0;
        } catch (error) {
          return error instanceof OrthancError &&
              (error.kind === "BadFileFormat" || error.kind === "InexistentTag")
            ? 0xc000
            : 0xa700;
        }
      },
    });
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - C-GET to AET "${modality.AET}"`);
  }
  if (result.status !== 0 && result.status !== 0xb000) {
    throw dimseFailure("C-GET SCU", modality.AET, result.status);
  }
  return result.counts;
}

/** Whether a C-STORE status means the instance was stored (success or warning). */
export const storeSucceeded = (status: number): boolean =>
  status === 0 || (status & 0xf000) === 0xb000;

/**
 * C-STORE of one batch of instances on one association, sent again transcoded to the instances
 * the peer accepted no format for (when the modality allows it); the status of each instance,
 * NO_ANSWER for those not sent. `onEach` hears each answer of the first pass as it comes.
 */
export async function storeBatchTo(
  network: ScuContext,
  modality: Modality,
  batch: DimseInstance[],
  moveOriginator?: { aet: string; messageId: number },
  onEach?: (status: number, index: number) => void,
): Promise<number[]> {
  const peer = network.peerOf(modality);
  try {
    const statuses = await scu.store(peer, batch, { moveOriginator, onEach });
    if (modality.AllowTranscoding && statuses.includes(NO_ANSWER)) {
      await sendTranscoded(network.transcoders, peer, batch, statuses, moveOriginator);
    }
    return statuses;
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - connecting to AET "${modality.AET}"`);
  }
}

/** C-STORE of one Part 10 file as it is (/modalities/{id}/store-straight). */
export async function storeFileTo(
  network: ScuContext,
  modality: Modality,
  instance: DimseInstance,
): Promise<void> {
  let status: number | undefined;
  try {
    [status] = await scu.store(network.peerOf(modality), [instance]);
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - C-STORE to AET "${modality.AET}"`);
  }
  if (status !== 0 && ((status ?? -1) & 0xf000) !== 0xb000) {
    throw dimseFailure("C-STORE SCU", modality.AET, status ?? 0xffff);
  }
}

/**
 * The N-ACTION of a storage commitment request (transaction `transactionUid`); the result comes
 * later as an N-EVENT-REPORT on the SCP. `timeoutSeconds` overrides the modality's timeout.
 */
export async function requestCommitmentOn(
  network: ScuContext,
  modality: Modality,
  transactionUid: string,
  instances: CommittedInstance[],
  timeoutSeconds?: number,
): Promise<void> {
  const peer = network.peerOf(modality);
  if (timeoutSeconds !== undefined) peer.timeoutSeconds = timeoutSeconds;
  let status;
  try {
    status = await scu.nAction(peer, 1, requestDataset(transactionUid, instances));
  } catch (error) {
    throw asNetworkError(error, `DicomAssociation - N-ACTION to AET "${modality.AET}"`);
  }
  if (status !== 0) throw dimseFailure("Storage commitment N-ACTION", modality.AET, status);
}
