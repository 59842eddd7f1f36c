// The C-FIND service at the patient, study, series and instance levels: the identifier becomes a
// query for the query engine (server/find.ts), and each match an answer with the attributes the
// identifier asked for, as Orthanc answers them. FindProvider is the service's interface, which
// the worklist service implements too.
import type { Configuration } from "../../config/schema.ts";
import type { Encoding } from "../../dicom/charsets.ts";
import { textDecoding } from "../../dicom/charsets.ts";
import { type Level, levelIndex, LEVELS, MAIN_TAGS } from "../../dicom/levels.ts";
import {
  type DicomDataset,
  elementBytes,
  findElement,
  latin1,
  parseDicom,
} from "../../dicom/parser.ts";
import { type Tag, tagElement, Tags } from "../../dicom/tag.ts";
import { elementText } from "../../dicom/values.ts";
import { decodingOf } from "../../dicom/summary.ts";
import type { Resource } from "../../server/model.ts";
import type { PharosCore } from "../../server/core.ts";
import { OrthancError } from "../../server/errors.ts";
import { matcherFor } from "../../server/find.ts";
import { type Element, encodeDataset, parseIdentifier, textElement } from "../codec.ts";
import { levelOfQr } from "../instances.ts";
import { Status } from "../status.ts";
import type { AssociationInfo, FindAnswer, Identifier } from "../types.ts";

export interface FindProvider {
  /** Answers are datasets encoded in the identifier's transfer syntax. */
  find(association: AssociationInfo, identifier: Identifier): Promise<FindAnswer>;
}

/** C-FIND answered from the index, with Orthanc's limits and matching options. */
export function findService(
  core: PharosCore,
  config: Pick<
    Configuration,
    "DicomAet" | "LimitFindResults" | "LimitFindInstances" | "CaseSensitivePN"
  >,
): FindProvider {
  return {
    find(_association, identifier) {
      let query;
      try {
        query = readIdentifier(
          parseIdentifier(identifier.bytes, identifier.transferSyntax),
          core.defaultEncoding,
        );
      } catch {
        query = undefined;
      }
      if (!query) return Promise.resolve({ status: Status.UnableToProcess, answers: [] });
      return answerFind(core, query, identifier.transferSyntax, {
        defaultEncoding: core.defaultEncoding,
        retrieveAet: config.DicomAet,
        limitResults: config.LimitFindResults,
        limitInstances: config.LimitFindInstances,
        caseSensitivePN: config.CaseSensitivePN,
      }).catch((error) => {
        // A constraint Orthanc refuses (a wildcard on a UID or a date…) fails the C-FIND.
        if (error instanceof OrthancError) return { status: Status.UnableToProcess, answers: [] };
        throw error;
      });
    },
  };
}

const QUERY_RETRIEVE_LEVEL = 0x00080052;
const RETRIEVE_AE_TITLE = 0x00080054;
const MODALITIES_IN_STUDY = 0x00080061;
const SOP_CLASSES_IN_STUDY = 0x00080062;
const MODALITY = 0x00080060;
const COUNTS: Record<number, { level: Level; below: Level }> = {
  0x00201200: { level: "Patient", below: "Study" },
  0x00201202: { level: "Patient", below: "Series" },
  0x00201204: { level: "Patient", below: "Instance" },
  0x00201206: { level: "Study", below: "Series" },
  0x00201208: { level: "Study", below: "Instance" },
  0x00201209: { level: "Series", below: "Instance" },
};
const PN_TAGS_VR = "PN";

const CHARSET_OF: Partial<Record<Encoding, string>> = {
  Latin1: "ISO_IR 100",
  Utf8: "ISO_IR 192",
};

/** Encodes answer text in DefaultEncoding when Pharos can (Latin1, Ascii), else in UTF-8. */
function answerEncoding(encoding: Encoding): { charset?: string; utf8: boolean } {
  if (encoding === "Latin1") return { charset: CHARSET_OF.Latin1, utf8: false };
  if (encoding === "Ascii") return { utf8: false };
  return { charset: "ISO_IR 192", utf8: true };
}

export interface FindQuery {
  level: Level;
  levelText: string;
  /** Requested attributes in the identifier's order, with their VR. */
  requested: { tag: Tag; vr: string }[];
  /** Non-empty constraints. */
  constraints: Map<Tag, { value: string; vr: string }>;
}

/** Reads a C-FIND identifier; undefined when it has no valid QueryRetrieveLevel. */
export function readIdentifier(dataset: DicomDataset, fallback: Encoding): FindQuery | undefined {
  const cs = findElement(dataset, Tags.SpecificCharacterSet);
  const decoding = textDecoding(
    cs ? latin1(elementBytes(dataset, cs)).split("\\") : undefined,
    fallback,
  );
  const levelElement = findElement(dataset, QUERY_RETRIEVE_LEVEL);
  const levelText = levelElement ? (elementText(dataset, levelElement, decoding) ?? "") : "";
  const level = levelOfQr(levelText);
  if (!level) return undefined;
  const requested: FindQuery["requested"] = [];
  const constraints = new Map<Tag, { value: string; vr: string }>();
  for (const e of dataset.elements) {
    if (e.tag === Tags.SpecificCharacterSet || e.tag === QUERY_RETRIEVE_LEVEL) continue;
    if (tagElement(e.tag) === 0) continue;
    requested.push({ tag: e.tag, vr: e.vr });
    if (e.items) continue;
    const value = elementText(dataset, e, decoding);
    // "*" is no universal match in Orthanc: it needs the tag, and UIDs or dates refuse it.
    if (value !== undefined && value !== "") {
      constraints.set(e.tag, { value, vr: e.vr });
    }
  }
  return { level, levelText: levelText.trim(), requested, constraints };
}

function ancestorsAndSelf(core: PharosCore, resource: Resource): Map<Level, Resource> {
  const out = new Map<Level, Resource>();
  let r: Resource | undefined = resource;
  while (r) {
    out.set(r.level, r);
    r = r.parentId === null ? undefined : core.resources.byInternalId(r.parentId);
  }
  return out;
}

function descendants(core: PharosCore, resource: Resource, level: Level): Resource[] {
  let current = [resource];
  for (let i = levelIndex(resource.level); i < levelIndex(level); i++) {
    current = current.flatMap((r) => core.resources.children(r.internalId));
  }
  return current;
}

/** Main tags of a resource and of its ancestors. */
function tagsOf(core: PharosCore, chain: Map<Level, Resource>): Map<Tag, string> {
  const tags = new Map<Tag, string>();
  for (const level of LEVELS) {
    const r = chain.get(level);
    if (r) {
      for (const [tag, value] of core.resources.mainTags(r.internalId)) tags.set(tag, value);
    }
  }
  return tags;
}

function modalitiesInStudy(core: PharosCore, study: Resource): string[] {
  const set = new Set<string>();
  for (const s of core.resources.children(study.internalId)) {
    const m = core.resources.mainTags(s.internalId).get(MODALITY);
    if (m) set.add(m);
  }
  return [...set];
}

interface FindOptions {
  defaultEncoding: Encoding;
  retrieveAet: string;
  limitResults: number;
  limitInstances: number;
  caseSensitivePN: boolean;
}

/** Answers a C-FIND: the datasets (in `transferSyntax`) and the final status. */
async function answerFind(
  core: PharosCore,
  query: FindQuery,
  transferSyntax: string,
  options: FindOptions,
): Promise<FindAnswer> {
  const engineQuery = new Map<Tag, string>();
  const postFilters: ((chain: Map<Level, Resource>, tags: Map<Tag, string>) => boolean)[] = [];
  const fileFilters: { tag: Tag; match: (value: string | undefined) => boolean }[] = [];
  const pnTags = new Set(
    [...query.constraints].filter(([, c]) => c.vr === PN_TAGS_VR).map(([tag]) => tag),
  );
  for (const [tag, { value, vr }] of query.constraints) {
    if (tag === MODALITIES_IN_STUDY && query.level === "Study") {
      const match = matcherFor(MODALITY, value, true);
      if (match) {
        postFilters.push((chain) =>
          modalitiesInStudy(core, chain.get("Study")!).some((m) => match(m))
        );
      }
      continue;
    }
    const indexed = LEVELS.slice(0, levelIndex(query.level) + 1).some((l) =>
      MAIN_TAGS[l].includes(tag)
    );
    // Orthanc checks the other constraints in the files: here, in each candidate's first instance.
    if (!indexed) {
      const match = value === "*"
        ? (found: string | undefined) => found !== undefined
        : matcherFor(tag, value, !(vr === PN_TAGS_VR && !options.caseSensitivePN));
      if (match) fileFilters.push({ tag, match });
      continue;
    }
    engineQuery.set(tag, value);
  }
  const candidates = core.finder.find({
    level: query.level,
    query: engineQuery,
    // Names match case-insensitively unless CaseSensitivePN, in the index like everything else.
    caseSensitive: (tag) => !(pnTags.has(tag) && !options.caseSensitivePN),
    since: 0,
  });
  const limit = query.level === "Instance" ? options.limitInstances : options.limitResults;
  const { charset, utf8 } = answerEncoding(options.defaultEncoding);
  const answers: Uint8Array[] = [];
  let complete = true;
  for (const resource of candidates) {
    const chain = ancestorsAndSelf(core, resource);
    const tags = tagsOf(core, chain);
    if (!postFilters.every((f) => f(chain, tags))) continue;
    if (
      fileFilters.length > 0 &&
      !(await matchesInFile(core, resource, fileFilters, options.defaultEncoding))
    ) {
      continue;
    }
    if (limit > 0 && answers.length >= limit) {
      complete = false;
      break;
    }
    answers.push(await answerOf(core, query, chain, tags, transferSyntax, charset, utf8, options));
  }
  return { status: complete ? Status.Success : Status.Cancel, answers };
}

async function matchesInFile(
  core: PharosCore,
  resource: Resource,
  filters: { tag: Tag; match: (value: string | undefined) => boolean }[],
  defaultEncoding: Encoding,
): Promise<boolean> {
  let instance: Resource | undefined = resource;
  while (instance && instance.level !== "Instance") {
    instance = core.resources.children(instance.internalId)[0];
  }
  if (!instance) return false;
  const parsed = parseDicom(await core.dicomBytes(instance));
  const decoding = decodingOf(parsed, defaultEncoding);
  return filters.every(({ tag, match }) => {
    const e = findElement(parsed.dataset, tag);
    return match(e ? elementText(parsed.dataset, e, decoding) : undefined);
  });
}

async function answerOf(
  core: PharosCore,
  query: FindQuery,
  chain: Map<Level, Resource>,
  tags: Map<Tag, string>,
  transferSyntax: string,
  charset: string | undefined,
  utf8: boolean,
  options: FindOptions,
): Promise<Uint8Array> {
  const elements: Element[] = [];
  if (charset) elements.push(textElement(Tags.SpecificCharacterSet, "CS", charset));
  elements.push(textElement(QUERY_RETRIEVE_LEVEL, "CS", query.levelText));
  elements.push(textElement(RETRIEVE_AE_TITLE, "AE", options.retrieveAet));
  let file: {
    dataset: DicomDataset;
    decode: (e: DicomDataset["elements"][number]) => string | undefined;
  } | undefined;
  for (const { tag, vr } of query.requested) {
    if (tag === RETRIEVE_AE_TITLE) continue;
    if (vr === "SQ") {
      elements.push({ tag, vr, value: new Uint8Array(0) });
      continue;
    }
    let value = tags.get(tag);
    const count = COUNTS[tag];
    if (count && chain.has(count.level)) {
      value = String(descendants(core, chain.get(count.level)!, count.below).length);
    } else if (tag === MODALITIES_IN_STUDY && chain.has("Study")) {
      value = modalitiesInStudy(core, chain.get("Study")!).join("\\");
    } else if (tag === SOP_CLASSES_IN_STUDY && chain.has("Study")) {
      const set = new Set<string>();
      for (const i of descendants(core, chain.get("Study")!, "Instance")) {
        const v = core.resources.metadata(i.internalId).get(10);
        if (v) set.add(v);
      }
      value = [...set].join("\\");
    } else if (value === undefined && query.level === "Instance") {
      // Attributes the index does not keep are read from the instance's file.
      if (!file) {
        const parsed = parseDicom(await core.dicomBytes(chain.get("Instance")!));
        const cs = findElement(parsed.dataset, Tags.SpecificCharacterSet);
        const decoding = textDecoding(
          cs ? latin1(elementBytes(parsed.dataset, cs)).split("\\") : undefined,
          options.defaultEncoding,
        );
        file = { dataset: parsed.dataset, decode: (e) => elementText(parsed.dataset, e, decoding) };
      }
      const e = findElement(file.dataset, tag);
      value = e ? file.decode(e) : undefined;
    }
    elements.push(textElement(tag, vr, value ?? "", utf8));
  }
  // One element per tag: a repeated key keeps its first answer.
  const unique = new Map<Tag, Element>();
  for (const e of elements) if (!unique.has(e.tag)) unique.set(e.tag, e);
  return encodeDataset([...unique.values()], transferSyntax);
}
