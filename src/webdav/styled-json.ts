// JsonCpp's Value::toStyledString() (JsonCpp 1.9, as Orthanc 1.10.1 links it), which Orthanc
// uses for the study.json / series.json files of its WebDAV share: tab indentation, " : " after
// keys, a nested object or array on the line below its key, every array one value a line, keys in
// byte order, and non-ASCII characters escaped as \uXXXX.
import type { JsonValue } from "../dicom/tags-json.ts";

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function quote(text: string): string {
  return JSON.stringify(text).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const isNested = (value: JsonValue) =>
  value !== null && typeof value === "object" && Object.keys(value).length > 0;

function write(value: JsonValue, indent: string): string {
  if (value === null) return "null";
  if (typeof value === "string") return quote(value);
  if (typeof value !== "object") return String(value);
  const inner = `${indent}\t`;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + write(v, inner)).join(",\n")}\n${indent}]`;
  }
  const keys = Object.keys(value).sort(byteOrder);
  if (keys.length === 0) return "{}";
  const members = keys.map((key) => {
    const member = value[key]!;
    const separator = isNested(member) ? ` : \n${inner}` : " : ";
    return `${inner}${quote(key)}${separator}${write(member, inner)}`;
  });
  return `{\n${members.join(",\n")}\n${indent}}`;
}

export function styledJson(value: JsonValue): string {
  return `${write(value, "")}\n`;
}
