// The main thread's side of Lua scripting: starts the worker that holds the Lua context
// (worker.ts), queues the work for it, run in order (Orthanc's one serialized context) and posted
// in batches of what queued while the worker was busy (OnStoredInstance calls also wait a few
// milliseconds for others when it is idle), and serves its synchronous calls: the REST API in-process, HTTP with fetch. Work asked for while
// serving one of those calls, in the same asynchronous context (a filter that the script's own
// upload triggered), is handed to the waiting worker on the port instead of the queue, since
// the queue would only reach it after the call it is part of: that would deadlock.
import { AsyncLocalStorage } from "node:async_hooks";
import { MessageChannel, Worker } from "node:worker_threads";
import { readFileSync } from "node:fs";
import type { Configuration } from "../config/schema.ts";
import { entryPoint } from "../entry-points.ts";
import { log } from "../log.ts";
import { outgoingFetch } from "../server/outgoing-http.ts";
import type {
  Json,
  LuaOutcome,
  LuaWork,
  PortToMain,
  PortToWorker,
  SyncReply,
  SyncRequest,
  WorkDone,
} from "./protocol.ts";

/** How Lua reaches the REST API: in-process, without authentication or HTTP filters. */
export type RestCaller = (
  method: string,
  uri: string,
  options: { headers: Record<string, string>; body?: Uint8Array; builtinOnly: boolean },
) => Promise<Response>;

/** A script's error, with Lua's message (`file:line: message`). */
export class LuaError extends Error {}

const servingSyncCall = new AsyncLocalStorage<true>();

/**
 * The worker's module: beside this file in the sources; in dist/pharos, where build.ts embeds it
 * as a second entry point, at its path below src/ from the executable's root.
 */
function workerUrl(): URL {
  return entryPoint(new URL("./worker.ts", import.meta.url), "lua/worker.ts");
}

/**
 * How long an OnStoredInstance call waits for others to go with it when the worker is idle: nothing
 * waits for its outcome, and one message (and one wake-up of the worker) for several instances costs
 * a fraction of one each, the main cost of a no-op callback under ingest. Work that someone waits
 * for (a filter) posts the queue at once, and the queue keeps its order.
 */
const STORED_GATHER_MS = 10;

export class LuaEngine {
  private readonly worker: Worker;
  private readonly port: MessageChannel["port1"];
  private readonly signal: Int32Array;
  private readonly pending = new Map<number, (outcome: LuaOutcome) => void>();
  private nextId = 1;
  /** Top-level work not yet posted: posted all at once when the worker is done with the last. */
  private readonly queued: { id: number; work: LuaWork }[] = [];
  /** A batch is in the worker. */
  private busy = false;
  /** Posts the queue if only OnStoredInstance calls wait in it (see STORED_GATHER_MS). */
  private gathering: ReturnType<typeof setTimeout> | undefined;
  /** Sync calls of the worker being served (it waits on the port while this is above 0). */
  private waiting = 0;
  private rest: RestCaller | undefined;
  /** Stored bytes an OnStoredInstance call may ask for, by token, until the call is done. */
  private readonly held = new Map<number, Uint8Array>();
  private nextToken = 1;
  /** Why the worker is gone (it crashed, or stop() ended it): every later run fails with it. */
  private gone: string | undefined;

  constructor(
    configuration: Json,
    private readonly http: Pick<
      Configuration,
      "HttpProxy" | "HttpVerbose" | "HttpsVerifyPeers" | "HttpsCACertificates"
    >,
  ) {
    const signal = new SharedArrayBuffer(4);
    this.signal = new Int32Array(signal);
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.worker = new Worker(workerUrl(), {
      workerData: { setup: { configuration, signal }, port: channel.port2 },
      transferList: [channel.port2],
    });
    this.worker.on("message", (done: WorkDone) => {
      for (const { id, outcome } of done.outcomes) this.settle(id, outcome);
      if (!done.last) return;
      this.busy = false;
      this.post();
    });
    this.worker.on("error", (error: Error) => this.lost(`The Lua worker failed: ${error.message}`));
    this.worker.on("exit", () => this.lost("The Lua worker has stopped"));
    this.port.on("message", (message: PortToMain) => {
      if (message.type === "nested-done") this.settle(message.id, message.outcome);
      else void this.serve(message.id, message.request);
    });
  }

  /** Where RestApiGet and the like go; set once the REST API is built. */
  attachRest(rest: RestCaller): void {
    this.rest = rest;
  }

  /** Runs work in the Lua context, after the work queued before it (or nested, see above). */
  async run(work: LuaWork): Promise<LuaOutcome> {
    if (this.gone) return { ok: false, error: this.gone };
    const id = this.nextId++;
    const done = new Promise<LuaOutcome>((resolve) => this.pending.set(id, resolve));
    if (servingSyncCall.getStore() && this.waiting > 0) {
      this.toWorkerPort({ type: "nested", id, work });
      return await done;
    }
    this.queued.push({ id, work });
    if (work.type === "stored") this.gathering ??= setTimeout(() => this.post(), STORED_GATHER_MS);
    else this.post();
    return await done;
  }

  /**
   * Posts what is queued as one batch, which the worker runs in order: under a burst of stored
   * instances, one message carries many callbacks rather than one each.
   */
  private post(): void {
    clearTimeout(this.gathering);
    this.gathering = undefined;
    if (this.busy || this.queued.length === 0 || this.gone) return;
    this.busy = true;
    this.worker.postMessage(this.queued.splice(0));
  }

  /** Keeps bytes for the worker to ask for (a stored-bytes request) until `release`. */
  hold(bytes: Uint8Array): number {
    const token = this.nextToken++;
    this.held.set(token, bytes);
    return token;
  }

  release(token: number): void {
    this.held.delete(token);
  }

  /** Like run, but a Lua error rejects with a LuaError. */
  async mustRun(work: LuaWork): Promise<LuaOutcome & { ok: true }> {
    const outcome = await this.run(work);
    if (!outcome.ok) throw new LuaError(outcome.error);
    return outcome;
  }

  async stop(): Promise<void> {
    this.gone = "The Lua engine is stopped";
    clearTimeout(this.gathering);
    this.port.close();
    await this.worker.terminate();
  }

  /** The worker is gone: what waits for it fails rather than waiting forever. */
  private lost(reason: string): void {
    if (!this.gone) log.error(reason);
    this.gone ??= reason;
    this.queued.length = 0;
    for (const [id] of this.pending) this.settle(id, { ok: false, error: reason });
  }

  private settle(id: number, outcome: LuaOutcome): void {
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    resolve?.(outcome);
  }

  private toWorkerPort(message: PortToWorker): void {
    this.port.postMessage(message);
    Atomics.add(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
  }

  private async serve(id: number, request: SyncRequest): Promise<void> {
    this.waiting++;
    let reply: SyncReply;
    try {
      reply = await servingSyncCall.run(true, () => this.answer(request));
    } catch (error) {
      log.error(`Lua: ${request.type} call failed: ${(error as Error).message}`);
      reply = { status: 500, body: new Uint8Array() };
    } finally {
      this.waiting--;
    }
    this.toWorkerPort({ type: "reply", id, reply });
  }

  private async answer(request: SyncRequest): Promise<SyncReply> {
    if (request.type === "stored-bytes") {
      const bytes = this.held.get(request.token);
      if (bytes) return { status: 200, body: bytes };
      // Asked after its call (the script kept the table): the file, if the instance is still there.
      return await this.answer({
        type: "rest",
        method: "GET",
        uri: `/instances/${request.instanceId}/file`,
        builtinOnly: true,
        headers: {},
      });
    }
    if (request.type === "rest") {
      if (!this.rest) return { status: 503, body: new Uint8Array() };
      const response = await this.rest(request.method, request.uri, {
        headers: request.headers,
        body: request.body,
        builtinOnly: request.builtinOnly,
      });
      let body = new Uint8Array(await response.arrayBuffer());
      // Orthanc's JSON answers end without a newline, and scripts print them as they are;
      // Pharos's HTTP answers end with one.
      const json = response.headers.get("content-type")?.startsWith("application/json");
      if (json && body.at(-1) === 0x0a) body = body.subarray(0, -1);
      return { status: response.status, body };
    }
    const headers = new Headers(request.headers);
    if (request.credentials) {
      const { username, password } = request.credentials;
      headers.set("authorization", `Basic ${btoa(`${username}:${password}`)}`);
    }
    try {
      const { HttpsCACertificates: ca } = this.http;
      const response = await outgoingFetch(request.url, {
        method: request.method,
        headers,
        body: request.body,
        signal: request.timeoutMs > 0 ? AbortSignal.timeout(request.timeoutMs) : undefined,
        tls: {
          rejectUnauthorized: this.http.HttpsVerifyPeers,
          ...(ca ? { ca: readFileSync(ca, "utf8") } : {}),
        },
      }, this.http);
      return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
    } catch (error) {
      log.error(`Lua: ${request.method} ${request.url} failed: ${(error as Error).message}`);
      return { status: 0, body: new Uint8Array() };
    }
  }
}
