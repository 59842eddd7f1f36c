// What C-MOVE and C-GET share: the instances an identifier designates, and the counting of
// sub-operations into the final status Orthanc answers.
import type { Level } from "../../dicom/levels.ts";
import { findElement } from "../../dicom/parser.ts";
import { type Tag, Tags } from "../../dicom/tag.ts";
import type { Resource } from "../../server/model.ts";
import type { PharosCore } from "../../server/core.ts";
import { parseIdentifier } from "../codec.ts";
import { instancesBelow } from "../instances.ts";
import { Status } from "../status.ts";
import type { Identifier, SubOperationCounts } from "../types.ts";
import { readIdentifier } from "./find.ts";

/** The instances a C-MOVE/C-GET identifier designates (by UIDs, as Orthanc reads them). */
export function retrieveTargets(core: PharosCore, identifier: Identifier): Resource[] | undefined {
  let dataset;
  try {
    dataset = parseIdentifier(identifier.bytes, identifier.transferSyntax);
  } catch {
    return undefined;
  }
  const query = readIdentifier(dataset, core.defaultEncoding);
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
  const resources = core.finder.find({
    level,
    query: new Map([[tag, value]]),
    caseSensitive: true,
    since: 0,
  });
  return instancesBelow(core, resources);
}

export function noCounts(): SubOperationCounts {
  return { remaining: 0, completed: 0, failed: 0, warning: 0 };
}

/** Counts one finished sub-operation (0: completed, 0xBxxx: warning, else failed). */
export function countSubOperation(counts: SubOperationCounts, status: number): void {
  counts.remaining--;
  if (status === 0) counts.completed++;
  else if (isWarning(status)) counts.warning++;
  else counts.failed++;
}

export function isWarning(status: number): boolean {
  return (status & 0xf000) === 0xb000;
}

export function finalStatus(counts: SubOperationCounts): number {
  if (counts.failed === 0 && counts.warning === 0) return Status.Success;
  return counts.completed === 0 && counts.warning === 0
    ? Status.OutOfResourcesSubOperations
    : Status.SubOperationsWithFailures;
}
