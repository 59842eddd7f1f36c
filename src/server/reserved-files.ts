// Files journaled ahead of need: a store takes a uuid whose journal entry (index/interface.ts,
// PendingFilesTable) is already committed, so it writes its file at once, and the journal costs
// a commit for a batch of stores rather than one each. A crash leaves the unused entries in the
// journal, where the next start removes them as any other; a clean stop takes them out.
import type { IndexBackend } from "../index/interface.ts";
import type { GroupCommit } from "./group-commit.ts";
import { ContentType } from "./model.ts";

const BATCH = 32;

export class ReservedFiles {
  private pool: string[] = [];
  private refilling: Promise<void> | undefined;

  constructor(
    private readonly index: Pick<
      IndexBackend,
      "addPendingFile" | "removePendingFile" | "transaction"
    >,
    private readonly commits: GroupCommit,
  ) {}

  /** A fresh uuid for a DICOM file, journaled. */
  async take(): Promise<string> {
    while (this.pool.length === 0) await this.refill();
    const uuid = this.pool.pop()!;
    // Refilled before it runs dry, in the transaction of the stores under way.
    if (this.pool.length < BATCH / 2) void this.refill().catch(() => undefined);
    return uuid;
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
