// STOW-RS (PS3.18 10.5): the DICOM parts of a multipart/related body are stored, and the answer
// lists the referenced (stored) and failed SOP instances, as Orthanc's DICOMweb plugin does: a
// part that is not DICOM makes it a 400, one of another study than the path's a 409.
import type { DicomJsonAttribute, DicomJsonDataset } from "../dicom/dicom-json.ts";
import { findElement, latin1, parseDicom } from "../dicom/parser.ts";
import { Tags } from "../dicom/tag.ts";
import type { RestDependencies } from "../rest/context.ts";
import { OrthancError } from "../server/errors.ts";
import type { RequestOrigin } from "../server/events.ts";
import { dicomJsonResponse } from "./json.ts";
import { mediaParameters, MultipartError, parseMultipart, type Part } from "./multipart.ts";
import { retrieveUrl, type WebBase } from "./urls.ts";

/** PS3.4's "Error: Cannot understand" and the "referenced study mismatch" of PS3.18. */
const PROCESSING_FAILURE = 0x0110;
const CANNOT_UNDERSTAND = 0xc000;

const text = (vr: string, value: string): DicomJsonAttribute => ({ vr, Value: [value] });

function uidOf(bytes: Uint8Array, tag: number): string | undefined {
  const parsed = parseDicom(bytes);
  const e = findElement(parsed.dataset, tag) ?? findElement(parsed.meta, tag);
  if (!e) return undefined;
  const { bytes: source } = parsed.dataset.source;
  return latin1(source.subarray(e.offset, e.offset + e.length)).replace(/[\0 ]+$/, "");
}

export async function stow(
  deps: RestDependencies,
  request: Request,
  study: string | undefined,
  base: WebBase,
  origin: RequestOrigin,
): Promise<Response> {
  const { type, params } = mediaParameters(request.headers.get("content-type") ?? "");
  const boundary = params.get("boundary");
  // The plugin wants the parts' type named, and it must be DICOM.
  if (
    type !== "multipart/related" || !boundary ||
    params.get("type")?.toLowerCase() !== "application/dicom"
  ) {
    throw new OrthancError("UnsupportedMediaType", "Unsupported media type");
  }
  const body = new Uint8Array(await request.arrayBuffer());
  let parts: Part[];
  try {
    parts = parseMultipart(body, boundary);
  } catch (error) {
    if (!(error instanceof MultipartError)) throw error;
    // The plugin finds no part in a body without its boundary, and answers an empty success; a
    // body cut short it reads as far as it can, silently: Pharos refuses it (PS3.18's 400).
    if (error.boundaryFound) throw new OrthancError("BadRequest", error.message);
    parts = [];
  }
  const referenced: DicomJsonDataset[] = [];
  const failed: DicomJsonDataset[] = [];
  let badPart = false;
  let storedStudy: string | undefined;
  for (const part of parts) {
    const partType = mediaParameters(part.contentType).type;
    if (partType !== "application/dicom" && partType !== "") {
      badPart = true;
      continue;
    }
    let sopClass: string | undefined;
    let sopInstance: string | undefined;
    let studyUid: string | undefined;
    try {
      sopClass = uidOf(part.body, Tags.SopClassUid);
      sopInstance = uidOf(part.body, Tags.SopInstanceUid);
      studyUid = uidOf(part.body, Tags.StudyInstanceUid);
    } catch {
      badPart = true;
      continue;
    }
    const reference: DicomJsonDataset = {};
    if (sopClass !== undefined) reference["00081150"] = text("UI", sopClass);
    if (sopInstance !== undefined) reference["00081155"] = text("UI", sopInstance);
    if (study !== undefined && studyUid !== study) {
      failed.push({ ...reference, "00081197": { vr: "US", Value: [PROCESSING_FAILURE] } });
      continue;
    }
    try {
      const result = await deps.core.store(new Uint8Array(part.body), origin);
      if (result.status === "FilteredOut") throw new OrthancError("BadRequest");
      const series = deps.core.resources.get(result.ids.series, "Series");
      const seriesUid = deps.core.resources.mainTags(series.internalId).get(Tags.SeriesInstanceUid);
      storedStudy ??= studyUid;
      reference["00081190"] = {
        vr: "UR",
        Value: [
          retrieveUrl(base, { study: studyUid!, series: seriesUid!, instance: sopInstance! }),
        ],
      };
      referenced.push(reference);
    } catch (error) {
      if (!(error instanceof OrthancError)) throw error;
      failed.push({ ...reference, "00081197": { vr: "US", Value: [CANNOT_UNDERSTAND] } });
    }
  }
  const answer: DicomJsonDataset = { "00080005": text("CS", "ISO_IR 100") };
  if (storedStudy !== undefined) {
    answer["00081190"] = text("UR", retrieveUrl(base, { study: storedStudy }));
  }
  answer["00081198"] = failed.length > 0 ? { vr: "SQ", Value: failed } : { vr: "SQ" };
  answer["00081199"] = referenced.length > 0 ? { vr: "SQ", Value: referenced } : { vr: "SQ" };
  // A part that is not DICOM is a bad request; instances refused, a conflict (PS3.18 10.5.3).
  return dicomJsonResponse(answer, badPart ? 400 : failed.length > 0 ? 409 : 200);
}
