// JsonCpp's Value::toStyledString() (JsonCpp 1.9, as Orthanc 1.10.1 links it), which Orthanc
// uses for the DICOM JSON of /instances/{id}/file and the study.json / series.json files of its
// WebDAV share: tab indentation, " : " after keys, a nested object or array on the line below its
// key, every array one value a line, keys in byte order, non-ASCII characters escaped as \uXXXX,
// doubles with 17 significant digits.
import { formatDouble } from "../dicom/values.ts";

/** A JSON value; members that are undefined are left out, as JSON.stringify does. */
export type StyledValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly StyledValue[]
  | { readonly [key: string]: StyledValue };

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function quote(text: string): string {
  return JSON.stringify(text).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A whole number within 2^53 is written as JsonCpp writes its integers; any other number as its
 * doubles ("%.17g", ".0" added to keep it a double, and no JSON for non-finite values).
 */
function number(value: number): string {
  if (Number.isNaN(value)) return "null";
  if (!Number.isFinite(value)) return value < 0 ? "-1e+9999" : "1e+9999";
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 53) return String(value);
  const text = formatDouble(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

const isNested = (value: StyledValue) =>
  value !== null && typeof value === "object" && entries(value).length > 0;

function entries(value: object): [string, StyledValue][] {
  if (Array.isArray(value)) return value.map((v, i) => [String(i), v]);
  return Object.entries(value as { [key: string]: StyledValue }).filter(([, v]) => v !== undefined);
}

function write(value: StyledValue, indent: string): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return quote(value);
  if (typeof value === "number") return number(value);
  if (typeof value !== "object") return String(value);
  const inner = `${indent}\t`;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + write(v, inner)).join(",\n")}\n${indent}]`;
  }
  const members = entries(value).sort(([a], [b]) => byteOrder(a, b));
  if (members.length === 0) return "{}";
  const lines = members.map(([key, member]) => {
    const separator = isNested(member) ? ` : \n${inner}` : " : ";
    return `${inner}${quote(key)}${separator}${write(member, inner)}`;
  });
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

export function styledJson(value: StyledValue): string {
  return `${write(value, "")}\n`;
}
