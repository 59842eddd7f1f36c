// Protection of patients against recycling (/patients/{id}/protected).
import type { IndexBackend } from "../index/interface.ts";
import type { Resource } from "./model.ts";

export class Protection {
  constructor(private readonly index: IndexBackend) {}

  isProtected(patient: Resource): boolean {
    return this.index.isProtected(patient.internalId);
  }

  set(patient: Resource, value: boolean): void {
    this.index.transaction(() => this.index.setProtected(patient.internalId, value));
  }
}
