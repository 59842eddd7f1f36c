// Files journaled ahead of need: a store takes a uuid whose journal entry (index/interface.ts,
// PendingFilesTable) is already committed, so it writes its file at once, and the journal costs
// a commit for a batch of stores rather than one each. A crash leaves the unused entries in the
// journal, where the next start removes them as any other; a clean stop takes them out.
import type { IndexBackend } from "../index/interface.ts";
import type { StorageArea } from "../storage/area.ts";
import type { GroupCommit } from "./group-commit.ts";
import { ContentType } from "./model.ts";

const BATCH = 32;

/** A uuid handed out to a store, with its file being made (when the storage area can). */
export interface Reservation {
  uuid: string;
  made: Promise<void>;
  /** Set by the store once it writes the file: from then on the file is its own. */
  used: boolean;
}

export class ReservedFiles {
  private pool: string[] = [];
  private refilling: Promise<void> | undefined;

  constructor(
    private readonly index: Pick<
      IndexBackend,
      "addPendingFile" | "removePendingFile" | "transaction"
    >,
    private readonly commits: GroupCommit,
    private readonly storage: Pick<StorageArea, "reserve" | "remove">,
  ) {}

  /** A fresh uuid for a DICOM file, journaled. */
  async take(): Promise<string> {
    while (this.pool.length === 0) await this.refill();
    const uuid = this.pool.pop()!;
    // Refilled before it runs dry, in the transaction of the stores under way.
    if (this.pool.length < BATCH / 2) void this.refill().catch(() => undefined);
    return uuid;
  }

  /**
   * A fresh uuid whose empty file the storage area starts making at once: a store takes it
   * before it parses the instance, and the file is there when it writes.
   */
  async reserve(): Promise<Reservation> {
    const uuid = await this.take();
    const made = this.storage.reserve?.(uuid, ContentType.Dicom) ?? Promise.resolve();
    // Only a saving: create() makes a file that is not there.
    return { uuid, made: made.catch(() => undefined), used: false };
  }

  /**
   * A reservation a store did not use (filtered out, stored already): its file is removed before
   * the store answers, and the uuid serves again.
   */
  async giveBack(reservation: Reservation): Promise<void> {
    await reservation.made;
    try {
      if (this.storage.reserve) await this.storage.remove(reservation.uuid, ContentType.Dicom);
    } catch {
      // Left in the journal: the next start removes it.
      return;
    }
    this.pool.push(reservation.uuid);
  }

  /** Takes the unused entries out of the journal; run before the index closes. */
  async release(): Promise<void> {
    await this.refilling?.catch(() => undefined);
    const unused = this.pool;
    this.pool = [];
    if (unused.length > 0) {
      this.index.transaction(() => {
        for (const uuid of unused) this.index.removePendingFile(uuid);
      });
    }
  }

  private refill(): Promise<void> {
    this.refilling ??= (async () => {
      // A batch shares its first four hex digits, and so its folder of Orthanc's ab/cd layout:
      // one folder made for 32 files, not one for nearly each (the rest stays random).
      const folder = crypto.randomUUID().slice(0, 4);
      const fresh = Array.from({ length: BATCH }, () => folder + crypto.randomUUID().slice(4));
      try {
        await this.commits.run(() => {
          for (const uuid of fresh) {
            this.index.addPendingFile({ uuid, contentType: ContentType.Dicom });
          }
        });
        this.pool.push(...fresh);
      } finally {
        this.refilling = undefined;
      }
    })();
    return this.refilling;
  }
}
