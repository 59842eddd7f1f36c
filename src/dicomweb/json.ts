// DICOM JSON answers (application/dicom+json) with the keys of every object in byte order, as
// the plugin's JsonCpp writes them ("Value" before "vr"). Written by hand rather than through a
// JSON.stringify replacer, which costs three times as much on a large series' metadata.
import type { DicomJsonAttribute, DicomJsonDataset, DicomJsonValue } from "../dicom/dicom-json.ts";

export const DICOM_JSON = "application/dicom+json";

/** Printable ASCII without a quote or a backslash: written as it is between quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export function quoted(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

function valueText(value: DicomJsonValue): string {
  if (typeof value === "string") return quoted(value);
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  // A person name's groups (Alphabetic, Ideographic, Phonetic) are already in byte order.
  if ("Alphabetic" in value || "Ideographic" in value || "Phonetic" in value) {
    return JSON.stringify(value);
  }
  return datasetText(value as DicomJsonDataset);
}

export function attributeText(attribute: DicomJsonAttribute): string {
  let out = "{";
  if (attribute.BulkDataURI !== undefined) {
    out += `"BulkDataURI":${quoted(attribute.BulkDataURI)},`;
  }
  if (attribute.InlineBinary !== undefined) {
    out += `"InlineBinary":${JSON.stringify(attribute.InlineBinary)},`;
  }
  const values = attribute.Value;
  if (values !== undefined) {
    out += `"Value":[`;
    for (let i = 0; i < values.length; i++) out += (i > 0 ? "," : "") + valueText(values[i]!);
    out += "],";
  }
  return `${out}"vr":${quoted(attribute.vr)}}`;
}

/**
 * The keys in byte order. Object.keys lists the keys that read as array indexes ("20011001")
 * first, then the others as inserted: for a dataset written in tag order, two sorted runs to
 * merge (8 digits compare as numbers and as text alike); anything else is sorted.
 */
function orderedKeys(dataset: DicomJsonDataset): string[] {
  const keys = Object.keys(dataset);
  let split = -1;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! < keys[i]!) continue;
    if (split >= 0) return keys.sort();
    split = i;
  }
  if (split < 0) return keys;
  const out: string[] = new Array(keys.length);
  let a = 0;
  let b = split;
  for (let i = 0; i < out.length; i++) {
    out[i] = b >= keys.length || (a < split && keys[a]! < keys[b]!) ? keys[a++]! : keys[b++]!;
  }
  return out;
}

/** A dataset whose keys are 8 upper-case hex digits, in byte order. */
export function datasetText(dataset: DicomJsonDataset): string {
  const keys = orderedKeys(dataset);
  // Joined from an array rather than appended to: a string appended to a hundred times is a
  // deep rope, whose flattening (when the answer is put together) costs more than the writing.
  const parts: string[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    parts[i] = `"${keys[i]}":${attributeText(dataset[keys[i]!]!)}`;
  }
  return `{${parts.join(",")}}`;
}

export function dicomJsonTextResponse(text: string, status = 200): Response {
  return new Response(text, { status, headers: { "Content-Type": DICOM_JSON } });
}

export function dicomJsonResponse(
  value: DicomJsonDataset | DicomJsonDataset[],
  status = 200,
): Response {
  const text = Array.isArray(value) ? `[${value.map(datasetText).join(",")}]` : datasetText(value);
  return dicomJsonTextResponse(text, status);
}
