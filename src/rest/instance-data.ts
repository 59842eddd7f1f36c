// Reading a stored instance back for tag answers: parse once per request.
import type { TextDecoding } from "../dicom/charsets.ts";
import { type ParsedDicom, parseDicom } from "../dicom/parser.ts";
import { decodingOf } from "../dicom/summary.ts";
import { datasetToJson, type JsonObject, type TagsFormat } from "../dicom/tags-json.ts";
import type { Resource } from "../server/model.ts";
import { OrthancError } from "../server/errors.ts";
import type { RestDependencies } from "./context.ts";

export interface InstanceData {
  bytes: Uint8Array;
  parsed: ParsedDicom;
  decoding: TextDecoding;
}

export async function readInstance(
  deps: RestDependencies,
  instance: Resource,
): Promise<InstanceData> {
  const bytes = await deps.core.dicomBytes(instance);
  let parsed: ParsedDicom;
  try {
    parsed = parseDicom(bytes);
  } catch {
    throw new OrthancError("CorruptedFile");
  }
  return { bytes, parsed, decoding: decodingOf(parsed, deps.core.defaultEncoding) };
}

export async function instanceTags(
  deps: RestDependencies,
  instance: Resource,
  format: TagsFormat,
): Promise<JsonObject> {
  const { parsed, decoding } = await readInstance(deps, instance);
  return datasetToJson(parsed.dataset, decoding, format);
}

/** ?simplify / ?short / (default) full, as Orthanc reads them from the query string. */
export function tagsFormat(
  query: (name: string) => string | undefined,
  fallback: TagsFormat = "full",
): TagsFormat {
  if (query("simplify") !== undefined) return "simplify";
  if (query("short") !== undefined) return "short";
  return fallback;
}
