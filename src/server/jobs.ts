// A minimal jobs registry: jobs run at once (no queue, no pause/resubmit, not saved), and are
// listed in /jobs with Orthanc's job JSON. The full jobs engine is a later issue.
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { ErrorCodes, OrthancError } from "./errors.ts";
import { isoNow } from "./time.ts";

export type JobState = "Pending" | "Running" | "Success" | "Failure";

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
}

const HISTORY = 10;

function fractionalNow(): string {
  const now = new Date();
  return `${isoNow(now)}.${String(now.getUTCMilliseconds()).padStart(3, "0")}000`;
}

export class JobRegistry {
  private readonly jobs = new Map<string, Job>();

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
