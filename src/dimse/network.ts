// The DICOM network of one Pharos: the SCP (association policy and handlers over the core),
// the modalities, and the SCU operations the REST API and C-MOVE use.
import type { Configuration } from "../config/schema.ts";
import type { Level } from "../dicom/levels.ts";
import { findElement } from "../dicom/parser.ts";
import { type Tag, Tags } from "../dicom/tag.ts";
import type { Resource } from "../index/database.ts";
import { log } from "../log.ts";
import type { PharosCore } from "../server/core.ts";
import { OrthancError } from "../server/errors.ts";
import { find } from "../server/find.ts";
import { parseIdentifier, part10 } from "./codec.ts";
import { answerFind, readIdentifier, Status } from "./find-scp.ts";
import { logExportedInstance } from "../server/exports.ts";
import { instanceBatches, instancesBelow, loadInstance } from "./instances.ts";
import { scu } from "./adapter/client.ts";
import { startScp } from "./adapter/server.ts";
import { type Modality, ModalityRegistry } from "./modalities.ts";
import { NO_ANSWER, sendTranscoded } from "./store-transcoding.ts";
import {
  answerWorklistFind,
  WORKLIST_FIND,
  type WorklistSettings,
  worklistSettings,
} from "./worklists.ts";
import { acceptedTransferSyntaxes } from "./policy.ts";
import { type AssociationPolicy, isAllowedRequest, negotiate } from "./association.ts";
import {
  CommitmentReports,
  type CommittedInstance,
  type FailedInstance,
  NO_SUCH_OBJECT,
  readCommitment,
  reportDataset,
} from "./storage-commitment.ts";
import { Metadata } from "../index/schema.ts";
import {
  type AssociationInfo,
  type DimseInstance,
  type DimseServer,
  type Identifier,
  type Peer,
  type RetrieveResult,
  type ScpHandlers,
  type SubOperationCounts,
} from "./types.ts";
import type { Transcoders } from "../imaging/transcoders.ts";

/** DIMSE status of a DIMSE-N request that cannot be processed. */
const PROCESSING_FAILURE = 0x0110;

export class DicomNetwork {
  readonly modalities: ModalityRegistry;
  /** /tools/accepted-transfer-syntaxes and /tools/unknown-sop-class-accepted change these. */
  acceptedSyntaxes: Set<string>;
  unknownSopClassAccepted: boolean;
  readonly worklists: WorklistSettings;
  /** Storage commitment requests sent by Pharos (/storage-commitment/{id}). */
  readonly commitments = new CommitmentReports();
  private server?: DimseServer;

  constructor(
    private readonly core: PharosCore,
    private readonly config: Configuration,
    /** What sends fall back on for a peer that accepts none of the stored syntaxes. */
    readonly transcoders: Transcoders,
  ) {
    this.modalities = new ModalityRegistry(config, core.index);
    this.acceptedSyntaxes = acceptedTransferSyntaxes(config.AcceptedTransferSyntaxes, config);
    this.unknownSopClassAccepted = config.UnknownSopClassAccepted;
    this.worklists = worklistSettings(config);
  }

  get port(): number | undefined {
    return this.server?.port;
  }

  async start(): Promise<number> {
    this.server = await startScp(this.handlers(), {
      port: this.config.DicomPort,
      timeoutSeconds: this.config.DicomScpTimeout,
      maxPduLength: this.config.MaximumPduLength,
    });
    return this.server.port;
  }

  stop(): void {
    this.server?.close();
    this.server = undefined;
  }

  /** The association policy as configured, with the settings REST may have changed. */
  private policy(): AssociationPolicy {
    const c = this.config;
    return {
      dicomAet: c.DicomAet,
      checkCalledAet: c.DicomCheckCalledAet,
      strictAetComparison: c.StrictAetComparison,
      checkModalityHost: c.DicomCheckModalityHost,
      alwaysAllow: {
        Echo: c.DicomAlwaysAllowEcho,
        Store: c.DicomAlwaysAllowStore,
        Find: c.DicomAlwaysAllowFind,
        FindWorklist: c.DicomAlwaysAllowFindWorklist,
        Move: c.DicomAlwaysAllowMove,
        Get: c.DicomAlwaysAllowGet,
      },
      acceptedSyntaxes: this.acceptedSyntaxes,
      unknownSopClassAccepted: this.unknownSopClassAccepted,
      worklistsEnabled: this.worklists.enabled,
    };
  }

  private handlers(): ScpHandlers {
    return {
      associate: (request) => {
        const answer = negotiate(this.policy(), this.modalities.all(), request);
        if (answer.kind === "reject" && answer.reason === "CalledAe") {
          log.warning(
            `DICOM association refused: called AET "${request.calledAet}" is not "${this.config.DicomAet}"`,
          );
        } else if (answer.kind === "reject" && answer.reason === "CallingAe") {
          log.warning(`DICOM association refused: unknown AET "${request.callingAet}"`);
        }
        return answer;
      },
      allowed: (info, command) => {
        const ok = isAllowedRequest(this.policy(), this.modalities.all(), info, command);
        if (!ok) {
          log.error(
            `${command} requests are not allowed for the application entity ${info.callingAet}`,
          );
        }
        return ok;
      },
      echo: () => Promise.resolve(Status.Success),
      store: async (info, message) => {
        const size = message.chunks.reduce((n, c) => n + c.length, 0);
        if (size === 0) return Status.UnableToProcess;
        const bytes = part10(
          message.chunks,
          message.sopClassUid,
          message.sopInstanceUid,
          message.transferSyntax,
          info.callingAet,
        );
        try {
          const result = await this.core.store(bytes, {
            kind: "DicomProtocol",
            remoteAet: info.callingAet,
            remoteIp: info.remoteIp,
            calledAet: info.calledAet,
          });
          if (result.status !== "FilteredOut") return Status.Success;
          // A plugin's C-STORE filter chose the status; other filters refuse as Orthanc does.
          return result.dimseStatus ?? Status.OutOfResources;
        } catch (error) {
          log.error(`C-STORE from ${info.callingAet} refused: ${String(error)}`);
          if (
            error instanceof OrthancError &&
            (error.kind === "BadFileFormat" || error.kind === "InexistentTag")
          ) return Status.UnableToProcess;
          return Status.OutOfResources;
        }
      },
      find: (info, identifier) =>
        identifier.sopClassUid === WORKLIST_FIND
          ? Promise.resolve(
            answerWorklistFind(this.worklists, identifier, info.callingAet, {
              defaultEncoding: this.core.defaultEncoding,
              caseSensitivePN: this.config.CaseSensitivePN,
            }),
          )
          : this.findScp(identifier),
      move: (info, identifier, destination, messageId, progress) =>
        this.moveScp(info, identifier, destination, messageId, progress),
      get: (_info, identifier, send, progress) => this.getScp(identifier, send, progress),
      nAction: (info, actionTypeId, dataset) =>
        Promise.resolve(this.commitmentRequested(info, actionTypeId, dataset)),
      eventReport: (info, _eventTypeId, dataset) => {
        const report = readCommitment(dataset);
        if (!report) return Promise.resolve(PROCESSING_FAILURE);
        if (!this.commitments.complete(report.transactionUid, report.referenced, report.failed)) {
          log.warning(
            `Storage commitment report from ${info.callingAet} for an unknown transaction ${report.transactionUid}`,
          );
        }
        return Promise.resolve(Status.Success);
      },
    };
  }

  /**
   * N-ACTION of storage commitment (SCP): answered at once; the result goes to the requesting
   * modality as an N-EVENT-REPORT on a new association, as Orthanc does.
   */
  private commitmentRequested(info: AssociationInfo, actionTypeId: number, dataset: Identifier) {
    const request = readCommitment(dataset);
    if (actionTypeId !== 1 || !request) return PROCESSING_FAILURE;
    const modality = this.modalities.byAet(info.callingAet);
    if (!modality) {
      log.error(`Storage commitment: unknown modality "${info.callingAet}" to send the report to`);
      return PROCESSING_FAILURE;
    }
    const success: CommittedInstance[] = [];
    const failures: FailedInstance[] = [];
    for (const item of request.referenced) {
      if (this.hasInstance(item)) success.push(item);
      else failures.push({ ...item, reason: NO_SUCH_OBJECT });
    }
    const peer = { ...this.peerOf(modality), localAet: info.calledAet || this.config.DicomAet };
    setTimeout(() => {
      scu.eventReport(
        peer,
        failures.length === 0 ? 1 : 2,
        reportDataset(request.transactionUid, success, failures),
      ).then((status) => {
        if (status !== 0) {
          log.error(`Storage commitment report to ${modality.AET}: DIMSE status ${status}`);
        }
      }).catch((error) => {
        log.error(`Storage commitment report to ${modality.AET}: ${String(error)}`);
      });
    }, 0);
    return Status.Success;
  }

  /** Whether Pharos stores an instance with these SOP class and instance UIDs. */
  private hasInstance(item: CommittedInstance): boolean {
    if (!item.sopClassUid || !item.sopInstanceUid) return false;
    const found = find(this.core.index, {
      level: "Instance",
      query: new Map([[Tags.SopInstanceUid, item.sopInstanceUid]]),
      caseSensitive: true,
      since: 0,
    });
    return found.some((r) =>
      this.core.index.metadata(r.internalId).get(Metadata.SopClassUid) === item.sopClassUid
    );
  }

  private findScp(identifier: Identifier): Promise<{ status: number; answers: Uint8Array[] }> {
    let query;
    try {
      query = readIdentifier(
        parseIdentifier(identifier.bytes, identifier.transferSyntax),
        this.core.defaultEncoding,
      );
    } catch {
      query = undefined;
    }
    if (!query) return Promise.resolve({ status: Status.UnableToProcess, answers: [] });
    return answerFind(this.core, query, identifier.transferSyntax, {
      defaultEncoding: this.core.defaultEncoding,
      retrieveAet: this.config.DicomAet,
      limitResults: this.config.LimitFindResults,
      limitInstances: this.config.LimitFindInstances,
      caseSensitivePN: this.config.CaseSensitivePN,
    });
  }

  /** The instances a C-MOVE/C-GET identifier designates (by UIDs, as Orthanc reads them). */
  private retrieveTargets(identifier: Identifier): Resource[] | undefined {
    let dataset;
    try {
      dataset = parseIdentifier(identifier.bytes, identifier.transferSyntax);
    } catch {
      return undefined;
    }
    const query = readIdentifier(dataset, this.core.defaultEncoding);
    const keys: [Level, Tag][] = [
      ["Patient", Tags.PatientId],
      ["Study", Tags.StudyInstanceUid],
      ["Series", Tags.SeriesInstanceUid],
      ["Instance", Tags.SopInstanceUid],
    ];
    // Without a valid level, the most specific UID given decides (as Orthanc guesses).
    let level = query?.level;
    if (!level) {
      for (const [l, tag] of keys) if (findElement(dataset, tag)) level = l;
    }
    if (!level || !query) return undefined;
    const [, tag] = keys.find(([l]) => l === level)!;
    const value = query.constraints.get(tag)?.value;
    if (!value) return [];
    const resources = find(this.core.index, {
      level,
      query: new Map([[tag, value]]),
      caseSensitive: true,
      since: 0,
    });
    return instancesBelow(this.core, resources);
  }

  private async moveScp(
    info: AssociationInfo,
    identifier: Identifier,
    destination: string,
    messageId: number,
    progress: (counts: SubOperationCounts) => void,
  ): Promise<RetrieveResult> {
    const counts: SubOperationCounts = { remaining: 0, completed: 0, failed: 0, warning: 0 };
    const modality = this.modalities.byAet(destination);
    if (!modality) {
      log.error(`C-MOVE: unknown destination AET "${destination}"`);
      return { status: Status.MoveDestinationUnknown, counts };
    }
    const targets = this.retrieveTargets(identifier);
    if (!targets) return { status: Status.UnableToProcess, counts };
    counts.remaining = targets.length;
    let offset = 0;
    const peer = this.peerOf(modality);
    const moveOriginator = { aet: info.callingAet, messageId };
    try {
      for await (const batch of instanceBatches(this.core, targets)) {
        const first = offset;
        const tally = (status: number, index: number) => {
          counts.remaining--;
          if (status === 0) counts.completed++;
          else if ((status & 0xf000) === 0xb000) counts.warning++;
          else counts.failed++;
          const sent = status === 0 || (status & 0xf000) === 0xb000;
          if (sent && this.config.LogExportedResources) {
            logExportedInstance(this.core.index, targets[first + index]!, modality.AET);
          }
          if (counts.remaining > 0) progress({ ...counts });
        };
        const answers = await scu.store(peer, batch, {
          moveOriginator,
          onEach: (status, index) => status !== NO_ANSWER && tally(status, index),
        });
        if (modality.AllowTranscoding && answers.includes(NO_ANSWER)) {
          const before = [...answers];
          await sendTranscoded(this.transcoders, peer, batch, answers, moveOriginator);
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
  }

  private async getScp(
    identifier: Identifier,
    send: (instance: DimseInstance) => Promise<number>,
    progress: (counts: SubOperationCounts) => void,
  ): Promise<RetrieveResult> {
    const counts: SubOperationCounts = { remaining: 0, completed: 0, failed: 0, warning: 0 };
    const targets = this.retrieveTargets(identifier);
    if (!targets) return { status: Status.UnableToProcess, counts };
    counts.remaining = targets.length;
    for (const t of targets) {
      const status = await send(await loadInstance(this.core, t));
      counts.remaining--;
      if (status === 0) counts.completed++;
      else if ((status & 0xf000) === 0xb000) counts.warning++;
      else counts.failed++;
      if (counts.remaining > 0) progress({ ...counts });
    }
    return { status: finalStatus(counts), counts };
  }

  peerOf(modality: Modality): Peer {
    return {
      host: modality.Host,
      port: modality.Port,
      aet: modality.AET,
      localAet: modality.LocalAet || this.config.DicomAet,
      timeoutSeconds: modality.Timeout || this.config.DicomScuTimeout,
    };
  }

  /** The modality of a REST id, or Orthanc's error for an unknown one. */
  modality(id: string): Modality {
    const m = this.modalities.get(id);
    if (!m) throw new OrthancError("InexistentItem", `No modality with symbolic name: ${id}`);
    return m;
  }
}

function finalStatus(counts: SubOperationCounts): number {
  if (counts.failed === 0 && counts.warning === 0) return Status.Success;
  return counts.completed === 0 && counts.warning === 0
    ? Status.OutOfResourcesSubOperations
    : Status.SubOperationsWithFailures;
}

/** The network of a core, created on first use. */
