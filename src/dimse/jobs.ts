// The SCU operations that run as jobs (/modalities/{id}/store, move, get and
// /queries/{id}/retrieve): Orthanc's DicomModalityStore, DicomMoveScu and DicomGetScu. Each job is
// a JSON parameter object, so that SaveJobs can run it again after a restart.
import type { Level } from "../dicom/levels.ts";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import type { PharosCore } from "../server/core.ts";
import { OrthancError } from "../server/errors.ts";
import type { JobRegistry } from "../server/jobs.ts";
import { type Modality, parseModality } from "./modalities.ts";
import type { DicomNetwork } from "./network.ts";
import { getOn, moveOn, storeTo } from "./client.ts";
import { parseLevel } from "./identifiers.ts";

export interface StoreJobParams {
  modality: Modality;
  resources: string[];
  moveOriginator?: { aet: string; messageId: number };
  permissive: boolean;
}

/** A C-MOVE to `target`, or a C-GET (no target). */
export interface RetrieveJobParams {
  modality: Modality;
  level: Level;
  queries: Record<string, string>[];
  target?: string;
  permissive: boolean;
}

/** The JSON parameters of a DICOM job, as the registry keeps and saves them. */
export const dicomJobParams = (params: StoreJobParams | RetrieveJobParams): JsonObject =>
  params as unknown as JsonObject;

const strings = (value: JsonValue | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  }
  return out;
};

const queriesOf = (params: JsonObject) =>
  (Array.isArray(params.queries) ? params.queries : []).map(strings);

/** Defines the runners of the DICOM jobs on the server's registry (once per server). */
export function defineDicomJobs(jobs: JobRegistry, core: PharosCore, network: DicomNetwork): void {
  jobs.define("DicomModalityStore", async (params, job) => {
    const modality = parseModality(params.modality);
    const resources = (Array.isArray(params.resources) ? params.resources : []).map((id) => {
      const r = typeof id === "string" ? core.resources.lookup(id) : undefined;
      if (!r) throw new OrthancError("UnknownResource", `Unknown resource: ${String(id)}`);
      return r;
    });
    const originator = params.moveOriginator as StoreJobParams["moveOriginator"] | undefined;
    const result = await storeTo(network, core, modality, resources, {
      moveOriginator: originator,
      progress: (done, total) => (job.progress = Math.floor((100 * done) / total)),
    });
    job.content.InstancesCount = result.total;
    job.content.FailedInstancesCount = result.failed;
    if (result.failed > 0 && params.permissive !== true) {
      throw new OrthancError(
        "NetworkProtocol",
        `Cannot send ${result.failed} instance(s) to modality "${modality.AET}"`,
      );
    }
  });
  jobs.define("DicomMoveScu", async (params, job) => {
    const modality = parseModality(params.modality);
    const level = parseLevel(params.level);
    const queries = queriesOf(params);
    const target = String(params.target ?? "");
    let done = 0;
    for (const keys of queries) {
      await moveOn(network, modality, level, keys, target);
      job.progress = Math.floor((100 * ++done) / queries.length);
    }
  });
  jobs.define("DicomGetScu", async (params, job) => {
    const modality = parseModality(params.modality);
    const level = parseLevel(params.level);
    const queries = queriesOf(params);
    let done = 0;
    for (const keys of queries) {
      const counts = await getOn(network, core, modality, level, keys);
      if (counts.failed > 0 && params.permissive !== true) {
        throw new OrthancError(
          "NetworkProtocol",
          `C-GET SCU to AET "${modality.AET}": ${counts.failed} sub-operation(s) failed`,
        );
      }
      job.progress = Math.floor((100 * ++done) / queries.length);
    }
  });
}
