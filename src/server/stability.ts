// Tracks resources that received instances in the last StableAge seconds (Orthanc's IsStable).
import type { OrthancIds } from "../dicom/identifiers.ts";
import { ChangeType } from "../index/schema.ts";
import type { ChangeEvent } from "./events.ts";

export class StabilityTracker {
  private readonly lastActivity = new Map<string, number>();

  constructor(
    private readonly stableAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  onStored(ids: OrthancIds): void {
    const at = this.now();
    for (const id of [ids.patient, ids.study, ids.series]) this.lastActivity.set(id, at);
  }

  onChange(event: ChangeEvent): void {
    if (event.changeType === ChangeType.Deleted) this.lastActivity.delete(event.publicId);
  }

  isStable(publicId: string): boolean {
    const at = this.lastActivity.get(publicId);
    if (at === undefined) return true;
    if (this.now() - at >= this.stableAgeMs) {
      this.lastActivity.delete(publicId);
      return true;
    }
    return false;
  }
}
