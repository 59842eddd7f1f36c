// The codec workers: CPU-bound decoding and encoding of compressed frames runs there, so that the
// server's own thread keeps answering while images are decoded. Workers start on first use (the
// pool's first ones then warm their codecs up, warm-up.ts), take one job at a time, and are
// replaced after a failed job (a codec that threw may have left its memory inconsistent) or one
// that ran past the deadline (a hung codec).
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { entryPoint } from "../../entry-points.ts";
import type { CodecAnswer, CodecJob, CodecOutput, CodecRequest, CodecWorkerData } from "./jobs.ts";

/** A codec refused the frame (corrupt or truncated codestream, unsupported layout), or hung. */
export class CodecError extends Error {}

function workerUrl(): URL {
  return entryPoint(new URL("./worker.ts", import.meta.url), "imaging/wasm/worker.ts");
}

interface Pending {
  job: CodecJob;
  transfer: ArrayBuffer[];
  resolve: (output: CodecOutput) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  current?: Pending & { timer: ReturnType<typeof setTimeout> };
}

export class CodecPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private retired = 0;

  /**
   * By default one worker per core, 4 at most. They run below the priority of the server's
   * thread (worker.ts), which needs no core of its own then: on 2 shared cores, 2 workers gave 54
   * first /rendered answers of JPEG 2000 a second against 26 with 1, /system's p99 at 12 ms
   * against 6 (with 2 workers at the server's priority: 29 a second, p99 48 ms).
   */
  /**
   * `memoryLimit`: how many bytes a worker's codec memories may grow and stay. WebAssembly memory
   * only grows, so a worker that decoded a large frame (a 20,000×20,000 one: 1.6 GB in OpenJPEG,
   * 3.2 GB with dcmjs-codecs after it) is replaced rather than kept that size.
   */
  constructor(
    private readonly size = Math.min(4, availableParallelism()),
    private readonly deadlineMs = 30_000,
    private readonly memoryLimit = 256 * 1024 * 1024,
  ) {}

  /** How many workers were replaced: after a failed or hung job, or one that left them large. */
  get replacedWorkers(): number {
    return this.retired;
  }

  /**
   * `transfer`: buffers of the job that the caller gives up, moved to the worker rather than
   * copied (a 512×512 16-bit frame: 0.04 against 0.3 ms on each side).
   */
  run(job: CodecJob, transfer: ArrayBuffer[] = []): Promise<CodecOutput> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, transfer, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => !s.current) ??
        (this.slots.length < this.size ? this.spawn() : undefined);
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
  }

  private spawn(): Slot {
    // A worker replacing one that failed warms up on requests: a client repeating a corrupt
    // frame would otherwise pay for a warm-up each time.
    const workerData: CodecWorkerData = {
      warmUp: this.retired === 0,
      memoryLimit: this.memoryLimit,
    };
    const worker = new Worker(workerUrl(), { workerData });
    const slot: Slot = { worker };
    worker.unref();
    worker.on("message", (answer: CodecAnswer) => {
      const current = slot.current;
      if (!current) return;
      clearTimeout(current.timer);
      slot.current = undefined;
      if ("output" in answer) {
        current.resolve(answer.output);
        if (answer.retire) this.retire(slot);
      } else {
        current.reject(new CodecError(answer.error));
        this.retire(slot);
      }
      this.dispatch();
    });
    worker.on("error", (error: Error) => {
      this.fail(slot, `The codec worker failed: ${error.message}`);
    });
    this.slots.push(slot);
    return slot;
  }

  private start(slot: Slot, pending: Pending): void {
    const id = this.nextId++;
    const timer = setTimeout(
      () => this.fail(slot, "The codec did not finish in time"),
      this.deadlineMs,
    );
    slot.current = { ...pending, timer };
    const request: CodecRequest = { id, job: pending.job };
    slot.worker.postMessage(request, pending.transfer);
  }

  /** Ends the slot's worker, failing its job, and lets a new worker take the queue. */
  private fail(slot: Slot, message: string): void {
    const current = slot.current;
    slot.current = undefined;
    if (current) {
      clearTimeout(current.timer);
      current.reject(new CodecError(message));
    }
    this.retire(slot);
    this.dispatch();
  }

  private retire(slot: Slot): void {
    this.retired++;
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    void slot.worker.terminate();
  }
}

/** The process's codec workers. */
export const codecPool = new CodecPool();
