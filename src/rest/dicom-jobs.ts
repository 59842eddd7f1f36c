// The DICOM network's jobs as the REST API starts them (/modalities/{id}/store, move, get and
// /queries/{id}/retrieve): synchronous requests wait for the job and answer its content.
import type { JsonObject } from "../dicom/tags-json.ts";
import { dicomJobParams, type RetrieveJobParams, type StoreJobParams } from "../dimse/jobs.ts";
import type { RestDependencies } from "./context.ts";
import { jsonResponse } from "./json.ts";

/** Starts a DICOM job, answering its content (Synchronous) or its id. */
export async function runAsJob(
  deps: RestDependencies,
  type: "DicomModalityStore" | "DicomMoveScu" | "DicomGetScu",
  synchronous: boolean,
  content: JsonObject,
  params: StoreJobParams | RetrieveJobParams,
): Promise<Response> {
  const job = deps.jobs.start(type, dicomJobParams(params), content);
  if (!synchronous) return jsonResponse({ ID: job.id, Path: `/jobs/${job.id}` });
  return jsonResponse(await deps.jobs.wait(job));
}
