// The answer of POST /dicom-web/servers/{id}/qido: the remote's DICOM JSON, each tag with its
// group, element, name and first value, as the plugin simplifies it (numbers and sequences
// without a value).
import { tagName } from "../../dicom/dictionary.ts";
import { parseTagText } from "../../dicom/tag.ts";
import type { JsonObject, JsonValue } from "../../dicom/tags-json.ts";

/** The first value, when the plugin shows it: a string, or a person name's alphabetic form. */
function firstValue(values: JsonValue[]): string | undefined {
  const first = values[0];
  if (typeof first === "string") return first;
  if (first && typeof first === "object" && !Array.isArray(first)) {
    return typeof first.Alphabetic === "string" ? first.Alphabetic : undefined;
  }
  return undefined;
}

function simplifiedDataset(dataset: JsonValue): JsonObject {
  const out: JsonObject = {};
  if (!dataset || typeof dataset !== "object" || Array.isArray(dataset)) return out;
  for (const [key, element] of Object.entries(dataset)) {
    const tag = parseTagText(key);
    if (tag === undefined || !element || typeof element !== "object" || Array.isArray(element)) {
      continue;
    }
    const vr = typeof element.vr === "string" ? element.vr : "UN";
    const entry: JsonObject = {
      Element: tag & 0xffff,
      Group: tag >>> 16,
      Name: tagName(tag),
      vr,
    };
    const value = Array.isArray(element.Value) ? firstValue(element.Value) : undefined;
    if (value !== undefined) entry.Value = value;
    out[key] = entry;
  }
  return out;
}

/** The remote's QIDO-RS answer (an array of datasets) in the plugin's simplified form. */
export function simplifiedQido(answer: JsonValue): JsonValue {
  return Array.isArray(answer) ? answer.map(simplifiedDataset) : simplifiedDataset(answer);
}
