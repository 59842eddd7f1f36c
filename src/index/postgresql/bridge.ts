// The synchronous face of the worker that holds the PostgreSQL connection (worker.ts): a request
// is posted, the main thread blocks on Atomics.wait until the worker flags its answer, and takes
// the answer from the port with receiveMessageOnPort. Nothing else runs on the main thread
// meanwhile, which is what the index interface promises its callers.
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from "node:worker_threads";
import { IndexFailure } from "../../server/model.ts";
import type { Answer, ConnectionOptions, Request, Statement } from "./protocol.ts";
import { entryPoint } from "../../entry-points.ts";

/** Longer than any statement should take, and than the connection attempts at start. */
const ANSWER_TIMEOUT_MS = 10 * 60 * 1000;

function workerUrl(): URL {
  return entryPoint(new URL("./worker.ts", import.meta.url), "index/postgresql/worker.ts");
}

export class SyncConnection {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private closed = false;

  constructor(options: ConnectionOptions) {
    const flag = new SharedArrayBuffer(4);
    this.signal = new Int32Array(flag);
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.worker = new Worker(workerUrl(), {
      workerData: { options, flag, port: channel.port2 },
      transferList: [channel.port2],
    });
    this.worker.unref();
  }

  /**
   * Runs the statements in order; the rows of the last. A failure throws an IndexFailure.
   * `continues`: they go on with a transaction that earlier statements began.
   */
  run(statements: Statement[], continues = false): Record<string, unknown>[] {
    const answer = this.ask({ statements, continues });
    if ("error" in answer) {
      throw new IndexFailure(answer.unavailable ? "DatabaseUnavailable" : "Database", answer.error);
    }
    return answer.rows;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ask({ statements: [], close: true });
    void this.worker.terminate();
  }

  private ask(request: Request): Answer {
    if (this.closed && !request.close) {
      throw new IndexFailure("DatabaseUnavailable", "The PostgreSQL index is closed");
    }
    Atomics.store(this.signal, 0, 0);
    this.worker.postMessage(request);
    if (Atomics.wait(this.signal, 0, 0, ANSWER_TIMEOUT_MS) === "timed-out") {
      throw new IndexFailure("DatabaseUnavailable", "The PostgreSQL index did not answer");
    }
    // The worker posts before it flags, so the answer is there; the loop covers its delivery.
    const deadline = Date.now() + 1000;
    while (Date.now() < deadline) {
      const received = receiveMessageOnPort(this.port);
      if (received) return received.message as Answer;
    }
    throw new IndexFailure("DatabaseUnavailable", "The PostgreSQL index lost its answer");
  }
}
