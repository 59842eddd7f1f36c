// Writing labels (Orthanc 1.12): adding twice or removing an absent label is no error. The
// resource is resolved inside the write's transaction, so that it cannot vanish in between.
import type { Level } from "../dicom/levels.ts";
import type { IndexBackend } from "../index/interface.ts";
import { OrthancError } from "./errors.ts";

export class LabelWriter {
  constructor(private readonly index: IndexBackend) {}

  add(publicId: string, level: Level, label: string): void {
    this.index.transaction(() => this.index.addLabel(this.internalId(publicId, level), label));
  }

  remove(publicId: string, level: Level, label: string): void {
    this.index.transaction(() => this.index.removeLabel(this.internalId(publicId, level), label));
  }

  private internalId(publicId: string, level: Level): number {
    const r = this.index.lookup(publicId);
    if (!r || r.level !== level) throw new OrthancError("UnknownResource");
    return r.internalId;
  }
}
