// What C-MOVE and C-GET share: the instances an identifier designates, and the counting of
// sub-operations into the final status Orthanc answers.
import type { Level } from "../../dicom/levels.ts";
import { textDecoding } from "../../dicom/charsets.ts";
import { elementBytes, findElement, latin1 } from "../../dicom/parser.ts";
import { type Tag, Tags } from "../../dicom/tag.ts";
import type { Resource } from "../../server/model.ts";
import type { PharosCore } from "../../server/core.ts";
import { elementText } from "../../dicom/values.ts";
import { parseIdentifier } from "../codec.ts";
import { levelOfQr } from "../instances.ts";
import { instancesBelow } from "../../server/job-targets.ts";
import { Status } from "../status.ts";
import type { Identifier, SubOperationCounts } from "../types.ts";

const QUERY_RETRIEVE_LEVEL = 0x00080052;

/** How C-MOVE and C-GET read their identifier (Orthanc's two handlers differ). */
export interface RetrieveRules {
  /** C-MOVE: without a QueryRetrieveLevel, the most specific identifier given decides. */
  guessLevel: boolean;
  /** C-GET: a study is designated by AccessionNumber whenever the key is there, even empty. */
  accessionWhenPresent: boolean;
  /** C-GET: one value that designates nothing fails the whole request. */
  allValuesMustMatch: boolean;
}

export const MOVE_RULES: RetrieveRules = {
  guessLevel: true,
  accessionWhenPresent: false,
  allValuesMustMatch: false,
};

export const GET_RULES: RetrieveRules = {
  guessLevel: false,
  accessionWhenPresent: true,
  allValuesMustMatch: true,
};

const IDENTIFIER_OF: Record<Level, Tag> = {
  Patient: Tags.PatientId,
  Study: Tags.StudyInstanceUid,
  Series: Tags.SeriesInstanceUid,
  Instance: Tags.SopInstanceUid,
};
const ACCESSION_NUMBER = 0x00080050;

/**
 * The instances a C-MOVE/C-GET identifier designates, as Orthanc looks them up: the level's
 * identifier (or AccessionNumber for a study), each "\\"-separated value matched exactly.
 * Undefined when the request designates nothing (Orthanc's failure, UnableToProcess).
 */
export function retrieveTargets(
  core: PharosCore,
  identifier: Identifier,
  rules: RetrieveRules,
): Resource[] | undefined {
  let dataset;
  try {
    dataset = parseIdentifier(identifier.bytes, identifier.transferSyntax);
  } catch {
    return undefined;
  }
  const cs = findElement(dataset, Tags.SpecificCharacterSet);
  const decoding = textDecoding(
    cs ? latin1(elementBytes(dataset, cs)).split("\\") : undefined,
    core.defaultEncoding,
  );
  const text = (tag: Tag): string | undefined => {
    const e = findElement(dataset, tag);
    return e ? (elementText(dataset, e, decoding) ?? "").trim() : undefined;
  };
  const lookup = (level: Level): Resource[] | undefined => {
    const accession = text(ACCESSION_NUMBER);
    const byAccession = level === "Study" && accession !== undefined &&
      (rules.accessionWhenPresent || accession !== "");
    const tag = byAccession ? ACCESSION_NUMBER : IDENTIFIER_OF[level];
    const value = text(tag);
    if (value === undefined) return undefined;
    const found: Resource[] = [];
    for (const token of value.split("\\")) {
      const matches = exactMatches(core, level, tag, token);
      if (matches.length === 0 && rules.allValuesMustMatch) return undefined;
      found.push(...matches);
    }
    return found;
  };
  const levelText = text(QUERY_RETRIEVE_LEVEL);
  let resources: Resource[] | undefined;
  if (levelText) {
    const level = levelOfQr(levelText);
    if (!level) return undefined;
    resources = lookup(level);
  } else if (rules.guessLevel) {
    for (const level of ["Instance", "Series", "Study", "Patient"] as const) {
      resources = lookup(level);
      if (resources) break;
    }
  }
  if (!resources || resources.length === 0) return undefined;
  return instancesBelow(core, resources);
}

/** The resources of a level whose tag is exactly this value (no wildcard is read in it). */
function exactMatches(core: PharosCore, level: Level, tag: Tag, value: string): Resource[] {
  if (value === "" || /[*?]/.test(value)) return [];
  return core.finder.find({ level, query: new Map([[tag, value]]), caseSensitive: true, since: 0 });
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
