// The jobs registry behind /jobs, with Orthanc's job JSON. Every job is run step by step, as
// Orthanc's jobs engine does: queued by priority, at most `concurrency` at a time, yielding to the
// event loop between steps, and paused, resumed or canceled between two steps. A job is built
// from its type and JSON parameters by the factories added to the registry (the built-in DICOM
// jobs, the plugins' unserializers): the same JSON starts a job and rebuilds a saved one.
// `serialize` and `restore` are Orthanc's SaveJobs (src/server/jobs-saving.ts writes them).
import { z } from "zod";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { log } from "../log.ts";
import { ErrorCodes, type ErrorName, OrthancError } from "./errors.ts";
import { isoNow } from "./time.ts";

export type JobState = "Pending" | "Running" | "Success" | "Failure" | "Paused";

/** Why a stepped job stops (OrthancPluginJobStopReason). */
/** A job submitted, or finished. */
export interface JobEvent {
  id: string;
  kind: "submitted" | "success" | "failure";
}

export type JobStopReason = "Success" | "Paused" | "Failure" | "Canceled";

/**
 * Something a job produced that is fetched apart from its JSON, at GET /jobs/{id}/{key} (Orthanc's
 * "archive" of an archive or media job). It lives as long as the job stays in the history, or
 * until DELETE /jobs/{id}/{key}.
 */
export interface JobOutput {
  contentType: string;
  /** The name it is saved under (Content-Disposition), if it has one. */
  filename?: string;
  /** Its content (a temporary file is read only when sent). */
  body(): Blob | Uint8Array;
  /** Lets go of what holds it (a temporary file): it is no longer reachable. */
  dispose?(): void;
}

/** A job run step by step; its methods must not throw (callers guard them). */
export interface SteppedJob {
  /** One step: continue, or finish; a throw fails the job with the error's code. */
  step(): Promise<"continue" | "success" | "failure">;
  /** After the last step, or when paused or canceled between two steps. */
  stop(reason: JobStopReason): Promise<void>;
  /** Refreshes `job.progress` and `job.content` (after each step). */
  update(job: Job): void;
  /** What rebuilds the job after a restart, or undefined if it cannot be saved. */
  serialize(): JsonValue | undefined;
  /** Back to its start, for a resubmission (Orthanc's Reset); a job without it cannot be. */
  reset?(): void;
  /**
   * What it does cannot be done twice harmlessly (instances sent to a peer): SaveJobs then writes
   * where it is each time it moves, rather than every 10 seconds, so that a restart after a crash
   * does not do again what was done.
   */
  readonly savedAtEachMove?: boolean;
  /** What it produced, by key; read once it succeeded. */
  readonly outputs?: Map<string, JobOutput>;
  /**
   * Set by the registry while the job runs: the job calls it when it moved within a step (one
   * more instance sent), so that its progress and SaveJobs follow.
   */
  moved?: () => void;
}

/**
 * Builds a job of a type from its JSON (its parameters, or what its `serialize()` answered), or
 * answers undefined when the type is not its own; may throw on JSON it cannot use.
 */
export type JobFactory = (type: string, serialized: JsonValue) => SteppedJob | undefined;

export interface Job {
  readonly id: string;
  readonly type: string;
  readonly priority: number;
  state: JobState;
  progress: number;
  content: JsonObject;
  errorCode: number;
  errorDescription: string;
  errorDetails: string;
  readonly creationTime: string;
  completionTime?: string;
  runtimeMs: number;
  timestamp: string;
  /** Settles when the job is over (never rejects). */
  done: Promise<void>;
  readonly stepped: SteppedJob;
  /** A pause or cancel asked while the job runs, applied after the current step. */
  request?: "pause" | "cancel";
}

const jsonObject = z.record(z.string(), z.unknown()).transform((o) => o as JsonObject);

/** One job as saved in the database (a value of `serialize().Jobs`), checked when read back. */
const SavedJob = z.object({
  ID: z.string().min(1),
  Type: z.string().min(1),
  Priority: z.number().int(),
  State: z.enum(["Pending", "Running", "Success", "Failure", "Paused"]),
  Progress: z.number(),
  Content: jsonObject,
  ErrorCode: z.number().int(),
  ErrorDescription: z.string(),
  ErrorDetails: z.string(),
  CreationTime: z.string(),
  CompletionTime: z.string().optional(),
  RuntimeMs: z.number(),
  Serialized: z.unknown().optional(),
  // What registries saved before built-in jobs were stepped: their parameters, same JSON.
  Params: jsonObject.optional(),
});
type SavedJob = Omit<z.infer<typeof SavedJob>, "Serialized" | "Params"> & {
  Serialized?: JsonValue;
};

function fractionalNow(): string {
  const now = new Date();
  return `${isoNow(now)}.${String(now.getUTCMilliseconds()).padStart(3, "0")}000`;
}

/** What a job restored finished holds: it never runs again. */
const FINISHED: SteppedJob = {
  step: () => Promise.resolve("success"),
  stop: () => Promise.resolve(),
  update: () => {},
  serialize: () => undefined,
};

const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** What a job is made of when it is submitted. */
export interface NewJob {
  type: string;
  stepped: SteppedJob;
  priority?: number;
  /** The content shown until the job's first update (a plugin job replaces it). */
  content?: JsonObject;
  /** Kept when a saved job is restored. */
  id?: string;
}

function newJob({ type, stepped, priority = 0, content = {}, id }: NewJob): Job {
  return {
    id: id ?? crypto.randomUUID(),
    type,
    priority,
    stepped,
    state: "Pending",
    progress: 0,
    content,
    errorCode: 0,
    errorDescription: "Success",
    errorDetails: "",
    creationTime: fractionalNow(),
    runtimeMs: 0,
    timestamp: fractionalNow(),
    done: Promise.resolve(),
  };
}

export class JobRegistry {
  private readonly jobs = new Map<string, Job>();
  /**
   * @param concurrency stepped jobs run at once at most (Orthanc's ConcurrentJobs, 0: one per
   *   core)
   * @param historySize finished jobs kept (Orthanc's JobsHistorySize)
   */
  constructor(private readonly concurrency = 2, private readonly historySize = 10) {}
  /** Called when a job is submitted, changes state, or moves and asks to be saved at each move (SaveJobs). */
  onChange?: (what: "submitted" | "changed" | "moved") => void;
  private readonly listeners: ((event: JobEvent) => void)[] = [];
  private readonly factories: JobFactory[] = [];
  private readonly pending: Job[] = [];
  private running = 0;
  private readonly finishers = new Map<string, () => void>();

  /** Follows submissions and completions (Lua's OnJobSubmitted, OnJobSuccess, OnJobFailure). */
  addListener(listener: (event: JobEvent) => void): void {
    this.listeners.push(listener);
  }

  private tell(event: JobEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        log.error(`A job listener failed: ${(error as Error).message}`);
      }
    }
  }

  /** Adds a way to build jobs; the first factory that knows a type builds its jobs. */
  addFactory(factory: JobFactory): void {
    this.factories.push(factory);
  }

  private build(type: string, serialized: JsonValue): SteppedJob | undefined {
    for (const factory of this.factories) {
      const stepped = factory(type, serialized);
      if (stepped) return stepped;
    }
    return undefined;
  }

  /** Builds a job of a type from its JSON parameters and queues it. */
  start(type: string, params: JsonValue, content: JsonObject = {}, priority = 0): Job {
    const stepped = this.build(type, params);
    if (!stepped) throw new OrthancError("InternalError", `No factory for jobs of type ${type}`);
    return this.submit({ type, stepped, priority, content });
  }

  /** Queues a job already built (a plugin's OrthancPluginSubmitJob); it starts Pending. */
  submit(spec: NewJob): Job {
    const job = newJob(spec);
    const { promise, resolve } = Promise.withResolvers<void>();
    job.done = promise;
    this.finishers.set(job.id, resolve);
    job.stepped.update(job);
    this.jobs.set(job.id, job);
    this.enqueue(job);
    this.onChange?.("submitted");
    this.tell({ id: job.id, kind: "submitted" });
    return job;
  }

  /**
   * The registry as saved by SaveJobs: finished jobs as records, the others with what they
   * serialize (a job that cannot be saved is left out).
   */
  serialize(): JsonObject {
    const jobs: JsonObject = {};
    for (const job of this.jobs.values()) {
      const saved: SavedJob = {
        ID: job.id,
        Type: job.type,
        Priority: job.priority,
        State: job.state,
        Progress: job.progress,
        Content: job.content,
        ErrorCode: job.errorCode,
        ErrorDescription: job.errorDescription,
        ErrorDetails: job.errorDetails,
        CreationTime: job.creationTime,
        RuntimeMs: job.runtimeMs,
      };
      if (job.completionTime) saved.CompletionTime = job.completionTime;
      else {
        const serialized = job.stepped.serialize();
        if (serialized === undefined || serialized === null) continue;
        saved.Serialized = serialized;
      }
      jobs[job.id] = saved as JsonObject;
    }
    return { Jobs: jobs };
  }

  /**
   * Reloads a saved registry: finished jobs come back in the history, unfinished ones are
   * rebuilt by the factories and queued again (a paused one stays paused). A job nobody can
   * rebuild is logged and left out.
   */
  restore(saved: JsonValue): void {
    const jobs = isObject(saved) && isObject(saved.Jobs) ? saved.Jobs : {};
    for (const value of Object.values(jobs)) {
      const parsed = SavedJob.safeParse(value);
      if (!parsed.success) {
        log.warning("A saved job is damaged: it is left out");
        continue;
      }
      const s = parsed.data;
      if (this.jobs.has(s.ID)) continue;
      const common = { type: s.Type, priority: s.Priority, content: s.Content, id: s.ID };
      if (s.State === "Success" || s.State === "Failure") {
        const job = newJob({ ...common, stepped: FINISHED });
        Object.assign(job, {
          creationTime: s.CreationTime,
          completionTime: s.CompletionTime ?? fractionalNow(),
          state: s.State,
          progress: s.Progress,
          errorCode: s.ErrorCode,
          errorDescription: s.ErrorDescription,
          errorDetails: s.ErrorDetails,
          runtimeMs: s.RuntimeMs,
        });
        job.timestamp = job.completionTime!;
        this.jobs.set(job.id, job);
        continue;
      }
      const stepped = this.rebuild(s.Type, (s.Serialized ?? s.Params) as JsonValue | undefined);
      if (!stepped) {
        log.warning(`Cannot reload the saved job ${s.ID} of type ${s.Type}: no unserializer`);
        continue;
      }
      const job = this.submit({ ...common, stepped });
      Object.assign(job, { creationTime: s.CreationTime, runtimeMs: s.RuntimeMs });
      if (s.State === "Paused") this.pause(job.id);
    }
    this.trim();
  }

  private rebuild(type: string, serialized: JsonValue | undefined): SteppedJob | undefined {
    if (serialized === undefined) return undefined;
    try {
      return this.build(type, serialized);
    } catch (error) {
      log.warning(`A saved job of type ${type} cannot be rebuilt: ${String(error)}`);
      return undefined;
    }
  }

  private enqueue(job: Job): void {
    job.state = "Pending";
    // Higher priority first; first come, first served within a priority.
    const at = this.pending.findIndex((j) => j.priority < job.priority);
    if (at < 0) this.pending.push(job);
    else this.pending.splice(at, 0, job);
    setTimeout(() => this.schedule(), 0);
  }

  private schedule(): void {
    const limit = this.concurrency > 0 ? this.concurrency : navigator.hardwareConcurrency;
    while (this.running < limit && this.pending.length > 0) {
      const job = this.pending.shift()!;
      this.running++;
      void this.run(job).finally(() => {
        this.running--;
        this.schedule();
      });
    }
  }

  private async run(job: Job): Promise<void> {
    const { stepped } = job;
    job.state = "Running";
    job.timestamp = fractionalNow();
    const started = performance.now();
    const moved = () => {
      stepped.update(job);
      job.timestamp = fractionalNow();
      if (stepped.savedAtEachMove) this.onChange?.("moved");
    };
    stepped.moved = moved;
    let reason: JobStopReason | undefined;
    try {
      while (reason === undefined) {
        if (job.request === "cancel") {
          this.fail(job, new OrthancError("CanceledJob"));
          reason = "Canceled";
          break;
        }
        if (job.request === "pause") {
          reason = "Paused";
          break;
        }
        let status: "continue" | "success" | "failure";
        try {
          status = await stepped.step();
        } catch (error) {
          stepped.update(job);
          this.fail(job, error);
          reason = "Failure";
          break;
        }
        moved();
        if (status === "success") reason = "Success";
        else if (status === "failure") {
          this.fail(job, new OrthancError("Plugin"));
          reason = "Failure";
        } else await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await stepped.stop(reason);
    } finally {
      stepped.moved = undefined;
      job.runtimeMs += performance.now() - started;
      job.request = undefined;
      if (reason === "Paused") {
        job.state = "Paused";
        this.onChange?.("changed");
      } else this.complete(job, reason === "Success" ? "Success" : "Failure");
    }
  }

  private fail(job: Job, error: unknown): void {
    const kind = error instanceof OrthancError ? error.kind : "InternalError";
    job.errorCode = ErrorCodes[kind].code;
    job.errorDescription = ErrorCodes[kind].message;
    job.errorDetails = error instanceof OrthancError && error.details ? error.details : "";
  }

  private complete(job: Job, state: "Success" | "Failure"): void {
    job.state = state;
    if (state === "Success") job.progress = 100;
    job.completionTime = fractionalNow();
    job.timestamp = job.completionTime;
    this.finishers.get(job.id)?.();
    this.finishers.delete(job.id);
    this.trim();
    this.onChange?.("changed");
    this.tell({ id: job.id, kind: state === "Success" ? "success" : "failure" });
  }

  private job(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new OrthancError("UnknownResource");
    return job;
  }

  /**
   * Waits for a job a request runs synchronously: its content, or the error it failed with, as
   * Orthanc answers; and Orthanc's 404 when JobsHistorySize 0 let the job go before it was read.
   */
  async wait(job: Job): Promise<JsonObject> {
    await job.done;
    if (this.jobs.get(job.id) !== job) {
      throw new OrthancError(
        "InexistentItem",
        'Cannot retrieve the status of the job, make sure that "JobsHistorySize" is not 0',
      );
    }
    if (job.state === "Failure") {
      const kind = (Object.keys(ErrorCodes) as ErrorName[]).find((k) =>
        ErrorCodes[k].code === job.errorCode
      );
      throw new OrthancError(kind ?? "InternalError", job.errorDetails || undefined);
    }
    return job.content;
  }

  /** POST /jobs/{id}/cancel: a finished job is left as it is. */
  cancel(id: string): void {
    const job = this.job(id);
    if (job.state === "Success" || job.state === "Failure") return;
    if (job.state === "Running") {
      job.request = "cancel";
      return;
    }
    const at = this.pending.indexOf(job);
    if (at >= 0) this.pending.splice(at, 1);
    this.fail(job, new OrthancError("CanceledJob"));
    this.complete(job, "Failure");
  }

  /** POST /jobs/{id}/pause: a finished job is left as it is. */
  pause(id: string): void {
    const job = this.job(id);
    if (job.state === "Success" || job.state === "Failure" || job.state === "Paused") return;
    if (job.state === "Running") {
      job.request = "pause";
      return;
    }
    const at = this.pending.indexOf(job);
    if (at >= 0) this.pending.splice(at, 1);
    job.state = "Paused";
    this.onChange?.("changed");
  }

  /** POST /jobs/{id}/resume: only a paused job. */
  resume(id: string): void {
    const job = this.job(id);
    if (job.state === "Running" && job.request === "pause") {
      job.request = undefined;
      return;
    }
    if (job.state !== "Paused") {
      throw new OrthancError("BadSequenceOfCalls", `Cannot resume a job that is not paused: ${id}`);
    }
    this.enqueue(job);
  }

  /**
   * POST /jobs/{id}/resubmit: a failed job runs again from its start, as Orthanc resets it; any
   * other cannot be (Orthanc's 400).
   */
  resubmit(id: string): void {
    const job = this.job(id);
    if (job.state !== "Failure") {
      throw new OrthancError(
        "BadSequenceOfCalls",
        `Cannot resubmit a job that has not failed: ${id}`,
      );
    }
    if (!job.stepped.reset) {
      throw new OrthancError(
        "BadSequenceOfCalls",
        `A job of type ${job.type} cannot be resubmitted`,
      );
    }
    job.stepped.reset();
    const { promise, resolve } = Promise.withResolvers<void>();
    Object.assign(job, {
      progress: 0,
      errorCode: 0,
      errorDescription: "Success",
      errorDetails: "",
      completionTime: undefined,
      done: promise,
    });
    this.finishers.set(job.id, resolve);
    job.stepped.update(job);
    this.enqueue(job);
    this.onChange?.("changed");
  }

  /** DELETE /jobs/{id} (Orthanc 1.12): a completed job leaves the history; others must be canceled. */
  remove(id: string): void {
    const job = this.job(id);
    if (!job.completionTime) {
      throw new OrthancError(
        "BadSequenceOfCalls",
        `Cannot delete a job that has not completed (cancel it first): ${id}`,
      );
    }
    this.forget(job);
    this.onChange?.("changed");
  }

  /**
   * GET /jobs/{id}/{key}: an output of a successful job; Orthanc's 404 otherwise, whether the job
   * is unknown, not done, or has no such output.
   */
  output(id: string, key: string): JobOutput {
    const job = this.jobs.get(id);
    const output = job?.state === "Success" ? job.stepped.outputs?.get(key) : undefined;
    if (!output) throw new OrthancError("InexistentItem", `Job has no such output: ${key}`);
    return output;
  }

  /** DELETE /jobs/{id}/{key} (Orthanc 1.12.1): the output is let go at once. */
  deleteOutput(id: string, key: string): void {
    const output = this.output(id, key);
    this.jobs.get(id)!.stepped.outputs!.delete(key);
    this.dispose(output);
  }

  private forget(job: Job): void {
    this.jobs.delete(job.id);
    for (const output of job.stepped.outputs?.values() ?? []) this.dispose(output);
    job.stepped.outputs?.clear();
  }

  private dispose(output: JobOutput): void {
    try {
      output.dispose?.();
    } catch (error) {
      log.warning(`Cannot release a job output: ${String(error)}`);
    }
  }

  private trim(): void {
    // The first to have completed leave first, as in Orthanc, whenever they were submitted.
    const finished = [...this.jobs.values()].filter((j) => j.completionTime)
      .sort((a, b) => a.completionTime!.localeCompare(b.completionTime!));
    for (const j of finished.slice(0, Math.max(0, finished.length - this.historySize))) {
      this.forget(j);
    }
  }

  /** Whether some job is not finished yet (its progress may still move). */
  busy(): boolean {
    for (const job of this.jobs.values()) if (!job.completionTime) return true;
    return false;
  }

  ids(): string[] {
    return [...this.jobs.keys()];
  }

  /** How many jobs are in each state, as Orthanc's metrics count them (paused ones pending). */
  stateCounts(): { pending: number; running: number; success: number; failure: number } {
    const counts = { pending: 0, running: 0, success: 0, failure: 0 };
    for (const job of this.jobs.values()) {
      if (job.state === "Running") counts.running++;
      else if (job.state === "Success") counts.success++;
      else if (job.state === "Failure") counts.failure++;
      else counts.pending++;
    }
    return counts;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Orthanc's GET /jobs/{id}. */
  json(job: Job): JsonObject {
    const out: { [key: string]: JsonValue } = {
      CreationTime: job.creationTime,
      Content: job.content,
      EffectiveRuntime: Math.round(job.runtimeMs) / 1000,
      ErrorCode: job.errorCode,
      ErrorDescription: job.errorDescription,
      ErrorDetails: job.errorDetails,
      ID: job.id,
      Priority: job.priority,
      Progress: job.progress,
      State: job.state,
      Timestamp: job.timestamp,
      Type: job.type,
    };
    if (job.completionTime) out.CompletionTime = job.completionTime;
    return out;
  }
}
