// The identifiers Pharos sends as SCU, built from Orthanc's JSON queries (C-FIND at a level,
// worklist C-FIND with sequences, C-MOVE/C-GET keys), and the answers read back into Orthanc's
// JSON. Encoding only: the associations are client.ts's.
import { textDecoding } from "../dicom/charsets.ts";
import type { Encoding } from "../dicom/charsets.ts";
import { tagFromName } from "../dicom/dictionary.ts";
import type { Level } from "../dicom/levels.ts";
import { elementBytes, findElement, latin1 } from "../dicom/parser.ts";
import { parseTagText, type Tag, Tags } from "../dicom/tag.ts";
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

const QUERY_RETRIEVE_LEVEL = 0x00080052;

/** The identifiers Orthanc adds to a query at each level (as empty keys), checked on 1.10.1. */
const NORMALIZED: Record<Level, Tag[]> = {
  Patient: [Tags.PatientId],
  Study: [Tags.PatientId, 0x00080050, Tags.StudyInstanceUid],
  Series: [Tags.PatientId, Tags.StudyInstanceUid, Tags.SeriesInstanceUid],
  Instance: [Tags.PatientId, Tags.StudyInstanceUid, Tags.SeriesInstanceUid, Tags.SopInstanceUid],
};

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

/** A C-FIND identifier for a JSON query ({"PatientName": "A*", "0020,000d": ""}). */
export function findIdentifier(
  level: Level,
  query: Record<string, unknown>,
  normalize = true,
): (transferSyntax: string) => Uint8Array {
  const values = new Map<Tag, string>();
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== "string") {
      throw new OrthancError("BadRequest", `The value of "${key}" in a query must be a string`);
    }
    values.set(tagOf(key), value);
  }
  if (normalize) { for (const tag of NORMALIZED[level]) if (!values.has(tag)) values.set(tag, ""); }
  // Pharos sends non-ASCII values in UTF-8, and says so.
  const utf8 = [...values.values()].some((v) => [...v].some((ch) => ch.charCodeAt(0) > 0x7f));
  const elements: Element[] = [textElement(QUERY_RETRIEVE_LEVEL, "CS", QR_LEVEL[level])];
  if (utf8) elements.push(textElement(Tags.SpecificCharacterSet, "CS", "ISO_IR 192"));
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
