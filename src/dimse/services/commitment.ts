// The storage commitment service, Push Model (SCP side): an N-ACTION is answered at once and its
// result goes to the requesting modality as an N-EVENT-REPORT on a new association, from a job
// (src/dimse/commitment-job.ts), as Orthanc does; an N-EVENT-REPORT completes the report of a
// request Pharos sent.
import type { Configuration } from "../../config/schema.ts";
import { Tags } from "../../dicom/tag.ts";
import { Metadata } from "../../server/model.ts";
import { log } from "../../log.ts";
import type { PharosCore } from "../../server/core.ts";
import { scu } from "../adapter/client.ts";
import { asNetworkError } from "../client.ts";
import { commitmentReportJob } from "../commitment-job.ts";
import { OrthancError } from "../../server/errors.ts";
import type { NewJob } from "../../server/jobs.ts";
import type { ModalityDirectory } from "../modalities.ts";
import { Status } from "../status.ts";
import {
  type CommitmentReports,
  type CommittedInstance,
  type FailedInstance,
  NO_SUCH_OBJECT,
  readCommitment,
  reportDataset,
} from "../storage-commitment.ts";
import type { AssociationInfo, Identifier } from "../types.ts";

export interface CommitmentProvider {
  /** N-ACTION (storage commitment request): the dataset as received; resolves to the status. */
  nAction(association: AssociationInfo, actionTypeId: number, dataset: Identifier): Promise<number>;
  /** N-EVENT-REPORT (storage commitment result): the dataset as received; the status. */
  eventReport(
    association: AssociationInfo,
    eventTypeId: number,
    dataset: Identifier,
  ): Promise<number>;
}

/** Which of the referenced instances are committed, and why the others are not. */
export type CommitmentJudge = (
  association: AssociationInfo,
  transactionUid: string,
  referenced: CommittedInstance[],
) => Promise<{ success: CommittedInstance[]; failures: FailedInstance[] }>;

/** The SCP's own judge: an instance is committed when Pharos stores it. */
export function indexJudge(core: PharosCore): CommitmentJudge {
  return (_association, _transactionUid, referenced) => {
    const success: CommittedInstance[] = [];
    const failures: FailedInstance[] = [];
    for (const item of referenced) {
      if (hasInstance(core, item)) success.push(item);
      else failures.push({ ...item, reason: NO_SUCH_OBJECT });
    }
    return Promise.resolve({ success, failures });
  };
}

export function commitmentService(
  config: Pick<Configuration, "DicomAet">,
  destinations: ModalityDirectory,
  reports: CommitmentReports,
  /** Read at each request: plugins may replace it (src/plugins/dimse-services.ts). */
  judge: () => CommitmentJudge,
  /** Runs the job that sends a report. */
  submitJob: (job: NewJob) => void,
): CommitmentProvider {
  return {
    nAction: (info, actionTypeId, dataset) => commitmentRequested(info, actionTypeId, dataset),
    eventReport(info, _eventTypeId, dataset) {
      const report = readCommitment(dataset);
      if (!report) return Promise.resolve(Status.ProcessingFailure);
      if (!reports.complete(report.transactionUid, report.referenced, report.failed)) {
        log.warning(
          `Storage commitment report from ${info.callingAet} for an unknown transaction ${report.transactionUid}`,
        );
      }
      return Promise.resolve(Status.Success);
    },
  };

  async function commitmentRequested(
    info: AssociationInfo,
    actionTypeId: number,
    dataset: Identifier,
  ): Promise<number> {
    const request = readCommitment(dataset);
    if (actionTypeId !== 1 || !request) return Status.ProcessingFailure;
    const modality = destinations.byAet(info.callingAet);
    if (!modality) {
      log.error(`Storage commitment: unknown modality "${info.callingAet}" to send the report to`);
      return Status.ProcessingFailure;
    }
    let verdict;
    try {
      verdict = await judge()(info, request.transactionUid, request.referenced);
    } catch (error) {
      log.error(`Storage commitment of ${request.transactionUid}: ${String(error)}`);
      return Status.ProcessingFailure;
    }
    const { success, failures } = verdict;
    const calledAet = info.calledAet || config.DicomAet;
    const peer = { ...destinations.peerOf(modality), localAet: calledAet };
    // The report goes after the N-ACTION answer, on an association of its own, from a job.
    const send = async () => {
      let status;
      try {
        status = await scu.eventReport(
          peer,
          failures.length === 0 ? 1 : 2,
          reportDataset(request.transactionUid, success, failures),
        );
      } catch (error) {
        throw asNetworkError(error, `DicomAssociation - N-EVENT-REPORT to AET "${modality.AET}"`);
      }
      if (status !== Status.Success) {
        throw new OrthancError(
          "NetworkProtocol",
          `Storage commitment report to ${modality.AET}: DIMSE status ${status}`,
        );
      }
    };
    setTimeout(() => {
      submitJob(commitmentReportJob({
        calledAet,
        remoteAet: modality.AET,
        transactionUid: request.transactionUid,
        instances: request.referenced.length,
        send,
      }));
    }, 0);
    return Status.Success;
  }
}

/** Whether Pharos stores an instance with these SOP class and instance UIDs. */
function hasInstance(core: PharosCore, item: CommittedInstance): boolean {
  if (!item.sopClassUid || !item.sopInstanceUid) return false;
  const found = core.finder.find({
    level: "Instance",
    query: new Map([[Tags.SopInstanceUid, item.sopInstanceUid]]),
    caseSensitive: true,
    since: 0,
  });
  return found.some((r) =>
    core.resources.metadata(r.internalId).get(Metadata.SopClassUid) === item.sopClassUid
  );
}
