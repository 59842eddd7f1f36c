// Orthanc's JSON description of a patient, study, series or instance.
import { tagName } from "../dicom/dictionary.ts";
import { type Level, LEVELS, MAIN_TAGS } from "../dicom/levels.ts";
import { formatTag } from "../dicom/tag.ts";
import type { JsonObject, JsonValue, TagsFormat } from "../dicom/tags-json.ts";
import type { Resource } from "../server/model.ts";
import { ContentType, Metadata } from "../server/model.ts";
import type { RestDependencies } from "./context.ts";

/** Main tags in the format asked for (?full, ?short, or names by default). */
function tagsObject(tags: Map<number, string>, level: Level, format: TagsFormat): JsonObject {
  const out: JsonObject = {};
  for (const tag of MAIN_TAGS[level]) {
    const value = tags.get(tag);
    if (value === undefined) continue;
    if (format === "full") {
      out[formatTag(tag)] = { Name: tagName(tag), Type: "String", Value: value };
    } else out[format === "short" ? formatTag(tag) : tagName(tag)] = value;
  }
  return out;
}

function seriesStatus(
  deps: RestDependencies,
  series: Resource,
  expected: number | undefined,
): string {
  if (expected === undefined || !Number.isInteger(expected) || expected < 0) return "Unknown";
  const seen = new Set<number>();
  for (const child of deps.core.resources.children(series.internalId)) {
    const index = deps.core.resources.metadata(child.internalId).get(Metadata.IndexInSeries);
    if (index === undefined || !/^\s*\d+\s*$/.test(index)) return "Unknown";
    const n = Number(index);
    if (!Number.isInteger(n) || n < 1 || n > expected || seen.has(n)) return "Inconsistent";
    seen.add(n);
  }
  return seen.size === expected ? "Complete" : "Missing";
}

export function resourceJson(
  deps: RestDependencies,
  r: Resource,
  format: TagsFormat = "simplify",
): JsonObject {
  const resources = deps.core.resources;
  const tags = resources.mainTags(r.internalId);
  const metadata = resources.metadata(r.internalId);
  const out: JsonObject = {
    ID: r.publicId,
    Type: r.level,
    MainDicomTags: tagsObject(tags, r.level, format),
    // Orthanc 1.12 describes every level with its labels (sorted).
    Labels: resources.labelsOf(r.internalId),
  };
  const children = () => resources.children(r.internalId).map((c) => c.publicId);
  const parent =
    () => (r.parentId === null ? null : resources.byInternalId(r.parentId)?.publicId ?? null);
  if (r.level !== "Instance") {
    out.IsStable = deps.stability.isStable(r.publicId);
    out.LastUpdate = metadata.get(Metadata.LastUpdate) ?? null;
  }
  switch (r.level) {
    case "Patient":
      out.Studies = children();
      break;
    case "Study":
      out.ParentPatient = parent();
      out.PatientMainDicomTags = tagsObject(tags, "Patient", format);
      out.Series = children();
      break;
    case "Series": {
      const expectedText = metadata.get(Metadata.ExpectedNumberOfInstances);
      const expected = expectedText === undefined ? undefined : Number(expectedText);
      out.ParentStudy = parent();
      out.Instances = children();
      out.ExpectedNumberOfInstances = expected ?? null;
      out.Status = seriesStatus(deps, r, expected);
      break;
    }
    case "Instance": {
      const file = resources.attachment(r.internalId, ContentType.Dicom);
      const indexInSeries = metadata.get(Metadata.IndexInSeries);
      out.ParentSeries = parent();
      out.FileSize = file?.uncompressedSize ?? 0;
      out.FileUuid = file?.uuid ?? null;
      out.IndexInSeries = indexInSeries !== undefined && /^\s*-?\d+\s*$/.test(indexInSeries)
        ? Number(indexInSeries)
        : null;
      break;
    }
  }
  return out;
}

/** The instance Orthanc reads for a resource: the first child at each level down. */
export function firstInstance(deps: RestDependencies, r: Resource): Resource | undefined {
  let current: Resource | undefined = r;
  while (current && current.level !== "Instance") {
    current = deps.core.resources.children(current.internalId)[0];
  }
  return current;
}

/** Resources of `level` below (or above) `from`, in index order. */
export function relatives(deps: RestDependencies, from: Resource, level: Level): Resource[] {
  const resources = deps.core.resources;
  const fromRank = LEVELS.indexOf(from.level);
  const toRank = LEVELS.indexOf(level);
  if (toRank < fromRank) {
    let current: Resource | undefined = from;
    while (current && current.level !== level) {
      current = current.parentId === null ? undefined : resources.byInternalId(current.parentId);
    }
    return current ? [current] : [];
  }
  // Orthanc prepends each parent's children to the next layer, which reverses the order of
  // the parents at each level below the first; clients see that order, so keep it.
  let layer = [from];
  for (let rank = fromRank; rank < toRank; rank++) {
    let next: Resource[] = [];
    for (const parent of layer) next = resources.children(parent.internalId).concat(next);
    layer = next;
  }
  return layer;
}

export type { JsonValue };
