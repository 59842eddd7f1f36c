// Orthanc's JSON renderings of a dataset: full (/tags), short (?short) and simplified (?simplify).
import type { TextDecoding } from "./charsets.ts";
import { tagName } from "./dictionary.ts";
import type { DicomDataset, DicomElement } from "./parser.ts";
import { formatTag } from "./tag.ts";
import { elementText, isTooLong } from "./values.ts";

export type TagsFormat = "full" | "short" | "simplify";

export type JsonValue = string | number | boolean | null | JsonValue[] | {
  [key: string]: JsonValue;
};
export type JsonObject = { [key: string]: JsonValue };

type Rendered =
  | { type: "Sequence"; value: JsonValue[] }
  | { type: "String"; value: string }
  | { type: "Null" | "TooLong"; value: null };

function renderValue(
  dataset: DicomDataset,
  e: DicomElement,
  decoding: TextDecoding,
  format: TagsFormat,
): Rendered {
  if (e.items) {
    return {
      type: "Sequence",
      value: e.items.map((item) => datasetToJson(item, decoding, format)),
    };
  }
  const text = elementText(dataset, e, decoding);
  if (text === undefined) return { type: "Null", value: null };
  if (isTooLong(dataset, e, decoding)) return { type: "TooLong", value: null };
  return { type: "String", value: text };
}

function keyOf(e: DicomElement, format: TagsFormat): string {
  return format === "simplify" ? tagName(e.tag, e.privateCreator) : formatTag(e.tag);
}

export function datasetToJson(
  dataset: DicomDataset,
  decoding: TextDecoding,
  format: TagsFormat,
  accept: (e: DicomElement) => boolean = () => true,
): JsonObject {
  const out: JsonObject = {};
  for (const e of dataset.elements) {
    // DCMTK drops the dataset trailing padding when it reads a file.
    if (e.tag === 0xfffcfffc || !accept(e)) continue;
    const { type, value } = renderValue(dataset, e, decoding, format);
    if (format === "full") {
      const entry: JsonObject = {
        Name: tagName(e.tag, e.privateCreator),
        Type: type,
        Value: value,
      };
      // Orthanc names the creator of private leaf elements only, not of private sequences.
      if (e.privateCreator !== undefined && !e.items) entry.PrivateCreator = e.privateCreator;
      out[formatTag(e.tag)] = entry;
    } else {
      out[keyOf(e, format)] = value;
    }
  }
  return out;
}

/** Converts full-format JSON (as stored or computed) to the other formats. */
export function reformatFullJson(full: JsonObject, format: TagsFormat): JsonObject {
  if (format === "full") return full;
  const out: JsonObject = {};
  for (const [key, entry] of Object.entries(full)) {
    const { Name, Value } = entry as { Name: string; Value: JsonValue };
    const value = Array.isArray(Value)
      ? Value.map((item) => reformatFullJson(item as JsonObject, format))
      : Value;
    out[format === "simplify" ? Name : key] = value;
  }
  return out;
}
