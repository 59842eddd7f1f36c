// Finding resources by their main DICOM tags with Orthanc's matching rules. Independent of
// HTTP, so that C-FIND can use it too.
import { lookupTag } from "../dicom/dictionary.ts";
import { type Level, levelIndex, LEVELS, MAIN_TAGS } from "../dicom/levels.ts";
import type { Tag } from "../dicom/tag.ts";
import type { IndexDatabase, Resource } from "../index/database.ts";
import { labelledResources, resourcesWithLabels } from "../index/labels.ts";

export type LabelsConstraint = "All" | "Any" | "None";

/** Orthanc 1.12's "Labels" + "LabelsConstraint" of /tools/find; labels already validated. */
export interface LabelFilter {
  labels: string[];
  constraint: LabelsConstraint;
}

export interface FindRequest {
  level: Level;
  query: Map<Tag, string>;
  caseSensitive: boolean;
  since: number;
  limit?: number;
  labels?: LabelFilter;
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

/** One constraint of a query, as Orthanc reads it: list, range, wildcard or equality. */
export function matcherFor(
  tag: Tag,
  constraint: string,
  caseSensitive: boolean,
): Matcher | undefined {
  if (constraint === "" || constraint === "*") return undefined;
  if (constraint.includes("\\")) {
    const options = constraint.split("\\").map((c) =>
      matcherFor(tag, c, caseSensitive) ?? (() => true)
    );
    return (value) => options.some((m) => m(value));
  }
  const vr = lookupTag(tag)?.vr ?? "";
  if (RANGE_VRS.has(vr) && constraint.includes("-")) {
    const [low, high] = constraint.split("-", 2) as [string, string];
    return (value) =>
      value !== undefined && (low === "" || value >= low) && (high === "" || value <= high);
  }
  if (constraint.includes("*") || constraint.includes("?")) {
    const re = wildcardPattern(constraint, caseSensitive);
    return (value) => value !== undefined && re.test(value);
  }
  const wanted = fold(constraint, caseSensitive);
  return (value) => value !== undefined && fold(value, caseSensitive) === wanted;
}

/** The level whose main tags hold `tag`, the lowest one if several do. */
export function levelOfTag(tag: Tag): Level | undefined {
  for (const level of [...LEVELS].reverse()) if (MAIN_TAGS[level].includes(tag)) return level;
  return undefined;
}

export function find(index: IndexDatabase, request: FindRequest): Resource[] {
  const constraints: { level: Level; tag: Tag; match: Matcher }[] = [];
  for (const [tag, value] of request.query) {
    const match = matcherFor(tag, value, request.caseSensitive);
    if (!match) continue;
    const owner = MAIN_TAGS[request.level].includes(tag) ? request.level : levelOfTag(tag);
    // A constraint on a lower level, or on a tag that no level indexes, matches nothing.
    if (!owner || levelIndex(owner) > levelIndex(request.level)) return [];
    constraints.push({ level: owner, tag, match });
  }
  const labelled = request.labels && labelMatcher(index, request.level, request.labels);
  const candidates = index.listLevel(request.level).sort();
  const out: Resource[] = [];
  let skipped = 0;
  for (const publicId of candidates) {
    const resource = index.lookup(publicId)!;
    if (labelled && !labelled(resource.internalId)) continue;
    if (!matches(index, resource, constraints)) continue;
    if (skipped++ < request.since) continue;
    out.push(resource);
    if (request.limit !== undefined && request.limit > 0 && out.length >= request.limit) break;
  }
  return out;
}

/**
 * Which internal ids pass the label filter, or undefined when it constrains nothing. The
 * labels are resolved by one query up front rather than one per candidate.
 */
function labelMatcher(
  index: IndexDatabase,
  level: Level,
  filter: LabelFilter,
): ((internalId: number) => boolean) | undefined {
  const labels = [...new Set(filter.labels)];
  if (labels.length === 0) {
    // All/Any of nothing is no constraint; None of nothing means "without any label" since
    // Orthanc 1.12.11 (it used to mean no constraint, too).
    if (filter.constraint !== "None") return undefined;
    const any = labelledResources(index, level);
    return (id) => !any.has(id);
  }
  const carrying = resourcesWithLabels(
    index,
    level,
    labels,
    filter.constraint === "All" ? labels.length : 1,
  );
  return filter.constraint === "None" ? (id) => !carrying.has(id) : (id) => carrying.has(id);
}

function matches(
  index: IndexDatabase,
  resource: Resource,
  constraints: { level: Level; tag: Tag; match: Matcher }[],
): boolean {
  const tagsByLevel = new Map<Level, Map<Tag, string>>();
  const tagsOf = (level: Level): Map<Tag, string> => {
    let tags = tagsByLevel.get(level);
    if (!tags) {
      let r: Resource | undefined = resource;
      while (r && r.level !== level) {
        r = r.parentId === null ? undefined : index.byInternalId(r.parentId);
      }
      tags = r ? index.mainTags(r.internalId) : new Map();
      tagsByLevel.set(level, tags);
    }
    return tags;
  };
  return constraints.every((c) => c.match(tagsOf(c.level).get(c.tag)));
}
