// The server's side of a plugin in a worker (PluginsIsolation "Worker"): the worker thread that
// runs the plugin's module, seen by the loader as an ordinary plugin whose initialize() and
// finalize() run over there. What the plugin registers in the worker is registered here on the
// real host, as forwarders; the host calls the plugin makes are served here. Every call into the
// worker has PluginCallbackTimeout: a worker that outlives it (a CPU loop, a microtask loop, a
// promise that never settles) is terminated, the failure logged, and a new worker loads the
// module and runs initialize() again, its registrations already in place.
import type { Encoding } from "../../dicom/charsets.ts";
import { log } from "../../log.ts";
import { OrthancError } from "../../server/errors.ts";
import type { KeyValueCall } from "../key-value-access.ts";
import type {
  FindQuery,
  NewDictionaryTag,
  PharosHost,
  PharosPlugin,
  PluginErrorFactory,
} from "../pharos-plugin.d.ts";
import { Channel, type ChannelMessage } from "./channel.ts";
import type {
  CallbackKind,
  FilterAnswer,
  ModuleInfo,
  MoveAnswer,
  RouteSpec,
  WorkerIdentity,
} from "./kinds.ts";
import {
  fromWireResponse,
  toWireInstance,
  toWireRequest,
  toWireResponse,
  type WireResponse,
} from "./wire.ts";

export interface IsolationOptions {
  /** worker-main.ts, as the composition root locates it (in the executable too). */
  workerUrl: URL;
  /** PluginCallbackTimeout, in milliseconds. */
  timeoutMs: number;
  /** The server's DefaultEncoding, as it is now. */
  encoding: () => Encoding;
}

/** Host calls a worker may make, answered by the real host of the plugin. */
const HOST_CALLS = new Set([
  "lookup.patient",
  "lookup.study",
  "lookup.studyByAccessionNumber",
  "lookup.series",
  "lookup.instance",
  "getDicomForInstance",
  "reconstructMainDicomTags",
  "globalProperties.get",
  "globalProperties.set",
  "workers.run",
  "imaging.decodeFrame",
  "imaging.transcode",
  "storageArea.create",
  "storageArea.read",
  "storageArea.readRange",
  "storageArea.remove",
  "setStableStatus",
]);

const LABELS: Record<CallbackKind, string> = {
  route: "REST callback",
  httpFilter: "HTTP request filter",
  instanceFilter: "incoming-instance filter",
  cstoreFilter: "C-STORE filter",
  findFilter: "C-FIND request filter",
  worklistFilter: "worklist request filter",
  outgoingFindFilter: "outgoing C-FIND filter",
  received: "received-instance callback",
  change: "on-change callback",
  stored: "on-stored-instance callback",
  refresh: "refresh-metrics callback",
  audit: "audit-log handler",
  find: "C-FIND handler",
  worklist: "worklist handler",
  move: "C-MOVE handler",
  moveStep: "C-MOVE driver",
  commitment: "storage commitment handler",
  dicomWebBinary: "DICOMweb binary callback",
};

/** Loads a plugin's module in a worker; the answer is the plugin as the loader sees it. */
export async function isolatedPlugin(
  file: string,
  options: IsolationOptions,
): Promise<PharosPlugin> {
  const supervisor = new Supervisor(file, options);
  const info = await supervisor.load();
  return {
    name: info.name,
    version: info.version,
    description: info.description,
    initialize: (host) => supervisor.initialize(host),
    finalize: () => supervisor.finalize(),
  };
}

class Supervisor {
  private worker?: Worker;
  private channel?: Channel;
  private host?: PharosHost;
  private identity?: WorkerIdentity;
  /** Set once the first initialize() succeeded: a restarted worker's registrations are known. */
  private registered = false;
  /** Settles when the current worker is ready for calls. */
  private ready: Promise<void> = Promise.resolve();
  private broken = false;
  private relaunching = false;
  private stopped = false;
  /** The plugin's own error codes, as the server numbered them. */
  private readonly errorCodes = new Map<number, PluginErrorFactory>();

  constructor(private readonly file: string, private readonly options: IsolationOptions) {}

  private get name(): string {
    return this.host ? `plugin "${this.host.pluginName}"` : this.file;
  }

  private spawn(): Channel {
    const worker = new Worker(this.options.workerUrl);
    // An idle worker must not keep a stopping process alive (Bun's Worker.unref).
    (worker as Worker & { unref(): void }).unref();
    const channel = new Channel(
      (message) => worker.postMessage(message),
      (name, args) => this.serve(name, args),
    );
    worker.onmessage = (event: MessageEvent<ChannelMessage>) => channel.receive(event.data);
    worker.addEventListener("error", (event) => {
      log.error(`The worker of ${this.name} failed: ${event.message}`);
    });
    worker.addEventListener("close", () => {
      // A worker given up on (broken) is restarted by the next call, not by its own end.
      if (!this.broken) this.restart(channel, "its worker exited");
    });
    this.worker = worker;
    this.channel = channel;
    return channel;
  }

  /** A call into the worker, with the deadline: past it, the worker is replaced. */
  private invoke(channel: Channel, name: string, args: unknown[], what: string): Promise<unknown> {
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    const timer = setTimeout(() => {
      reject(
        new OrthancError(
          "Timeout",
          `The ${what} of ${this.name} did not answer within ${this.options.timeoutMs / 1000} s`,
        ),
      );
      this.restart(channel, `its ${what} did not answer within ${this.options.timeoutMs / 1000} s`);
    }, this.options.timeoutMs);
    channel.call(name, args).then(resolve, reject).finally(() => clearTimeout(timer));
    return promise;
  }

  async load(): Promise<ModuleInfo> {
    const channel = this.spawn();
    try {
      return await this.invoke(channel, "load", [this.file], "loading") as ModuleInfo;
    } catch (error) {
      this.terminate();
      throw error;
    }
  }

  async initialize(host: PharosHost): Promise<void> {
    this.host = host;
    this.identity = {
      pluginName: host.pluginName,
      pharosVersion: host.pharosVersion,
      orthancVersion: host.orthancVersion,
      expectedDatabaseVersion: host.expectedDatabaseVersion,
      configuration: structuredClone(host.configuration) as Record<string, unknown>,
      configurationDirectory: host.configurationDirectory,
      encoding: this.options.encoding(),
      token: host.rest.generateAuthorizationToken(),
    };
    try {
      await this.invoke(this.channel!, "initialize", [this.identity], "initialize()");
    } catch (error) {
      this.terminate();
      throw error;
    }
    this.registered = true;
  }

  async finalize(): Promise<void> {
    const channel = this.channel;
    try {
      await this.ready;
      if (channel && !this.broken) await this.invoke(channel, "finalize", [], "finalize()");
    } finally {
      this.terminate();
    }
  }

  private terminate(): void {
    this.stopped = true;
    this.worker?.terminate();
    this.channel?.failAll(new OrthancError("Plugin", `The worker of ${this.name} has stopped`));
  }

  /** Replaces a worker that failed its deadline or exited; calls wait for the new one. */
  private restart(channel: Channel, reason: string): void {
    if (channel !== this.channel || this.stopped || this.relaunching) return;
    this.worker?.terminate();
    if (!this.registered) {
      // Still loading: the loader reports the failure and leaves the plugin out.
      this.stopped = true;
      log.error(`The worker of ${this.name} stopped: ${reason}`);
      channel.failAll(new OrthancError("Plugin", `The worker of ${this.name} stopped: ${reason}`));
      return;
    }
    log.error(`The worker of ${this.name} is terminated and restarted: ${reason}`);
    channel.failAll(new OrthancError("Plugin", `The worker of ${this.name} was restarted`));
    this.ready = this.relaunch();
  }

  /**
   * A new worker, initialized again. When that fails (or times out), the plugin stays broken:
   * its calls fail, and the next one tries again.
   */
  private async relaunch(): Promise<void> {
    this.relaunching = true;
    const channel = this.spawn();
    try {
      await this.invoke(channel, "load", [this.file], "loading");
      await this.invoke(channel, "initialize", [this.identity], "initialize()");
      this.broken = false;
    } catch (error) {
      this.broken = true;
      this.worker?.terminate();
      log.error(`The worker of ${this.name} could not be restarted: ${String(error)}`);
    } finally {
      this.relaunching = false;
    }
  }

  /** Calls a callback the plugin registered in its worker. */
  private async callback(kind: CallbackKind, index: number, args: unknown[]): Promise<unknown> {
    if (this.broken && this.channel) this.restart(this.channel, "its last restart failed");
    await this.ready;
    if (this.broken) {
      throw new OrthancError("Plugin", `The worker of ${this.name} could not be restarted`);
    }
    try {
      return await this.invoke(this.channel!, "callback", [kind, index, args], LABELS[kind]);
    } catch (error) {
      throw this.numbered(error);
    }
  }

  /** An error of the plugin's own code, with the number the server gave that code. */
  private numbered(error: unknown): unknown {
    if (!(error instanceof OrthancError) || !error.pluginCode) return error;
    const factory = this.errorCodes.get(error.pluginCode.pluginCode);
    return factory ? factory(error.details) : error;
  }

  /** What the worker asks of the server. */
  private async serve(name: string, args: unknown[]): Promise<unknown> {
    const host = this.host;
    if (name === "register") {
      return this.register(args[0] as CallbackKind, args[1] as number, args[2]);
    }
    if (name === "stray") {
      log.error(`Uncaught error in ${this.name} (in its worker), which goes on: ${args[0]}`);
      return;
    }
    if (!host) throw new Error(`${name} before initialize()`);
    switch (name) {
      case "log":
        return host.log[args[0] as "error" | "warning" | "info" | "trace"](String(args[1]));
      case "setDescription":
        return host.setDescription(String(args[0]));
      case "extendExplorer":
        return host.extendExplorer(String(args[0]));
      case "metrics.set":
        return host.metrics.set(String(args[0]), Number(args[1]));
      case "setRootUri":
        return host.setRootUri(String(args[0]));
      case "registerErrorCode": {
        const [code, status, message] = args as [number, number, string];
        this.errorCodes.set(code, host.registerErrorCode(code, status, message));
        return;
      }
      case "emitAuditLog":
        return host.emitAuditLog(args[0] as Parameters<PharosHost["emitAuditLog"]>[0]);
      case "dictionary.register":
        return host.dictionary.register(args[0] as NewDictionaryTag);
      case "keyValues":
        return await keyValueCall(host, args[0] as KeyValueCall);
      case "rest.call": {
        const [method, uri, options] = args as [string, string, Record<string, unknown>];
        return await toWireResponse(await host.rest.call(method, uri, options));
      }
    }
    if (!HOST_CALLS.has(name)) throw new Error(`unknown host call ${name}`);
    const [group, method] = name.includes(".") ? name.split(".") : [undefined, name];
    const target = (group ? host[group as keyof PharosHost] : host) as Record<
      string,
      (...a: unknown[]) => unknown
    >;
    return await target[method].apply(target, args);
  }

  /** A registration made in the worker, made on the real host (the first time only). */
  private register(kind: CallbackKind, index: number, extra: unknown): void {
    const host = this.host;
    if (this.registered || !host) return;
    const call = (...args: unknown[]) => this.callback(kind, index, args);
    const instance = (i: Parameters<Parameters<PharosHost["onIncomingInstance"]>[0]>[0]) =>
      toWireInstance(i, this.options.encoding());
    switch (kind) {
      case "route": {
        const spec = extra as RouteSpec;
        host.rest.register(
          new RegExp(spec.source, spec.flags),
          async (request, match) =>
            fromWireResponse(await call(await toWireRequest(request), match) as WireResponse),
          { exclusive: spec.exclusive },
        );
        return;
      }
      case "httpFilter":
        return host.onIncomingHttpRequest(async (info) => {
          const answer = await call(info) as boolean | FilterAnswer;
          return typeof answer === "object" ? fromWireResponse(answer.answer) : answer;
        });
      case "instanceFilter":
        return host.onIncomingInstance(async (i) => Boolean(await call(instance(i))));
      case "cstoreFilter":
        return host.onIncomingCStoreInstance(async (i) => await call(instance(i)) as number);
      case "findFilter":
        return host.onIncomingFindRequest(async (query, origin) =>
          await call(query, origin) as FindQuery | undefined
        );
      case "worklistFilter":
        return host.onIncomingWorklistRequest(async (query, origin) =>
          await call(query, origin) as FindQuery | undefined
        );
      case "outgoingFindFilter":
        return host.onOutgoingFindRequest(async (query, aet) =>
          await call(query, aet) as FindQuery | undefined
        );
      case "received":
        return host.onReceivedInstance(async (bytes, origin) => await call(bytes, origin) as never);
      case "change":
        return host.onChange(async (change) => void await call(change));
      case "stored":
        return host.onStoredInstance(async (i) => void await call(instance(i)));
      case "refresh":
        return host.metrics.onRefresh(async () => void await call());
      case "audit":
        return host.onAuditLog(async (record) => void await call(record));
      case "find":
        return host.dimse.onFind(async (request) => await call(request) as never);
      case "worklist":
        return host.dimse.onWorklist(async (request) => await call(request) as never);
      case "commitment":
        return host.dimse.onStorageCommitment(async (request) => await call(request) as never);
      case "dicomWebBinary":
        return host.dicomWeb.registerBinaryCallback(async (node) => await call(node) as never);
      case "move":
        return host.dimse.onMove(async (request) => {
          const answer = await call(request) as MoveAnswer | undefined;
          if (!answer) return undefined;
          return {
            size: answer.size,
            apply: async () => void await this.callback("moveStep", answer.driver, []),
          };
        });
    }
  }
}

/** A key-value call of a worker, made on the real host's stores and queues. */
function keyValueCall(host: PharosHost, call: KeyValueCall): Promise<unknown> {
  const [kind, id, method, ...rest] = call;
  const target =
    (kind === "store" ? host.keyValues.store(id) : host.keyValues.queue(id)) as unknown as Record<
      string,
      (...a: unknown[]) => Promise<unknown>
    >;
  if (typeof target[method] !== "function") throw new TypeError(`Unknown call ${kind}.${method}`);
  return target[method](...rest);
}
