// Orthanc's JSON answers: keys in byte order at every depth (JsonCpp keeps objects in a
// std::map), indented with three spaces.
import type { JsonValue } from "../dicom/tags-json.ts";

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    out[key] = sortKeys(value[key]!);
  }
  return out;
}

export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

export function orthancJsonText(value: JsonValue): string {
  return `${JSON.stringify(sortKeys(value), null, 3)}\n`;
}

export function jsonResponse(
  value: JsonValue,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(orthancJsonText(value), {
    status,
    headers: { "Content-Type": JSON_CONTENT_TYPE, ...headers },
  });
}

export function textResponse(text: string, contentType = "text/plain"): Response {
  return new Response(text, { headers: { "Content-Type": contentType } });
}
