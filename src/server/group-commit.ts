// Group commit for the store pipeline: the index writes of concurrent stores share one
// transaction, so one commit (one WAL append) serves them all. A store announces itself while its
// file is being written; the group waits for the announced stores (a few milliseconds at most)
// before it commits, and each caller's promise settles only once its writes are committed.
import type { IndexBackend } from "../index/interface.ts";

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How long queued work waits for the stores still writing their files. */
const MAX_WAIT_MS = 2;

export class GroupCommit {
  private queue: Job[] = [];
  private expected = 0;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly index: Pick<IndexBackend, "transaction">) {}

  /** Some work is on its way (a file being written): the group waits for it. */
  expect(): void {
    this.expected++;
  }

  /** The expected work is queued now, or will not come. */
  arrived(): void {
    this.expected--;
    this.schedule();
  }

  /** Runs `work` inside a transaction shared with the other work queued meanwhile. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.queue.length === 0 || this.immediate) return;
    if (this.expected <= 0) {
      // After this turn's I/O callbacks, so that work queued by them joins the group.
      this.immediate = setImmediate(() => this.flush());
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), MAX_WAIT_MS);
    }
  }

  private flush(): void {
    clearImmediate(this.immediate);
    clearTimeout(this.timer);
    this.immediate = this.timer = undefined;
    const jobs = this.queue;
    this.queue = [];
    if (jobs.length === 0) return;
    let results: unknown[];
    try {
      results = this.index.transaction(() => jobs.map((job) => job.work()));
    } catch (error) {
      if (jobs.length === 1) {
        jobs[0]!.reject(error);
        return;
      }
      // The whole group was rolled back: each is run again alone, so a failure is only its own.
      for (const job of jobs) {
        try {
          job.resolve(this.index.transaction(job.work));
        } catch (own) {
          job.reject(own);
        }
      }
      return;
    }
    jobs.forEach((job, i) => job.resolve(results[i]));
  }
}
