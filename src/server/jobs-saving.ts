// Orthanc's SaveJobs: the jobs registry is written to a global property of the index when a job is
// submitted (a burst of submissions together), every 10 seconds while something changed, each time a job that cannot
// do its work twice moves (a send), and when the server stops; it is read back at startup (unless
// --no-jobs).
import type { JsonValue } from "../dicom/tags-json.ts";
import { GlobalProperty } from "./model.ts";
import type { GlobalProperties } from "./properties.ts";
import { log } from "../log.ts";
import type { JobRegistry } from "./jobs.ts";

export interface JobsSavingOptions {
  /** Delay between a submission and its save. */
  afterSubmitMs: number;
  /** Period of the saves while jobs change. */
  periodMs: number;
}

const DEFAULTS: JobsSavingOptions = { afterSubmitMs: 100, periodMs: 10_000 };

/**
 * Reloads the saved registry, unfinished jobs rebuilt by the registry's factories (so they must
 * all be added first); a damaged registry is logged and ignored.
 */
export function restoreJobs(registry: JobRegistry, properties: GlobalProperties): void {
  const text = properties.get(GlobalProperty.JobsRegistry);
  if (text === undefined) return;
  let saved: JsonValue;
  try {
    saved = JSON.parse(text) as JsonValue;
  } catch {
    log.warning("The saved jobs registry is not JSON: it is ignored");
    return;
  }
  registry.restore(saved);
  log.info(`Reloaded ${registry.ids().length} job(s) from the database`);
}

export class JobsSaver {
  private dirty = false;
  private soon?: ReturnType<typeof setTimeout>;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly registry: JobRegistry,
    private readonly properties: GlobalProperties,
    options: Partial<JobsSavingOptions> = {},
  ) {
    const { afterSubmitMs, periodMs } = { ...DEFAULTS, ...options };
    registry.onChange = (what) => {
      if (what === "moved") return this.save();
      this.dirty = true;
      if (what === "submitted" && !this.soon) {
        // The first submission after a quiet spell is written at once, before its id is
        // answered, so that a crash right after cannot lose a job the client was told of; the
        // others of a burst are written together once afterSubmitMs has passed.
        this.save();
        this.soon = setTimeout(() => {
          this.soon = undefined;
          if (this.dirty) this.save();
        }, afterSubmitMs);
      }
    };
    this.timer = setInterval(() => {
      if (this.dirty || this.registry.busy()) this.save();
    }, periodMs);
    this.timer.unref?.();
  }

  /** Writes the registry now. */
  save(): void {
    this.dirty = false;
    try {
      this.properties.set(
        GlobalProperty.JobsRegistry,
        JSON.stringify(this.registry.serialize()),
      );
    } catch (error) {
      log.error(`Cannot save the jobs registry: ${String(error)}`);
    }
  }

  /** The last save, when the server stops. */
  stop(): void {
    clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.registry.onChange = undefined;
    this.save();
  }
}
