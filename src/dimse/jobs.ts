// The SCU operations that run as jobs (/modalities/{id}/store, move, get and
// /queries/{id}/retrieve): Orthanc's DicomModalityStore, DicomMoveScu and DicomGetScu, stepped as
// Orthanc's SetOfInstancesJob is, so that ConcurrentJobs, priorities, pause and cancel apply to
// them: a store sends one batch of instances per step (one association, `instanceBatches`), a
// retrieve runs one query per step. A store's batches start at one instance and grow while the
// peer answers fast, up to about STEP_MS of sending: to a slow peer, a pause or cancel takes
// effect after the instance under way, as in Orthanc (one instance per step), and a fast peer is
// not slowed by an association per instance. A job is built from JSON parameters and serializes
// them with how far it got; a store job moves and is saved at each instance the peer acknowledged,
// so that after a crash SaveJobs goes on without sending again what was sent.
import type { Level } from "../dicom/levels.ts";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import type { PharosCore } from "../server/core.ts";
import type { Resource as Instance } from "../server/model.ts";
import { OrthancError } from "../server/errors.ts";
import type { Job, JobFactory, SteppedJob } from "../server/jobs.ts";
import { instanceBatches } from "./instances.ts";
import { earlyJobTargets, jobTargets } from "../server/job-targets.ts";
import { type Modality, parseModality } from "./modalities.ts";
import type { DicomNetwork } from "./network.ts";
import { getOn, moveOn, storeBatchTo, storeSucceeded } from "./client.ts";
import { parseLevel } from "./identifiers.ts";
import { NO_ANSWER } from "./store-transcoding.ts";
import type { DimseInstance } from "./types.ts";

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

/** The JSON parameters of a DICOM job, as the registry builds it from them. */
export const dicomJobParams = (params: StoreJobParams | RetrieveJobParams): JsonObject =>
  params as unknown as JsonObject;

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const strings = (value: JsonValue | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  }
  return out;
};

const count = (value: JsonValue | undefined): number =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : 0;

/** How long a store job's step should last, and the most instances it sends in one. */
const STEP_MS = 200;
const MAX_BATCH_COUNT = 64;

const percent = (done: number, total: number): number =>
  total > 0 ? Math.floor((100 * done) / total) : 0;

/** Builds the DICOM jobs from their parameters (or what they serialized). */
export function dicomJobFactory(core: PharosCore, network: DicomNetwork): JobFactory {
  return (type, json) => {
    const params = isObject(json) ? json : {};
    switch (type) {
      case "DicomModalityStore":
        return new StoreJob(core, network, params);
      case "DicomMoveScu": {
        const target = String(params.target ?? "");
        return new RetrieveJob(
          params,
          (modality, level, keys) => moveOn(network, modality, level, keys, target),
        );
      }
      case "DicomGetScu":
        return new RetrieveJob(params, async (modality, level, keys) => {
          const counts = await getOn(network, core, modality, level, keys);
          if (counts.failed > 0 && params.permissive !== true) {
            throw new OrthancError(
              "NetworkProtocol",
              `C-GET SCU to AET "${modality.AET}": ${counts.failed} sub-operation(s) failed`,
            );
          }
        });
      default:
        return undefined;
    }
  };
}

/**
 * C-STORE of local resources, a batch per step. The instances are resolved at the first step
 * and saved by id with the position, so that a restart sends exactly those not sent yet.
 */
class StoreJob implements SteppedJob {
  readonly savedAtEachMove = true;
  moved?: () => void;
  private readonly modality: Modality;
  private readonly moveOriginator?: { aet: string; messageId: number };
  private targets?: Instance[];
  private batches?: AsyncGenerator<DimseInstance[]>;
  private position: number;
  private failed: number;
  /** Instances in the next batch. */
  private batchCount = 1;

  constructor(
    private readonly core: PharosCore,
    private readonly network: DicomNetwork,
    private readonly params: JsonObject,
  ) {
    this.modality = parseModality(params.modality);
    this.moveOriginator = params.moveOriginator as StoreJobParams["moveOriginator"] | undefined;
    this.position = count(params.position);
    this.failed = count(params.failed);
    this.targets = earlyJobTargets(core, params);
  }

  async step(): Promise<"continue" | "success"> {
    const targets = this.targets ??= jobTargets(this.core, this.params);
    if (this.position < targets.length) {
      this.batches ??= instanceBatches(
        this.core,
        targets.slice(this.position),
        undefined,
        () => this.batchCount,
      );
      const next = await this.batches.next();
      if (!next.done) await this.send(next.value);
    }
    if (this.position < targets.length) return "continue";
    if (this.failed > 0 && this.params.permissive !== true) {
      throw new OrthancError(
        "NetworkProtocol",
        `Cannot send ${this.failed} instance(s) to modality "${this.modality.AET}"`,
      );
    }
    return "success";
  }

  private async send(batch: DimseInstance[]): Promise<void> {
    const start = this.position;
    const began = performance.now();
    // The leading instances of the batch the peer answered, counted as their answers come.
    let answered = 0;
    let statuses: number[];
    try {
      statuses = await storeBatchTo(
        this.network,
        this.modality,
        batch,
        this.moveOriginator,
        (status, index) => {
          if (status === NO_ANSWER || index !== answered) return;
          answered++;
          if (!storeSucceeded(status)) this.failed++;
          this.position = start + answered;
          this.moved?.();
        },
      );
    } catch (error) {
      // Permissive: Orthanc goes on past an instance it could not send at all (the peer cannot
      // be reached), without counting it among the failed ones, which the peer refused.
      if (this.params.permissive !== true) throw error;
      this.position = start + batch.length;
      return;
    }
    for (const status of statuses.slice(answered)) if (!storeSucceeded(status)) this.failed++;
    this.position = start + batch.length;
    const perInstance = (performance.now() - began) / batch.length;
    this.batchCount = Math.max(
      1,
      Math.min(MAX_BATCH_COUNT, 2 * batch.length, Math.floor(STEP_MS / perInstance)),
    );
  }

  async stop(): Promise<void> {
    // Paused or over: the instances loaded ahead are let go; a resume loads them again.
    await this.batches?.return(undefined);
    this.batches = undefined;
  }

  reset(): void {
    this.targets = undefined;
    this.batches = undefined;
    this.position = 0;
    this.failed = 0;
    this.batchCount = 1;
  }

  update(job: Job): void {
    if (!this.targets) return;
    job.progress = percent(this.position, this.targets.length);
    job.content.InstancesCount = this.targets.length;
    job.content.FailedInstancesCount = this.failed;
  }

  serialize(): JsonValue {
    const out: JsonObject = { ...this.params, position: this.position, failed: this.failed };
    if (this.targets) out.instances = this.targets.map((t) => t.publicId);
    return out;
  }
}

type Retrieve = (modality: Modality, level: Level, keys: Record<string, string>) => Promise<void>;

/** C-MOVE or C-GET of a list of queries, one per step. */
class RetrieveJob implements SteppedJob {
  private readonly modality: Modality;
  private readonly level: Level;
  private readonly queries: Record<string, string>[];
  private position: number;

  constructor(private readonly params: JsonObject, private readonly retrieve: Retrieve) {
    this.modality = parseModality(params.modality);
    this.level = parseLevel(params.level);
    this.queries = (Array.isArray(params.queries) ? params.queries : []).map(strings);
    this.position = count(params.position);
  }

  async step(): Promise<"continue" | "success"> {
    const keys = this.queries[this.position];
    if (keys) {
      await this.retrieve(this.modality, this.level, keys);
      this.position++;
    }
    return this.position < this.queries.length ? "continue" : "success";
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  reset(): void {
    this.position = 0;
  }

  update(job: Job): void {
    job.progress = percent(this.position, this.queries.length);
  }

  serialize(): JsonValue {
    return { ...this.params, position: this.position };
  }
}
