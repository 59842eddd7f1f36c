// A minimal jobs registry, listed in /jobs with Orthanc's job JSON; nothing is saved (no
// SaveJobs). Two kinds of jobs: `submit` runs a promise at once (no pause, no cancel);
// `submitStepped` runs a job step by step, as Orthanc's engine does for plugin jobs
// (OrthancPluginCreateJob2): queued by priority, at most `concurrency` at a time, yielding to
// the event loop between steps, and can be paused, resumed and canceled between two steps.
// The full jobs engine is a later issue.
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { ErrorCodes, OrthancError } from "./errors.ts";
import { isoNow } from "./time.ts";

export type JobState = "Pending" | "Running" | "Success" | "Failure" | "Paused";

/** Why a stepped job stops (OrthancPluginJobStopReason). */
export type JobStopReason = "Success" | "Paused" | "Failure" | "Canceled";

/** A job run step by step; its methods must not throw (callers guard them). */
export interface SteppedJob {
  /** One step: continue, or finish; a throw fails the job with the error's code. */
  step(): Promise<"continue" | "success" | "failure">;
  /** After the last step, or when paused or canceled between two steps. */
  stop(reason: JobStopReason): Promise<void>;
  /** Refreshes `job.progress` and `job.content` (after each step). */
  update(job: Job): void;
}

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
  /** Stepped jobs only. */
  stepped?: SteppedJob;
  /** A pause or cancel asked while the job runs, applied after the current step. */
  request?: "pause" | "cancel";
}

const HISTORY = 10;

function fractionalNow(): string {
  const now = new Date();
  return `${isoNow(now)}.${String(now.getUTCMilliseconds()).padStart(3, "0")}000`;
}

export class JobRegistry {
  private readonly jobs = new Map<string, Job>();
  /** Stepped jobs run at once at most (Orthanc's ConcurrentJobs). */
  concurrency = 2;
  private readonly pending: Job[] = [];
  private running = 0;
  private readonly finishers = new Map<string, () => void>();

  /** Starts a job; `run` may update `job.progress` and `job.content`. */
  submit(
    type: string,
    content: JsonObject,
    run: (job: Job) => Promise<void>,
    priority = 0,
  ): Job {
    const job: Job = {
      id: crypto.randomUUID(),
      type,
      priority,
      state: "Running",
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
    this.jobs.set(job.id, job);
    const started = performance.now();
    job.done = run(job).then(
      () => {
        job.state = "Success";
        job.progress = 100;
      },
      (error: unknown) => {
        job.state = "Failure";
        const kind = error instanceof OrthancError ? error.kind : "InternalError";
        job.errorCode = ErrorCodes[kind].code;
        job.errorDescription = ErrorCodes[kind].message;
        job.errorDetails = error instanceof OrthancError && error.details ? error.details : "";
      },
    ).finally(() => {
      job.runtimeMs = performance.now() - started;
      job.completionTime = fractionalNow();
      job.timestamp = job.completionTime;
      this.trim();
    });
    return job;
  }

  /** Queues a job run step by step (a plugin's job); it starts Pending. */
  submitStepped(type: string, stepped: SteppedJob, priority = 0): Job {
    const { promise, resolve } = Promise.withResolvers<void>();
    const job: Job = {
      id: crypto.randomUUID(),
      type,
      priority,
      state: "Pending",
      progress: 0,
      content: {},
      errorCode: 0,
      errorDescription: "Success",
      errorDetails: "",
      creationTime: fractionalNow(),
      runtimeMs: 0,
      timestamp: fractionalNow(),
      done: promise,
      stepped,
    };
    this.finishers.set(job.id, resolve);
    stepped.update(job);
    this.jobs.set(job.id, job);
    this.enqueue(job);
    return job;
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
    const stepped = job.stepped!;
    job.state = "Running";
    job.timestamp = fractionalNow();
    const started = performance.now();
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
        stepped.update(job);
        job.timestamp = fractionalNow();
        if (status === "success") reason = "Success";
        else if (status === "failure") {
          this.fail(job, new OrthancError("Plugin"));
          reason = "Failure";
        } else await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await stepped.stop(reason);
    } finally {
      job.runtimeMs += performance.now() - started;
      job.request = undefined;
      if (reason === "Paused") job.state = "Paused";
      else this.complete(job, reason === "Success" ? "Success" : "Failure");
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
  }

  private job(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new OrthancError("UnknownResource");
    return job;
  }

  private unsupported(job: Job, what: string): never {
    throw new OrthancError(
      "BadSequenceOfCalls",
      `A job of type ${job.type} cannot be ${what} while it runs`,
    );
  }

  /** POST /jobs/{id}/cancel: a finished job is left as it is. */
  cancel(id: string): void {
    const job = this.job(id);
    if (job.state === "Success" || job.state === "Failure") return;
    if (!job.stepped) this.unsupported(job, "canceled");
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
    if (!job.stepped) this.unsupported(job, "paused");
    if (job.state === "Running") {
      job.request = "pause";
      return;
    }
    const at = this.pending.indexOf(job);
    if (at >= 0) this.pending.splice(at, 1);
    job.state = "Paused";
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

  private trim(): void {
    const finished = [...this.jobs.values()].filter((j) => j.completionTime);
    for (const j of finished.slice(0, Math.max(0, finished.length - HISTORY))) {
      this.jobs.delete(j.id);
    }
  }

  ids(): string[] {
    return [...this.jobs.keys()];
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

const registries = new WeakMap<object, JobRegistry>();

/** The registry of a server (keyed by its core). */
export function jobsOf(owner: object): JobRegistry {
  let r = registries.get(owner);
  if (!r) {
    r = new JobRegistry();
    registries.set(owner, r);
  }
  return r;
}
