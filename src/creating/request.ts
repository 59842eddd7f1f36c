// A /tools/create-dicom request (also a plugin's CreateDicom) read from its JSON: the tags, the
// Parent, the Content (one payload, or a list making a series), and the options, checked as
// Orthanc 1.10.1 checks them; then the files it makes, built by instance.ts.
import { tagName } from "../dicom/dictionary.ts";
import { type Tag, Tags } from "../dicom/tag.ts";
import type { JsonValue } from "../dicom/tags-json.ts";
import { generateUid } from "../dicom/uid.ts";
import { readPayload } from "./content.ts";
import { CreateError } from "./errors.ts";
import { buildInstance, type InstanceSpec } from "./instance.ts";
import { type Inheritance, moduleTags, type ParentLevel } from "./modules.ts";
import { type NewTag, readTags } from "./tags.ts";

type JsonObject = { [key: string]: JsonValue };

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** One element of a Content list: a data URI, or an object with its own Content and Tags. */
interface SeriesItem {
  content: string;
  tags: NewTag[];
}

export interface CreateRequest {
  /**
   * Orthanc's first form: the body is the tags, with no "Tags" member; no dates, no charset, no
   * check of the identifiers.
   */
  legacy: boolean;
  tags: NewTag[];
  parent?: string;
  content?: string | SeriesItem[];
  force: boolean;
  interpretBinaryTags: boolean;
  /** Whether a JPEG is kept compressed (Orthanc 1.12.7's Encapsulate) rather than decoded. */
  encapsulate: boolean;
  privateCreator?: string;
}

function flag(body: JsonObject, name: string, fallback: boolean): boolean {
  const value = body[name];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new CreateError("BadRequest");
  return value;
}

function seriesItem(value: JsonValue): SeriesItem {
  if (typeof value === "string") return { content: value, tags: [] };
  if (isObject(value) && typeof value.Content === "string") {
    return { content: value.Content, tags: value.Tags === undefined ? [] : readTags(value.Tags) };
  }
  if (isObject(value)) throw new CreateError("UnknownResource");
  throw new CreateError("CreateDicomUseDataUriScheme");
}

export function readCreateRequest(body: JsonValue): CreateRequest {
  if (!isObject(body)) throw new CreateError("BadRequest");
  if (body.Tags === undefined) {
    return {
      legacy: true,
      tags: readTags(body),
      force: false,
      interpretBinaryTags: true,
      encapsulate: false,
    };
  }
  const request: CreateRequest = {
    legacy: false,
    tags: readTags(body.Tags),
    force: flag(body, "Force", false),
    interpretBinaryTags: flag(body, "InterpretBinaryTags", true),
    encapsulate: flag(body, "Encapsulate", false),
  };
  if (body.PrivateCreator !== undefined) {
    if (typeof body.PrivateCreator !== "string") throw new CreateError("BadRequest");
    request.privateCreator = body.PrivateCreator;
  }
  if (body.Parent !== undefined) {
    // Orthanc looks a Parent that is not a string up as an id, which it never is.
    request.parent = typeof body.Parent === "string" ? body.Parent : "";
  }
  const content = body.Content;
  if (content !== undefined) {
    if (typeof content === "string") request.content = content;
    else if (Array.isArray(content)) request.content = content.map(seriesItem);
    else throw new CreateError("CreateDicomUseDataUriScheme");
  }
  return request;
}

const FORCED: readonly Tag[] = [Tags.StudyInstanceUid, Tags.SeriesInstanceUid, Tags.SopInstanceUid];

/**
 * Refuses, as Orthanc does, the identifiers of the study, series and instance without Force,
 * any attribute the parent gives (its modules), and a tag given twice.
 */
export function checkTags(request: CreateRequest, parentLevel?: ParentLevel): void {
  // The legacy form is checked for nothing.
  if (request.legacy) return;
  const inherited = parentLevel ? moduleTags(parentLevel) : new Set<Tag>();
  const seen = new Set<Tag>();
  for (const { tag } of request.tags) {
    // A tag given twice (by name and by number) is refused as an override too.
    if ((!request.force && FORCED.includes(tag)) || inherited.has(tag) || seen.has(tag)) {
      throw new CreateError("CreateDicomOverrideTag", tagName(tag));
    }
    seen.add(tag);
  }
}

export interface BuildContext {
  /** The server's default character set (DefaultEncoding). */
  charset: string;
  inheritance?: Inheritance;
  now: Date;
}

/** The files of a request: one instance, or a series when Content is a list. */
export function buildFiles(
  request: CreateRequest,
  context: BuildContext,
): { series: boolean; files: Uint8Array[] } {
  const inherited = context.inheritance?.tags ?? [];
  const base: InstanceSpec = {
    tags: [...inherited, ...request.tags],
    charset: context.inheritance?.charset ?? context.charset,
    interpretBinaryTags: request.interpretBinaryTags,
    legacy: request.legacy,
    generateIdentifiers: true,
    ...(request.legacy ? {} : { now: context.now }),
    ...(request.privateCreator === undefined ? {} : { privateCreator: request.privateCreator }),
  };
  const content = request.content;
  if (!Array.isArray(content)) {
    const payload = content === undefined ? undefined : readPayload(content, request.encapsulate);
    return { series: false, files: [buildInstance({ ...base, ...(payload ? { payload } : {}) })] };
  }
  const ids = {
    patientId: crypto.randomUUID(),
    studyUid: generateUid("study"),
    seriesUid: generateUid("series"),
  };
  const count = String(content.length);
  const files = content.map((item, i) => {
    try {
      const position = [
        { tag: 0x00200013, value: String(i + 1) },
        { tag: 0x00200105, value: "1" },
        { tag: 0x00201002, value: count },
        { tag: 0x00541330, value: String(i + 1) },
      ];
      return buildInstance({
        ...base,
        tags: [...base.tags, ...item.tags, ...position],
        payload: readPayload(item.content, request.encapsulate),
        ids,
      });
    } catch (e) {
      if (i === 0 && e instanceof CreateError) throw new CreateError("UnknownResource");
      throw e;
    }
  });
  return { series: true, files };
}
