// DICOM JSON answers (application/dicom+json) with the keys of every object in byte order, as
// the plugin's JsonCpp writes them ("Value" before "vr").
import type { DicomJsonDataset } from "../dicom/dicom-json.ts";

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = (value as Record<string, unknown>)[key];
  return out;
}

export const DICOM_JSON = "application/dicom+json";

export function dicomJsonResponse(
  value: DicomJsonDataset | DicomJsonDataset[],
  status = 200,
): Response {
  return new Response(JSON.stringify(value, sortedKeys), {
    status,
    headers: { "Content-Type": DICOM_JSON },
  });
}
