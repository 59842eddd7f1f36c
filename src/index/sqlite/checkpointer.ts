// The WAL checkpointer: a thread with its own connection to the index that copies the WAL into the
// database file (PASSIVE checkpoints, which never block the writer) while the server's thread goes
// on. SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the
// server's thread, and with synchronous NORMAL it flushes the WAL and the database file there: ~6 ms
// with every request waiting, every ~45 stores. The server's connection keeps an automatic
// checkpoint at a higher threshold, which resets the WAL when the thread never catches up with a
// writer that never pauses. The thread starts after the first commits, so a server that writes
// little never has it.
import { Worker } from "node:worker_threads";
import { entryPoint } from "../../entry-points.ts";

/** Commits between two checkpoints asked of the thread. */
const COMMITS_A_CHECKPOINT = 32;
/** The server connection's own threshold (pages) while the thread checkpoints: 40 MB of WAL. */
export const FALLBACK_AUTOCHECKPOINT = 10_000;
/** How long a stop waits for the thread to close its connection. */
const CLOSE_TIMEOUT_MS = 5_000;

export type CheckpointerMessage = "checkpoint" | "close";
export type CheckpointerAnswer = "ready" | "done";

function workerUrl(): URL {
  return entryPoint(
    new URL("./checkpointer-worker.ts", import.meta.url),
    "index/sqlite/checkpointer-worker.ts",
  );
}

export class Checkpointer {
  private worker: Worker | undefined;
  private commits = 0;
  private busy = false;
  /** Set once the thread failed: the server's connection checkpoints as SQLite does by default. */
  private failed = false;
  /** Set to 1 by the thread once its connection is closed. */
  private readonly closedFlag = new Int32Array(new SharedArrayBuffer(4));

  /**
   * `path`: the database; `autocheckpoint` sets the server connection's threshold (pages), raised
   * while the thread works and set back to SQLite's default if it fails.
   */
  constructor(
    private readonly path: string,
    private readonly autocheckpoint: (pages: number) => void,
  ) {}

  /** After each commit of the server's connection. */
  committed(): void {
    if (this.failed || ++this.commits < COMMITS_A_CHECKPOINT) return;
    this.commits = 0;
    if (!this.worker) {
      this.start();
      return;
    }
    if (this.busy) return;
    this.busy = true;
    this.worker.postMessage("checkpoint" satisfies CheckpointerMessage);
  }

  /**
   * Closes the thread's connection, before the server's (whose close then checkpoints and removes
   * the WAL, as the last connection's does). Synchronous, as the index's close is: the thread
   * flags the end of a checkpoint under way and of its close in shared memory.
   */
  close(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    worker.postMessage("close" satisfies CheckpointerMessage);
    Atomics.wait(this.closedFlag, 0, 0, CLOSE_TIMEOUT_MS);
    void worker.terminate();
  }

  private start(): void {
    const worker = new Worker(workerUrl(), {
      workerData: { path: this.path, closed: this.closedFlag },
    });
    this.worker = worker;
    worker.unref();
    this.busy = true;
    worker.on("message", (answer: CheckpointerAnswer) => {
      // An answer that comes after close() finds the server's connection closed.
      if (this.worker !== worker) return;
      if (answer === "ready") this.autocheckpoint(FALLBACK_AUTOCHECKPOINT);
      if (answer === "ready" || answer === "done") this.busy = false;
    });
    const fail = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failed = true;
      this.autocheckpoint(SQLITE_DEFAULT_AUTOCHECKPOINT);
    };
    worker.on("error", fail);
    worker.on("exit", fail);
  }
}

/** SQLite's own threshold, in pages. */
export const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
