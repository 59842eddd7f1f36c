// QIDO-RS (PS3.18 10.6): studies, series and instances at every hierarchy, answered as Orthanc's
// DICOMweb plugin does: the attributes of its default list per level, the matched keys and the
// included fields, read from one instance of each resource, then the counts it computes.
import { resolveTag } from "../dicom/dictionary.ts";
import { type DicomJsonDataset, jsonTag } from "../dicom/dicom-json.ts";
import { findElement } from "../dicom/parser.ts";
import type { Level } from "../dicom/levels.ts";
import { type Tag, Tags } from "../dicom/tag.ts";
import { elementText } from "../dicom/values.ts";
import type { RestDependencies } from "../rest/context.ts";
import { readInstance } from "../rest/instance-data.ts";
import { OrthancError } from "../server/errors.ts";
import type { Resource } from "../server/model.ts";
import { datasetAttributes } from "./attributes.ts";
import { dicomFileKey } from "./metadata-cache.ts";
import { retrieveUrl, type WebBase } from "./urls.ts";

const STUDY_TAGS = [
  0x00080005, // SpecificCharacterSet
  0x00080020, // StudyDate
  0x00080030, // StudyTime
  0x00080050, // AccessionNumber
  0x00080056, // InstanceAvailability
  0x00080090, // ReferringPhysicianName
  0x00080201, // TimezoneOffsetFromUTC
  0x00100010, // PatientName
  0x00100020, // PatientID
  0x00100030, // PatientBirthDate
  0x00100040, // PatientSex
  0x0020000d, // StudyInstanceUID
  0x00200010, // StudyID
];
const SERIES_TAGS = [
  0x00080060, // Modality
  0x0008103e, // SeriesDescription
  0x0020000e, // SeriesInstanceUID
  0x00200011, // SeriesNumber
  0x00400244, // PerformedProcedureStepStartDate
  0x00400245, // PerformedProcedureStepStartTime
];
const INSTANCE_TAGS = [
  0x00080016, // SOPClassUID
  0x00080018, // SOPInstanceUID
  0x00200013, // InstanceNumber
  0x00280008, // NumberOfFrames
  0x00280010, // Rows
  0x00280011, // Columns
  0x00280100, // BitsAllocated
];

const DEFAULT_TAGS: Record<QidoLevel, Tag[]> = {
  Study: STUDY_TAGS,
  Series: [...STUDY_TAGS, ...SERIES_TAGS],
  Instance: [...STUDY_TAGS, ...SERIES_TAGS, ...INSTANCE_TAGS],
};

const MODALITIES_IN_STUDY = 0x00080061;
const MODALITY = 0x00080060;

export type QidoLevel = Exclude<Level, "Patient">;

/** The query string of a QIDO-RS request, read. */
export interface QidoQuery {
  constraints: Map<Tag, string>;
  includes: Tag[];
  limit?: number;
  offset: number;
}

function count(name: string, text: string): number {
  if (!/^\d+$/.test(text)) {
    // The plugin's own answer to limit=abc (its 500 for a negative offset is not kept).
    throw new OrthancError("BadFileFormat", `Not an integer for "${name}": ${text}`);
  }
  return Number(text);
}

/** Reads the query string; an unknown attribute name or a bad number is a 400. */
export function qidoQuery(params: URLSearchParams): QidoQuery {
  const query: QidoQuery = { constraints: new Map(), includes: [], offset: 0 };
  for (const [key, value] of params) {
    switch (key.toLowerCase()) {
      case "limit":
        query.limit = count(key, value);
        continue;
      case "offset":
        query.offset = count(key, value);
        continue;
      // Orthanc's matching has no fuzzy form: the parameter is accepted and does not change it.
      case "fuzzymatching":
        continue;
      case "includefield":
        for (const name of value.split(",")) {
          if (name === "all") continue;
          const tag = resolveTag(name);
          if (tag === undefined) throw new OrthancError("BadRequest", `Unknown tag: ${name}`);
          query.includes.push(tag);
        }
        continue;
    }
    const tag = resolveTag(key);
    // The plugin ignores what it cannot read; PS3.18 makes it a 400, which a client can see.
    if (tag === undefined) throw new OrthancError("BadRequest", `Unknown tag: ${key}`);
    query.constraints.set(tag, value);
  }
  return query;
}

/** The first instance below a resource, as the one whose file gives the attributes. */
function firstInstance(deps: RestDependencies, r: Resource): Resource | undefined {
  let current: Resource | undefined = r;
  while (current && current.level !== "Instance") {
    current = deps.core.resources.children(current.internalId)[0];
  }
  return current;
}

/** Person names and other text are matched without case, as the plugin's finds. */
async function find(
  deps: RestDependencies,
  level: QidoLevel,
  query: QidoQuery,
): Promise<Resource[]> {
  const found = await deps.core.finder.findResources(
    {
      level,
      query: query.constraints,
      caseSensitive: false,
      since: 0,
      // The index stops at the last one asked for, rather than finding every match.
      limit: query.limit ? query.offset + query.limit : undefined,
    },
    async (r, tag) => {
      const instance = firstInstance(deps, r);
      if (!instance) return undefined;
      const { parsed, decoding } = await readInstance(deps, instance);
      const e = findElement(parsed.dataset, tag);
      return e ? elementText(parsed.dataset, e, decoding) : undefined;
    },
  );
  const start = Math.min(query.offset, found.length);
  const end = query.limit ? start + query.limit : found.length;
  return found.slice(start, end);
}

function ancestor(deps: RestDependencies, r: Resource, level: Level): Resource {
  let current = r;
  while (current.level !== level) current = deps.core.resources.parent(current)!;
  return current;
}

function computed(deps: RestDependencies, r: Resource, base: WebBase): DicomJsonDataset {
  const out: DicomJsonDataset = {};
  const resources = deps.core.resources;
  const uids = {
    study: resources.mainTags(ancestor(deps, r, "Study").internalId).get(Tags.StudyInstanceUid)!,
    series: r.level === "Study"
      ? undefined
      : resources.mainTags(ancestor(deps, r, "Series").internalId).get(Tags.SeriesInstanceUid),
    instance: r.level === "Instance"
      ? resources.mainTags(r.internalId).get(Tags.SopInstanceUid)
      : undefined,
  };
  out["00081190"] = { vr: "UR", Value: [retrieveUrl(base, uids)] };
  if (r.level === "Study") {
    const series = resources.children(r.internalId);
    const modalities = [
      ...new Set(series.map((s) => resources.mainTags(s.internalId).get(MODALITY) ?? "")),
    ].filter((m) => m !== "").sort();
    out[jsonTag(MODALITIES_IN_STUDY)] = modalities.length > 0
      ? { vr: "CS", Value: modalities }
      : { vr: "CS" };
    const instances = series.reduce((n, s) => n + resources.countChildren(s.internalId), 0);
    out["00201206"] = { vr: "IS", Value: [series.length] };
    out["00201208"] = { vr: "IS", Value: [instances] };
  } else if (r.level === "Series") {
    out["00201209"] = { vr: "IS", Value: [resources.countChildren(r.internalId)] };
  }
  return out;
}

const CACHE_CAPACITY = 50_000;

/**
 * The attributes read from the files for recent answers, by instance and list of tags: a viewer
 * paging through the studies or polling a worklist reads each file once. Keyed by the DICOM file
 * (metadata-cache.ts), an entry never goes stale; the counts are computed at each answer.
 */
export class QidoAttributeCache {
  private readonly entries = new Map<string, DicomJsonDataset>();

  async get(
    deps: RestDependencies,
    instance: Resource,
    wanted: Set<Tag>,
    wantedKey: string,
  ): Promise<DicomJsonDataset> {
    const key = `${dicomFileKey(deps, instance)} ${wantedKey}`;
    const known = this.entries.get(key);
    if (known) return known;
    const attributes = datasetAttributes(
      await readInstance(deps, instance),
      (tag) => wanted.has(tag),
    );
    // The plugin names the character set of its answer even when the file has none.
    attributes["00080005"] ??= { vr: "CS", Value: ["ISO_IR 100"] };
    this.entries.set(key, attributes);
    if (this.entries.size > CACHE_CAPACITY) this.entries.delete(this.entries.keys().next().value!);
    return attributes;
  }
}

/** The answer of one QIDO-RS request. */
export async function qido(
  deps: RestDependencies,
  level: QidoLevel,
  query: QidoQuery,
  base: WebBase,
  cache: QidoAttributeCache,
): Promise<DicomJsonDataset[]> {
  const wanted = new Set([...DEFAULT_TAGS[level], ...query.constraints.keys(), ...query.includes]);
  wanted.delete(MODALITIES_IN_STUDY);
  const wantedKey = [...wanted].sort((a, b) => a - b).join(",");
  const out: DicomJsonDataset[] = [];
  for (const r of await find(deps, level, query)) {
    const instance = firstInstance(deps, r);
    const attributes = instance
      ? await cache.get(deps, instance, wanted, wantedKey)
      : { "00080005": { vr: "CS", Value: ["ISO_IR 100"] } };
    // Keys are put in order when the answer is written (json.ts).
    out.push({ ...attributes, ...computed(deps, r, base) });
  }
  return out;
}
