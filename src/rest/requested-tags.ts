// "RequestedTags" of resource answers (Orthanc 1.11+): main tags from the index, computed tags
// (counts, ModalitiesInStudy, …) from the index, and any other tag from one instance's file.
import { tagName } from "../dicom/dictionary.ts";
import { type Level, levelIndex, MAIN_TAGS } from "../dicom/levels.ts";
import { findElement } from "../dicom/parser.ts";
import { formatTag, makeTag, type Tag } from "../dicom/tag.ts";
import { resolveTag } from "../dicom/dictionary.ts";
import type { JsonObject, TagsFormat } from "../dicom/tags-json.ts";
import { elementText } from "../dicom/values.ts";
import type { Resource } from "../server/model.ts";
import { Metadata } from "../server/model.ts";
import { OrthancError } from "../server/errors.ts";
import type { RestDependencies } from "./context.ts";
import { readInstance } from "./instance-data.ts";
import { firstInstance, relatives } from "./resource-json.ts";

const t = makeTag;
type Computed = (deps: RestDependencies, r: Resource) => string | undefined;

const count = (below: Level): Computed => (deps, r) => {
  if (levelIndex(below) <= levelIndex(r.level)) return undefined;
  return String(deps.core.resources.subtreeStatistics(r.internalId).counts.get(below) ?? 0);
};

const distinct = (
  values: (string | undefined)[],
) => [...new Set(values.filter((v) => v !== undefined && v !== ""))];

/** Orthanc's computed tags and the levels that answer them. */
const COMPUTED = new Map<Tag, Computed>([
  [t(0x0020, 0x1200), count("Study")], // NumberOfPatientRelatedStudies
  [t(0x0020, 0x1202), count("Series")], // NumberOfPatientRelatedSeries
  [t(0x0020, 0x1204), count("Instance")], // NumberOfPatientRelatedInstances
  [t(0x0020, 0x1206), count("Series")], // NumberOfStudyRelatedSeries
  [t(0x0020, 0x1208), count("Instance")], // NumberOfStudyRelatedInstances
  [t(0x0020, 0x1209), count("Instance")], // NumberOfSeriesRelatedInstances
  [t(0x0008, 0x0061), (deps, r) =>
    // ModalitiesInStudy
    r.level !== "Study" ? undefined : distinct(
      relatives(deps, r, "Series").map((s) =>
        deps.core.resources.mainTags(s.internalId).get(t(0x0008, 0x0060))
      ),
    ).sort().join("\\")],
  [t(0x0008, 0x0062), (deps, r) =>
    // SOPClassesInStudy
    r.level !== "Study" ? undefined : distinct(
      relatives(deps, r, "Instance").map((i) =>
        deps.core.resources.metadata(i.internalId).get(Metadata.SopClassUid)
      ),
    ).sort().join("\\")],
  [t(0x0008, 0x0056), () => "ONLINE"], // InstanceAvailability
]);

/** Resolves "PatientName", "0010,0010" or "00100010"; Orthanc's error for anything else. */
export function parseTagName(name: string): Tag {
  const tag = resolveTag(name.trim());
  if (tag === undefined) throw new OrthancError("UnknownDicomTag");
  return tag;
}

/** The requested-tags argument of GET routes: names separated by ";". */
export function requestedTagsArgument(text: string | undefined): Tag[] | undefined {
  if (text === undefined) return undefined;
  return text.split(";").filter((s) => s.trim() !== "").map(parseTagName);
}

export async function requestedTags(
  deps: RestDependencies,
  r: Resource,
  tags: Tag[],
  format: TagsFormat,
): Promise<JsonObject> {
  const values = new Map<Tag, string | null>();
  const own = deps.core.resources.mainTags(r.internalId);
  const missing: Tag[] = [];
  for (const tag of tags) {
    const computed = COMPUTED.get(tag)?.(deps, r);
    if (computed !== undefined) values.set(tag, computed);
    else if (own.has(tag)) values.set(tag, own.get(tag)!);
    else if (ancestorHolds(r.level, tag)) values.set(tag, ancestorTag(deps, r, tag));
    else missing.push(tag);
  }
  if (missing.length > 0) {
    // Orthanc reads such tags in one instance of the resource.
    const instance = firstInstance(deps, r);
    if (instance) {
      const { parsed, decoding } = await readInstance(deps, instance);
      for (const tag of missing) {
        const e = findElement(parsed.dataset, tag);
        if (e) values.set(tag, elementText(parsed.dataset, e, decoding) ?? null);
      }
    }
  }
  const out: JsonObject = {};
  for (const tag of tags) {
    if (!values.has(tag)) continue;
    const value = values.get(tag)!;
    if (format === "full") {
      out[formatTag(tag)] = {
        Name: tagName(tag),
        Type: value === null ? "Null" : "String",
        Value: value,
      };
    } else out[format === "short" ? formatTag(tag) : tagName(tag)] = value;
  }
  return out;
}

function ancestorHolds(level: Level, tag: Tag): boolean {
  for (let i = levelIndex(level) - 1; i >= 0; i--) {
    if (MAIN_TAGS[(["Patient", "Study", "Series", "Instance"] as const)[i]!].includes(tag)) {
      return true;
    }
  }
  return false;
}

function ancestorTag(deps: RestDependencies, r: Resource, tag: Tag): string | null {
  let current: Resource | undefined = r;
  while (current && current.parentId !== null) {
    current = deps.core.resources.byInternalId(current.parentId);
    const value = current ? deps.core.resources.mainTags(current.internalId).get(tag) : undefined;
    if (value !== undefined) return value;
  }
  return null;
}
