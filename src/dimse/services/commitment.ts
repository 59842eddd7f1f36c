// The storage commitment service, Push Model (SCP side): an N-ACTION is answered at once and its
// result goes to the requesting modality as an N-EVENT-REPORT on a new association, as Orthanc
// does; an N-EVENT-REPORT completes the report of a request Pharos sent.
import type { Configuration } from "../../config/schema.ts";
import { Tags } from "../../dicom/tag.ts";
import { Metadata } from "../../server/model.ts";
import { log } from "../../log.ts";
import type { PharosCore } from "../../server/core.ts";
import { scu } from "../adapter/client.ts";
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

export function commitmentService(
  core: PharosCore,
  config: Pick<Configuration, "DicomAet">,
  destinations: ModalityDirectory,
  reports: CommitmentReports,
): CommitmentProvider {
  return {
    nAction: (info, actionTypeId, dataset) =>
      Promise.resolve(commitmentRequested(info, actionTypeId, dataset)),
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

  function commitmentRequested(info: AssociationInfo, actionTypeId: number, dataset: Identifier) {
    const request = readCommitment(dataset);
    if (actionTypeId !== 1 || !request) return Status.ProcessingFailure;
    const modality = destinations.byAet(info.callingAet);
    if (!modality) {
      log.error(`Storage commitment: unknown modality "${info.callingAet}" to send the report to`);
      return Status.ProcessingFailure;
    }
    const success: CommittedInstance[] = [];
    const failures: FailedInstance[] = [];
    for (const item of request.referenced) {
      if (hasInstance(item)) success.push(item);
      else failures.push({ ...item, reason: NO_SUCH_OBJECT });
    }
    const peer = { ...destinations.peerOf(modality), localAet: info.calledAet || config.DicomAet };
    // The report goes after the N-ACTION answer, on an association of its own.
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
  function hasInstance(item: CommittedInstance): boolean {
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
}
