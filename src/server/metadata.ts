// Writing metadata: each write checks the current revision (the caller's rule, e.g. If-Match),
// changes the row and logs UpdatedMetadata in one transaction, then announces the change.
import type { IndexBackend } from "../index/interface.ts";
import { OrthancError } from "./errors.ts";
import type { EventBus } from "./events.ts";
import { ChangeType, type MetadataEntry, type Resource } from "./model.ts";
import { isoNow } from "./time.ts";

/** Refuses a write by throwing, given the entry as it is before the write. */
export type RevisionCheck = (current: MetadataEntry | undefined) => void;

export class MetadataWriter {
  constructor(private readonly index: IndexBackend, private readonly events: EventBus) {}

  /** Creates or replaces an entry; its new revision. */
  set(r: Resource, type: number, value: string, check: RevisionCheck): number {
    const revision = this.index.transaction(() => {
      const current = this.index.metadataEntry(r.internalId, type);
      check(current);
      this.index.setMetadata(r.internalId, type, value);
      return current === undefined ? 0 : current.revision + 1;
    });
    this.changed(r);
    return revision;
  }

  /** Deletes an entry; Orthanc's InexistentItem when there is none. */
  remove(r: Resource, type: number, check: RevisionCheck): void {
    this.index.transaction(() => {
      const current = this.index.metadataEntry(r.internalId, type);
      check(current);
      if (!current) throw new OrthancError("InexistentItem");
      this.index.deleteMetadata(r.internalId, type);
    });
    this.changed(r);
  }

  private changed(r: Resource): void {
    const event = {
      changeType: ChangeType.UpdatedMetadata,
      level: r.level,
      publicId: r.publicId,
      date: isoNow(),
    };
    this.index.logChange(event.changeType, event.level, event.publicId, event.date);
    this.events.emitChanges([event]);
  }
}
