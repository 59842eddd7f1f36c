// Storage commitment, Push Model (PS3.4 Annex J): the datasets of N-ACTION (request) and
// N-EVENT-REPORT (result), and the reports of the requests Pharos sent as SCU, shown by
// /storage-commitment/{id} in Orthanc's JSON (in memory, the last 100, as Orthanc keeps them).
import { elementBytes, findElement, latin1 } from "../dicom/parser.ts";
import type { JsonObject } from "../dicom/tags-json.ts";
import {
  type Element,
  encodeDataset,
  parseIdentifier,
  sequenceElement,
  textElement,
  usElement,
} from "./codec.ts";
import type { Identifier } from "./types.ts";

const TRANSACTION_UID = 0x00081195;
const REFERENCED_SOP_SEQUENCE = 0x00081199;
const FAILED_SOP_SEQUENCE = 0x00081198;
const REFERENCED_SOP_CLASS_UID = 0x00081150;
const REFERENCED_SOP_INSTANCE_UID = 0x00081155;
const FAILURE_REASON = 0x00081197;

/** Failure reason "No such object instance" (PS3.4 J.3.2.1.1.1). */
export const NO_SUCH_OBJECT = 0x0112;

export interface CommittedInstance {
  sopClassUid: string;
  sopInstanceUid: string;
}

export interface FailedInstance extends CommittedInstance {
  reason: number;
}

function referenceItem(i: CommittedInstance): Element[] {
  return [
    textElement(REFERENCED_SOP_CLASS_UID, "UI", i.sopClassUid),
    textElement(REFERENCED_SOP_INSTANCE_UID, "UI", i.sopInstanceUid),
  ];
}

/** The N-ACTION-RQ dataset (action type 1). */
export function requestDataset(
  transactionUid: string,
  instances: CommittedInstance[],
): (transferSyntax: string) => Uint8Array {
  return (ts) =>
    encodeDataset([
      textElement(TRANSACTION_UID, "UI", transactionUid),
      sequenceElement(REFERENCED_SOP_SEQUENCE, instances.map(referenceItem), ts),
    ], ts);
}

/** The N-EVENT-REPORT-RQ dataset (event type 1 without failures, else 2). */
export function reportDataset(
  transactionUid: string,
  success: CommittedInstance[],
  failures: FailedInstance[],
): (transferSyntax: string) => Uint8Array {
  return (ts) => {
    const elements = [textElement(TRANSACTION_UID, "UI", transactionUid)];
    if (success.length > 0 || failures.length === 0) {
      elements.push(sequenceElement(REFERENCED_SOP_SEQUENCE, success.map(referenceItem), ts));
    }
    if (failures.length > 0) {
      elements.push(sequenceElement(
        FAILED_SOP_SEQUENCE,
        failures.map((f) => [...referenceItem(f), usElement(FAILURE_REASON, f.reason)]),
        ts,
      ));
    }
    return encodeDataset(elements, ts);
  };
}

function text(dataset: ReturnType<typeof parseIdentifier>, tag: number): string {
  const e = findElement(dataset, tag);
  return e ? latin1(elementBytes(dataset, e)).replace(/[\0 ]+$/, "").trim() : "";
}

function items(dataset: ReturnType<typeof parseIdentifier>, tag: number) {
  return findElement(dataset, tag)?.items ?? [];
}

/** Reads an N-ACTION-RQ or N-EVENT-REPORT-RQ dataset; undefined if it cannot be parsed. */
export function readCommitment(identifier: Identifier):
  | { transactionUid: string; referenced: CommittedInstance[]; failed: FailedInstance[] }
  | undefined {
  let dataset;
  try {
    dataset = parseIdentifier(identifier.bytes, identifier.transferSyntax);
  } catch {
    return undefined;
  }
  const transactionUid = text(dataset, TRANSACTION_UID);
  if (!transactionUid) return undefined;
  const ref = (item: ReturnType<typeof parseIdentifier>) => ({
    sopClassUid: text(item, REFERENCED_SOP_CLASS_UID),
    sopInstanceUid: text(item, REFERENCED_SOP_INSTANCE_UID),
  });
  const failed = items(dataset, FAILED_SOP_SEQUENCE).map((item) => {
    const e = findElement(item, FAILURE_REASON);
    const b = e ? elementBytes(item, e) : new Uint8Array(0);
    return { ...ref(item), reason: b.length >= 2 ? b[0]! | (b[1]! << 8) : 0 };
  });
  return { transactionUid, referenced: items(dataset, REFERENCED_SOP_SEQUENCE).map(ref), failed };
}

interface Report {
  remoteAet: string;
  result?: { success: CommittedInstance[]; failures: FailedInstance[] };
}

/** 0x0112 as Orthanc 1.10.1 words it (observed); the others from PS3.4 Annex J. */
const FAILURE_DESCRIPTIONS: Record<number, string> = {
  0x0110: "Processing failure",
  0x0112: "One or more of the elements in the Referenced SOP Instance Sequence was not available",
  0x0213: "Resource limitation",
  0x0122: "Referenced SOP Class not supported",
  0x0119: "Class / Instance conflict",
  0x0131: "Duplicate transaction UID",
};

const MAX_REPORTS = 100;

/** The reports of the storage commitment requests sent by Pharos, by transaction UID. */
export class CommitmentReports {
  private readonly reports = new Map<string, Report>();

  add(transactionUid: string, remoteAet: string): void {
    this.reports.set(transactionUid, { remoteAet });
    if (this.reports.size > MAX_REPORTS) {
      this.reports.delete(this.reports.keys().next().value as string);
    }
  }

  delete(transactionUid: string): void {
    this.reports.delete(transactionUid);
  }

  /** Records the result of a report received; false for an unknown transaction. */
  complete(
    transactionUid: string,
    success: CommittedInstance[],
    failures: FailedInstance[],
  ): boolean {
    const report = this.reports.get(transactionUid);
    if (!report) return false;
    report.result = { success, failures };
    return true;
  }

  /**
   * What /storage-commitment/{id}/remove may delete: the committed instances of a report whose
   * status is Success; undefined for an unknown transaction, null for a report Pending or failed.
   */
  committed(transactionUid: string): CommittedInstance[] | null | undefined {
    const report = this.reports.get(transactionUid);
    if (!report) return undefined;
    return report.result && report.result.failures.length === 0 ? report.result.success : null;
  }

  json(transactionUid: string): JsonObject | undefined {
    const report = this.reports.get(transactionUid);
    if (!report) return undefined;
    const out: JsonObject = { RemoteAET: report.remoteAet };
    if (!report.result) {
      out.Status = "Pending";
      return out;
    }
    out.Status = report.result.failures.length === 0 ? "Success" : "Failure";
    out.Success = report.result.success.map((i) => ({
      SOPClassUID: i.sopClassUid,
      SOPInstanceUID: i.sopInstanceUid,
    }));
    out.Failures = report.result.failures.map((f) => ({
      Description: FAILURE_DESCRIPTIONS[f.reason] ?? "Unknown failure reason",
      FailureReason: f.reason,
      SOPClassUID: f.sopClassUid,
      SOPInstanceUID: f.sopInstanceUid,
    }));
    return out;
  }
}
