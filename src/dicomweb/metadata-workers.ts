// The metadata workers: the first WADO-RS metadata call of a large series writes the metadata of
// every file of it, in batches that metadata-cache.ts hands to the workers. A worker reads the
// files of the filesystem storage area itself (the server's thread reads the others and sends
// their bytes). They start with the first DICOMweb request, take one batch at a time, and a
// worker that fails or runs past the deadline is ended: its batch is then computed on the
// server's thread.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Encoding } from "../dicom/charsets.ts";
import type { HeaderCut } from "./header-cut.ts";
import type { MetadataBytes } from "./metadata-json.ts";
import { entryPoint } from "../entry-points.ts";

/** An instance's bytes, or the file to read them from, cut in its pixel data. */
export type MetadataItem =
  & { url: string }
  & (MetadataBytes | { path: string; cut: HeaderCut });

export interface MetadataRequest {
  id: number;
  fallback: Encoding;
  items: MetadataItem[];
}

/** The text of each item, or null where the server's thread must compute it. */
export interface MetadataAnswer {
  id: number;
  texts: (string | null)[];
}

const DEADLINE_MS = 10_000;

function workerUrl(): URL {
  return entryPoint(
    new URL("./metadata-worker.ts", import.meta.url),
    "dicomweb/metadata-worker.ts",
  );
}

/**
 * One worker; `busy` while batches of one call are there, so that calls do not share it. A call
 * gives it its next batch before the current one is done, so that it does not wait for the trip
 * of an answer and of a next batch between the two.
 */
export class MetadataWorker {
  busy = false;
  ready = false;
  private nextId = 1;
  private readonly running = new Map<number, {
    resolve: (texts: (string | null)[]) => void;
    reject: (error: Error) => void;
  }>();
  private readonly worker: Worker;
  private started!: (ready: boolean) => void;
  /** Whether it became ready (false: it ended first). */
  readonly whenStarted = new Promise<boolean>((resolve) => (this.started = resolve));

  constructor(private readonly onExit: (worker: MetadataWorker) => void) {
    this.worker = new Worker(workerUrl());
    this.worker.unref();
    this.worker.on("message", (message: MetadataAnswer | "ready") => {
      if (message === "ready") {
        this.ready = true;
        this.started(true);
        return;
      }
      const request = this.running.get(message.id);
      this.running.delete(message.id);
      request?.resolve(message.texts);
    });
    this.worker.on("error", (error: Error) => this.end(error));
    this.worker.on("exit", () => this.end(new Error("The metadata worker stopped")));
  }

  run(fallback: Encoding, items: MetadataRequest["items"]): Promise<(string | null)[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.end(new Error("The metadata worker did not finish in time")),
        DEADLINE_MS,
      );
      this.running.set(id, {
        resolve: (texts) => {
          clearTimeout(timer);
          resolve(texts);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      // Transferred, not copied, where the bytes are a buffer of their own (read for this
      // batch alone); a view into a larger buffer (which may be shared) is copied.
      const own = items.map((item) => {
        if (!("bytes" in item)) return item;
        const { bytes } = item;
        const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
        return whole ? item : { ...item, bytes: bytes.slice() };
      });
      const request: MetadataRequest = { id, fallback, items: own };
      const buffers = own.flatMap((item) =>
        "bytes" in item ? [item.bytes.buffer as ArrayBuffer] : []
      );
      this.worker.postMessage(request, buffers);
    });
  }

  private end(error: Error): void {
    const running = [...this.running.values()];
    this.running.clear();
    for (const request of running) request.reject(error);
    this.ready = false;
    this.started(false);
    void this.worker.terminate();
    this.onExit(this);
  }
}

export class MetadataWorkers {
  private readonly workers: MetadataWorker[] = [];

  /** One per core, 4 at most: the server's thread only reads the files and writes the answer. */
  constructor(private readonly size = Math.min(4, availableParallelism())) {}

  /** Starts the missing workers (they take a moment to load their code). */
  start(): void {
    while (this.workers.length < this.size) {
      this.workers.push(
        new MetadataWorker((gone) => {
          const index = this.workers.indexOf(gone);
          if (index >= 0) this.workers.splice(index, 1);
        }),
      );
    }
  }

  /** The workers ready and free, now marked busy: the caller frees them. */
  claim(): MetadataWorker[] {
    const free = this.workers.filter((w) => w.ready && !w.busy);
    for (const w of free) w.busy = true;
    return free;
  }

  /** The workers still loading or warming up: a call may take them once they are ready. */
  starting(): MetadataWorker[] {
    return this.workers.filter((w) => !w.ready);
  }
}

/** The process's metadata workers. */
export const metadataWorkers = new MetadataWorkers();
