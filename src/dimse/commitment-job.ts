// The storage commitment report sent by Pharos's SCP runs as a job, as in Orthanc (its type,
// StorageCommitmentScp, and its content): /jobs lists it, and a report that cannot be delivered
// is a failed job with the network error, rather than a line in the log.
import type { JsonObject } from "../dicom/tags-json.ts";
import type { NewJob, SteppedJob } from "../server/jobs.ts";

export interface CommitmentReportJob {
  calledAet: string;
  remoteAet: string;
  transactionUid: string;
  /** How many instances the request named: Orthanc counts a step for each. */
  instances: number;
  /** Sends the N-EVENT-REPORT; throws Orthanc's error when it cannot. */
  send(): Promise<void>;
}

export function commitmentReportJob(report: CommitmentReportJob): NewJob {
  const content: JsonObject = {
    CalledAet: report.calledAet,
    Description: "",
    RemoteAet: report.remoteAet,
    TransactionUid: report.transactionUid,
  };
  // Orthanc's steps: one to set up, one per instance looked up, one to answer; the look-ups are
  // done by the time the job starts here, so a failure to answer leaves the last step undone.
  const steps = report.instances + 2;
  let done = 0;
  const stepped: SteppedJob = {
    async step() {
      done = steps - 1;
      await report.send();
      done = steps;
      return "success";
    },
    stop: () => Promise.resolve(),
    update(job) {
      job.progress = Math.round((100 * done) / steps);
      job.content = content;
    },
    // A report is not saved: after a restart, the modality asks again.
    serialize: () => undefined,
  };
  return { type: "StorageCommitmentScp", stepped, content };
}
