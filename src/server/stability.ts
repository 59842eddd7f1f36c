// Orthanc's stable resources: a patient, study or series that has received no instance for
// StableAge seconds becomes stable (IsStable), and a Stable* change is logged for it.
import type { OrthancIds } from "../dicom/identifiers.ts";
import type { Level } from "../dicom/levels.ts";
import { ChangeType } from "./model.ts";
import type { ChangeEvent } from "./events.ts";

const STABLE_CHANGE: Partial<Record<Level, number>> = {
  Patient: ChangeType.StablePatient,
  Study: ChangeType.StableStudy,
  Series: ChangeType.StableSeries,
};

export class StabilityTracker {
  private readonly lastActivity = new Map<string, { level: Level; at: number }>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly stableAgeMs: number,
    /** `forced`: by forceStable, not by StableAge. */
    private readonly onStable: (
      changeType: number,
      level: Level,
      publicId: string,
      forced: boolean,
    ) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Checks once a second, as Orthanc does; the timer does not keep the process alive. */
  start(): void {
    this.timer ??= setInterval(() => this.check(), 1000);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Orthanc keeps the unstable resources least recently active first, the series before its
   * study and patient: the order in which their Stable* changes are logged.
   */
  onStored(ids: OrthancIds): void {
    const at = this.now();
    for (
      const [publicId, level] of [[ids.series, "Series"], [ids.study, "Study"], [
        ids.patient,
        "Patient",
      ]] as const
    ) {
      this.lastActivity.delete(publicId);
      this.lastActivity.set(publicId, { level, at });
    }
  }

  onChange(event: ChangeEvent): void {
    if (event.changeType === ChangeType.Deleted) this.lastActivity.delete(event.publicId);
  }

  isStable(publicId: string): boolean {
    const entry = this.lastActivity.get(publicId);
    return entry === undefined || this.now() - entry.at >= this.stableAgeMs;
  }

  /** Makes an unstable resource stable at once, its Stable* change reported; false if stable. */
  forceStable(publicId: string): boolean {
    const entry = this.lastActivity.get(publicId);
    if (!entry) return false;
    this.lastActivity.delete(publicId);
    const changeType = STABLE_CHANGE[entry.level];
    if (changeType !== undefined) this.onStable(changeType, entry.level, publicId, true);
    return true;
  }

  /** Makes a stable resource unstable, as if it had just received an instance; false if not stable. */
  forceUnstable(publicId: string, level: Level): boolean {
    if (!this.isStable(publicId)) return false;
    this.lastActivity.set(publicId, { level, at: this.now() });
    return true;
  }

  /** Reports the resources that became stable since the last check. */
  check(): void {
    const now = this.now();
    for (const [publicId, entry] of this.lastActivity) {
      if (now - entry.at < this.stableAgeMs) continue;
      this.lastActivity.delete(publicId);
      const changeType = STABLE_CHANGE[entry.level];
      if (changeType !== undefined) this.onStable(changeType, entry.level, publicId, false);
    }
  }
}
