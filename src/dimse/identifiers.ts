// The identifiers Pharos sends as SCU, built from Orthanc's JSON queries (C-FIND at a level,
// worklist C-FIND with sequences, C-MOVE/C-GET keys), and the answers read back into Orthanc's
// JSON. Encoding only: the associations are client.ts's.
import { textDecoding } from "../dicom/charsets.ts";
import type { Encoding } from "../dicom/charsets.ts";
import { tagFromName } from "../dicom/dictionary.ts";
import type { Level } from "../dicom/levels.ts";
import { elementBytes, findElement, latin1 } from "../dicom/parser.ts";
import { formatTag, parseTagText, type Tag, Tags } from "../dicom/tag.ts";
import { datasetToJson, type JsonObject, type TagsFormat } from "../dicom/tags-json.ts";
import { OrthancError } from "../server/errors.ts";
import {
  type Element,
  encodeDataset,
  parseIdentifier,
  sequenceElement,
  textElement,
  vrOf,
} from "./codec.ts";
import { QR_LEVEL } from "./instances.ts";
import { ALLOWED_QUERY_TAGS, EXPECTED_QUERY_KEYS } from "./query-keys.ts";

const QUERY_RETRIEVE_LEVEL = 0x00080052;

export function parseLevel(text: unknown): Level {
  if (typeof text === "string") {
    switch (text.toLowerCase()) {
      case "patient":
        return "Patient";
      case "study":
        return "Study";
      case "series":
        return "Series";
      case "instance":
      case "image":
        return "Instance";
    }
  }
  throw new OrthancError("ParameterOutOfRange", `Unknown resource level: ${String(text)}`);
}

export function tagOf(key: string): Tag {
  const tag = parseTagText(key) ?? tagFromName(key);
  if (tag === undefined) throw new OrthancError("UnknownDicomTag", `Unknown DICOM tag: "${key}"`);
  return tag;
}

/** How Orthanc shapes a C-FIND it sends: normalization, and the modality's manufacturer. */
export interface FindOptions {
  /** Keep only the tags of the level's modules, and apply the manufacturer's fixes. */
  normalize: boolean;
  /** The modality's Manufacturer (GE asks "*" for the added keys, two others drop some "*"). */
  manufacturer: string;
  /** DefaultEncoding: the query is written in it. */
  encoding: Encoding;
}

/** The values of a JSON query by tag (keys by name or "gggg,eeee"), in the query's order. */
export function queryValues(query: Record<string, unknown>): Map<Tag, string> {
  const values = new Map<Tag, string>();
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== "string") {
      throw new OrthancError("BadRequest", `The value of "${key}" in a query must be a string`);
    }
    values.set(tagOf(key), value);
  }
  return values;
}

/** The manufacturer fixes of a normalized query: some "*" become "" (Orthanc's issue 31). */
function manufacturerFix(values: Map<Tag, string>, manufacturer: string): void {
  for (const [tag, value] of values) {
    if (value !== "*") continue;
    if (
      manufacturer === "GenericNoUniversalWildcard" ||
      (manufacturer === "GenericNoWildcardInDates" && vrOf(tag) === "DA")
    ) values.set(tag, "");
  }
}

/** A C-FIND identifier for a JSON query ({"PatientName": "A*", "0020,000d": ""}). */
export function findIdentifier(
  level: Level,
  query: Record<string, unknown>,
  options: FindOptions,
): (transferSyntax: string) => Uint8Array {
  let values = queryValues(query);
  if (options.normalize) {
    values = new Map([...values].filter(([tag]) => ALLOWED_QUERY_TAGS[level].has(tag)));
    manufacturerFix(values, options.manufacturer);
  }
  values.delete(Tags.SpecificCharacterSet);
  values.delete(QUERY_RETRIEVE_LEVEL);
  const universal = options.manufacturer === "GE" ? "*" : "";
  for (const tag of EXPECTED_QUERY_KEYS[level]) if (!values.has(tag)) values.set(tag, universal);
  return identifierOf(level, values, options.encoding);
}

/** A C-MOVE identifier: the level and the given keys, with the manufacturer's fixes. */
export function moveIdentifier(
  level: Level,
  keys: Record<string, string>,
  options: Pick<FindOptions, "manufacturer" | "encoding">,
): (transferSyntax: string) => Uint8Array {
  const values = queryValues(keys);
  manufacturerFix(values, options.manufacturer);
  return identifierOf(level, values, options.encoding);
}

/**
 * The identifier of a query, written as Orthanc writes it: in DefaultEncoding (Latin-1 unless
 * configured) with its SpecificCharacterSet; text Latin-1 cannot hold goes in UTF-8.
 */
function identifierOf(
  level: Level,
  values: Map<Tag, string>,
  encoding: Encoding,
): (transferSyntax: string) => Uint8Array {
  const text = [...values.values()].join("");
  const latin1 = encoding === "Latin1" && [...text].every((ch) => ch.charCodeAt(0) <= 0xff);
  const ascii = [...text].every((ch) => ch.charCodeAt(0) <= 0x7f);
  const charset = latin1 ? "ISO_IR 100" : encoding === "Ascii" && ascii ? undefined : "ISO_IR 192";
  const utf8 = charset === "ISO_IR 192";
  const elements: Element[] = [textElement(QUERY_RETRIEVE_LEVEL, "CS", QR_LEVEL[level])];
  if (charset) elements.push(textElement(Tags.SpecificCharacterSet, "CS", charset));
  for (const [tag, value] of values) elements.push(textElement(tag, vrOf(tag), value, utf8));
  return (ts) => encodeDataset(elements, ts);
}

type QueryElement = Element & { items?: QueryElement[][] };

function queryElements(query: Record<string, unknown>, utf8: boolean): QueryElement[] {
  const out: QueryElement[] = [];
  for (const [key, value] of Object.entries(query)) {
    const tag: Tag = tagOf(key);
    if (Array.isArray(value)) {
      const items = value.map((item) => {
        if (!item || typeof item !== "object" || Array.isArray(item)) {
          throw new OrthancError("BadRequest", `The items of "${key}" must be JSON objects`);
        }
        return queryElements(item as Record<string, unknown>, utf8);
      });
      out.push({ tag, vr: "SQ", value: new Uint8Array(0), items });
    } else if (typeof value === "string") {
      out.push(textElement(tag, vrOf(tag), value, utf8));
    } else {
      throw new OrthancError("BadRequest", `The value of "${key}" in a query must be a string`);
    }
  }
  return out;
}

function hasNonAscii(value: unknown): boolean {
  if (typeof value === "string") return [...value].some((ch) => ch.charCodeAt(0) > 0x7f);
  if (Array.isArray(value)) return value.some(hasNonAscii);
  if (value && typeof value === "object") return Object.values(value).some(hasNonAscii);
  return false;
}

/** A query element as encoded in `transferSyntax`, its items too. */
function encodedElement(e: QueryElement, transferSyntax: string): Element {
  if (!e.items) return e;
  const items = e.items.map((item) => item.map((i) => encodedElement(i, transferSyntax)));
  return sequenceElement(e.tag, items, transferSyntax);
}

/** The identifier of a worklist C-FIND for a JSON query (sequences as arrays of objects). */
export function worklistIdentifier(
  query: Record<string, unknown>,
): (transferSyntax: string) => Uint8Array {
  const utf8 = hasNonAscii(query);
  const elements = queryElements(query, utf8);
  if (utf8) elements.push(textElement(Tags.SpecificCharacterSet, "CS", "ISO_IR 192"));
  return (ts) => encodeDataset(elements.map((e) => encodedElement(e, ts)), ts);
}

/** An answer of a remote C-FIND in Orthanc's JSON, decoded with its SpecificCharacterSet. */
export function answerJson(
  answer: { bytes: Uint8Array; transferSyntax: string },
  defaultEncoding: Encoding,
  format: TagsFormat = "full",
): JsonObject {
  const dataset = parseIdentifier(answer.bytes, answer.transferSyntax);
  const cs = findElement(dataset, Tags.SpecificCharacterSet);
  const decoding = textDecoding(
    cs ? latin1(elementBytes(dataset, cs)).split("\\") : undefined,
    defaultEncoding,
  );
  return datasetToJson(dataset, decoding, format);
}

/** The meta header entries Orthanc gives a C-FIND answer: its SOP class and instance UIDs. */
const ANSWER_META: [Tag, Tag, string][] = [
  [0x00020002, 0x00080016, "MediaStorageSOPClassUID"],
  [0x00020003, Tags.SopInstanceUid, "MediaStorageSOPInstanceUID"],
];

/**
 * A remote C-FIND answer as Orthanc keeps it (full format): Orthanc turns each answer into a
 * DICOM file, whose meta header repeats the answer's SOP class and instance UIDs.
 */
export function findAnswerJson(
  answer: { bytes: Uint8Array; transferSyntax: string },
  defaultEncoding: Encoding,
): JsonObject {
  const json = answerJson(answer, defaultEncoding);
  const meta: JsonObject = {};
  for (const [metaTag, tag, name] of ANSWER_META) {
    const value = (json[formatTag(tag)] as { Value?: unknown } | undefined)?.Value;
    if (typeof value === "string" && value !== "") {
      meta[formatTag(metaTag)] = { Name: name, Type: "String", Value: value };
    }
  }
  return { ...meta, ...json };
}
