// Finding resources by their main DICOM tags with Orthanc's matching rules. Independent of
// HTTP, so that C-FIND can use it too.
import { lookupTag } from "../dicom/dictionary.ts";
import { type Level, levelIndex, LEVELS, MAIN_TAGS } from "../dicom/levels.ts";
import { formatTag, type Tag } from "../dicom/tag.ts";
import { OrthancError } from "./errors.ts";
import type { FindPlan, FoundRow, IndexBackend, ValueCondition } from "../index/interface.ts";
import { normalizeValue, type Resource } from "./model.ts";

export type LabelsConstraint = "All" | "Any" | "None";

/** Orthanc 1.12's "Labels" + "LabelsConstraint" of /tools/find; labels already validated. */
export interface LabelFilter {
  labels: string[];
  constraint: LabelsConstraint;
}

export interface FindRequest {
  level: Level;
  query: Map<Tag, string>;
  /** For every constraint, or per tag (C-FIND: PN tags follow CaseSensitivePN, others are exact). */
  caseSensitive: boolean | ((tag: Tag) => boolean);
  since: number;
  /** Undefined or 0: no limit. */
  limit?: number;
  labels?: LabelFilter;
  /** Only the descendants of this resource. */
  parent?: { level: Level; internalId: number };
  orderBy?: ({ kind: "tag"; tag: Tag; descending: boolean } | {
    kind: "metadata";
    type: number;
    descending: boolean;
  })[];
  /** Constraints on metadata values (exact, "\\"-separated lists, or "*"/"?" wildcards). */
  metadata?: Map<number, string>;
}

type Matcher = (value: string | undefined) => boolean;

const RANGE_VRS = new Set(["DA", "TM", "DT"]);

function fold(text: string, caseSensitive: boolean): string {
  return caseSensitive ? text : text.toUpperCase();
}

function wildcardPattern(pattern: string, caseSensitive: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(
    /\?/g,
    ".",
  );
  return new RegExp(`^${body}$`, caseSensitive ? "su" : "isu");
}

/** The VRs Orthanc allows wildcards on (PS3.4 C.2.2.2.4); others refuse them. */
const WILDCARD_VRS = new Set(["AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UR", "UT"]);

const hasWildcard = (constraint: string) => constraint.includes("*") || constraint.includes("?");

/** A range when a date or time constraint holds "-" (checked before lists, as in Orthanc). */
function rangeOf(tag: Tag, constraint: string): [string, string] | undefined {
  if (!RANGE_VRS.has(lookupTag(tag)?.vr ?? "") || !constraint.includes("-")) return undefined;
  const at = constraint.indexOf("-");
  return [constraint.slice(0, at), constraint.slice(at + 1)];
}

/**
 * One constraint of a query, as Orthanc reads it: range, list of exact values, wildcard or
 * equality; "" and "*" are universal here (the callers that see "*" as a wildcard say so).
 */
export function matcherFor(
  tag: Tag,
  constraint: string,
  caseSensitive: boolean,
): Matcher | undefined {
  if (constraint === "" || constraint === "*") return undefined;
  const range = rangeOf(tag, constraint);
  if (range) {
    const [low, high] = range;
    return (value) =>
      value !== undefined && (low === "" || value >= low) && (high === "" || value <= high);
  }
  if (constraint.includes("\\")) {
    const options = new Set(constraint.split("\\").map((c) => fold(c, caseSensitive)));
    return (value) => value !== undefined && options.has(fold(value, caseSensitive));
  }
  if (hasWildcard(constraint)) {
    const re = wildcardPattern(constraint, caseSensitive);
    return (value) => value !== undefined && re.test(value);
  }
  const wanted = fold(constraint, caseSensitive);
  return (value) => value !== undefined && fold(value, caseSensitive) === wanted;
}

/** Matches any value the resource has: "*" as Orthanc's REST finds read it. */
const present: Matcher = (value) => value !== undefined;

/** The level whose main tags hold `tag`, the lowest one if several do. */
export function levelOfTag(tag: Tag): Level | undefined {
  for (const level of [...LEVELS].reverse()) if (MAIN_TAGS[level].includes(tag)) return level;
  return undefined;
}

const MODALITIES_IN_STUDY = 0x00080061;

/** GLOB treats "[" as a set; a literal one is written "[[]" (and "]" as "[]]"). */
function globPattern(constraint: string): string {
  return constraint.replace(/[[\]]/g, (c) => `[${c}]`);
}

/** The SQL condition of one non-empty constraint, by Orthanc's rules (see matcherFor). */
export function valueCondition(
  tag: Tag,
  constraint: string,
  caseSensitive: boolean,
): ValueCondition {
  const range = rangeOf(tag, constraint);
  if (range) {
    const [low, high] = range;
    return {
      kind: "range",
      low: low === "" ? undefined : low,
      high: high === "" ? undefined : high,
    };
  }
  if (constraint.includes("\\")) {
    const alternatives = constraint.split("\\").map((c) => equalCondition(c, caseSensitive));
    if (alternatives.every((a) => a.kind === "equal" && a.exact === undefined)) {
      return { kind: "in", norms: alternatives.map((a) => (a as { norm: string }).norm) };
    }
    return { kind: "any", alternatives };
  }
  if (hasWildcard(constraint)) {
    const vr = lookupTag(tag)?.vr;
    if (vr !== undefined && !WILDCARD_VRS.has(vr)) {
      throw new OrthancError(
        "ParameterOutOfRange",
        `Wildcards are not allowed on tag ${formatTag(tag)}`,
      );
    }
    const pattern = globPattern(constraint);
    return caseSensitive
      ? { kind: "glob", normPattern: normalizeValue(pattern), exactPattern: pattern }
      : { kind: "glob", normPattern: normalizeValue(pattern) };
  }
  return equalCondition(constraint, caseSensitive);
}

function equalCondition(constraint: string, caseSensitive: boolean): ValueCondition {
  return caseSensitive
    ? { kind: "equal", norm: normalizeValue(constraint), exact: constraint }
    : { kind: "equal", norm: normalizeValue(constraint) };
}

/** A constraint on a tag that no level indexes: it is matched against the DICOM files. */
export interface FileConstraint {
  tag: Tag;
  match: Matcher;
}

export interface PlannedFind {
  plan: FindPlan;
  fileConstraints: FileConstraint[];
  /** A constraint no resource can meet (a main tag of a lower level). */
  empty: boolean;
}

const sensitivity = (request: FindRequest, tag: Tag): boolean =>
  typeof request.caseSensitive === "function" ? request.caseSensitive(tag) : request.caseSensitive;

function planFind(index: IndexBackend, request: FindRequest): PlannedFind {
  // Limit 0 means no limit, as in Orthanc.
  const plan: FindPlan = {
    level: request.level,
    tags: [],
    since: request.since,
    limit: request.limit || undefined,
  };
  const fileConstraints: FileConstraint[] = [];
  let empty = false;
  for (const [tag, value] of request.query) {
    // "*" is a wildcard like any other: only the resources that have the tag match.
    if (value === "") continue;
    if (tag === MODALITIES_IN_STUDY && request.level === "Study") {
      if (value === "*") continue;
      plan.childModality = {
        condition: valueCondition(0x00080060, value, sensitivity(request, 0x00080060)),
      };
      continue;
    }
    const holder = MAIN_TAGS[request.level].includes(tag) ? request.level : levelOfTag(tag);
    if (holder === undefined) {
      const match = value === "*" ? present : matcherFor(tag, value, sensitivity(request, tag));
      fileConstraints.push({ tag, match: match ?? present });
      continue;
    }
    if (levelIndex(holder) > levelIndex(request.level)) empty = true;
    // Studies hold a copy of their patient's tags.
    const copied = holder === "Patient" && request.level !== "Patient" ? "Study" : holder;
    plan.tags.push({
      holder: copied,
      tag,
      condition: valueCondition(tag, value, sensitivity(request, tag)),
    });
  }
  if (request.parent) plan.ancestor = request.parent;
  for (const [type, value] of request.metadata ?? []) {
    if (value === "" || value === "*") continue;
    const pattern = value.includes("*") || value.includes("?");
    (plan.metadata ??= []).push({
      type,
      values: pattern ? [globPattern(value)] : value.split("\\"),
      pattern,
    });
  }
  if (request.orderBy) {
    plan.orderBy = request.orderBy.map((o) => {
      if (o.kind === "metadata") return o;
      const holder = MAIN_TAGS[request.level].includes(o.tag)
        ? request.level
        : levelOfTag(o.tag) ?? request.level;
      const copied = holder === "Patient" && request.level !== "Patient" ? "Study" : holder;
      // Ordering by a lower level's tag cannot be answered from the index; it leaves the order as is.
      return {
        ...o,
        holder: levelIndex(copied) > levelIndex(request.level) ? request.level : copied,
      };
    });
  }
  if (request.labels) Object.assign(plan, labelRestriction(index, request.level, request.labels));
  return { plan, fileConstraints, empty };
}

const toResource = (row: FoundRow, level: Level): Resource => ({
  internalId: row.internal_id,
  level,
  publicId: row.public_id,
  parentId: row.parent_id,
});

/** Finds over one index; front ends reach it as `core.finder`. */
export class Finder {
  constructor(private readonly index: IndexBackend) {}

  /**
   * Resources matching the main DICOM tags of a query (constraints on other tags are ignored:
   * findResources() reads the files for those).
   */
  find(request: FindRequest): Resource[] {
    const { plan, empty } = planFind(this.index, request);
    if (empty) return [];
    return this.index.runFind(plan).map((row) => toResource(row, request.level));
  }

  /** find(), plus constraints on tags that are not indexed, checked in one instance's file. */
  async findResources(
    request: FindRequest,
    readTag: (resource: Resource, tag: Tag) => Promise<string | undefined>,
  ): Promise<Resource[]> {
    const { plan, fileConstraints, empty } = planFind(this.index, request);
    if (empty) return [];
    if (fileConstraints.length === 0) {
      return this.index.runFind(plan).map((row) => toResource(row, request.level));
    }
    const all = this.index.runFind({ ...plan, since: 0, limit: undefined });
    const kept: Resource[] = [];
    let skipped = 0;
    for (const row of all) {
      const resource = toResource(row, request.level);
      let ok = true;
      for (const c of fileConstraints) {
        if (!c.match(await readTag(resource, c.tag))) {
          ok = false;
          break;
        }
      }
      if (!ok || skipped++ < request.since) continue;
      kept.push(resource);
      if (request.limit !== undefined && request.limit > 0 && kept.length >= request.limit) break;
    }
    return kept;
  }
}

/** Internal ids the label filter keeps or drops, resolved by one query up front. */
function labelRestriction(
  index: IndexBackend,
  level: Level,
  filter: LabelFilter,
): Pick<FindPlan, "restrictTo" | "exclude"> {
  const labels = [...new Set(filter.labels)];
  if (labels.length === 0) {
    return filter.constraint === "None" ? { exclude: index.labelledResources(level) } : {};
  }
  const carrying = index.resourcesWithLabels(
    level,
    labels,
    filter.constraint === "All" ? labels.length : 1,
  );
  return filter.constraint === "None" ? { exclude: carrying } : { restrictTo: carrying };
}
