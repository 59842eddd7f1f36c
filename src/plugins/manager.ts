// The plugin host: loads the ESM plugins named by `Plugins`, hands each one its API object
// (host.ts), keeps what they register, and dispatches the server's events to them. Every call
// into a plugin is guarded: its failure is logged with the plugin's name and never escapes.
import { readdirSync, statSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Hono } from "hono";
import { type Configuration, ConfigurationError } from "../config/schema.ts";
import type { JsonValue } from "../dicom/tags-json.ts";
import { log } from "../log.ts";
import type { AppEnv } from "../rest/context.ts";
import type { PharosCore } from "../server/core.ts";
import { OrthancError } from "../server/errors.ts";
import type { StoredInstanceEvent } from "../server/events.ts";
import type { JobRegistry, SteppedJob } from "../server/jobs.ts";
import type { IncomingInstance, ReceivedDecision } from "../server/store.ts";
import { createHost, instanceView, toPluginChange } from "./host.ts";
import type { Codecs } from "../imaging/codecs.ts";
import { MetricsRegistry } from "./metrics.ts";
import { PluginWorkers } from "./workers.ts";
import type {
  ChangeEvent,
  DicomInstance,
  HttpRequestInfo,
  ImageDecoder,
  InstanceOrigin,
  JobStepStatus,
  PharosPlugin,
  PluginJob,
  PluginStorageArea,
  ReceivedInstanceDecision,
  RestHandler,
  Transcoder,
  WebDavCollection,
} from "./pharos-plugin.d.ts";
import { uriItems } from "./webdav.ts";

/** Orthanc's built-in WebDAV folders: plugins may not register collections there. */
const RESERVED_WEBDAV = ["by-dates", "by-patients", "by-studies", "by-uids", "uploads"];

export const PLUGIN_EXTENSIONS = [".js", ".mjs", ".ts"];

type Awaitable<T> = T | Promise<T>;

export interface PluginRoute {
  plugin: LoadedPlugin;
  pattern: RegExp;
  handler: RestHandler;
  /** For exclusive routes: the tail of the queue of calls. */
  queue?: Promise<unknown>;
}

/** What one plugin registered; merged into the host's lists once its initialize() succeeds. */
export interface Registrations {
  routes: Omit<PluginRoute, "plugin">[];
  httpFilters: ((request: HttpRequestInfo) => Awaitable<boolean>)[];
  instanceFilters: ((instance: DicomInstance) => Awaitable<boolean>)[];
  cstoreFilters: ((instance: DicomInstance) => Awaitable<number | undefined | void>)[];
  received: ((
    bytes: Uint8Array,
    origin: InstanceOrigin,
  ) => Awaitable<ReceivedInstanceDecision | undefined>)[];
  changes: ((change: ChangeEvent) => Awaitable<void>)[];
  stored: ((instance: DicomInstance) => Awaitable<void>)[];
  refresh: (() => Awaitable<void>)[];
  unserializers: ((type: string, serialized: unknown) => PluginJob | undefined | null)[];
  decoders: ImageDecoder[];
  transcoders: Transcoder[];
  storage?: PluginStorageArea;
  explorer: string[];
  webdav: { items: string[]; collection: WebDavCollection }[];
}

/** A plugin's WebDAV collection, served at /webdav/<items…>/. */
export interface PluginWebDav {
  plugin: LoadedPlugin;
  items: string[];
  collection: WebDavCollection;
}

export interface LoadedPlugin {
  id: string;
  version: string;
  description?: string;
  path: string;
  module: PharosPlugin;
  registrations: Registrations;
}

/** A plugin that cannot be loaded; fatal only with PluginsFailOnError. */
export class PluginLoadError extends ConfigurationError {}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** The plugin files a `Plugins` entry names: the file itself, or a folder's modules. */
export function pluginFiles(directory: string, entries: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    const path = resolve(directory, entry);
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      throw new PluginLoadError(`Inexistent path to plugins: ${path}`);
    }
    if (!isFolder) {
      out.push(path);
      continue;
    }
    for (const name of readdirSync(path).sort()) {
      if (name.endsWith(".d.ts") || !PLUGIN_EXTENSIONS.includes(extname(name))) continue;
      const file = join(path, name);
      if (statSync(file).isFile()) out.push(file);
    }
  }
  return out;
}

/** The plugin a module describes: a default-exported object, or a default-exported function. */
function pluginOfModule(mod: Record<string, unknown>): PharosPlugin {
  const d = mod.default as unknown;
  if (typeof d === "function") {
    const named = (key: string) => (typeof mod[key] === "string" ? mod[key] as string : undefined);
    return {
      name: named("name"),
      version: named("version"),
      description: named("description"),
      initialize: d as PharosPlugin["initialize"],
      finalize: typeof mod.finalize === "function"
        ? mod.finalize as PharosPlugin["finalize"]
        : undefined,
    };
  }
  if (d && typeof d === "object" && typeof (d as PharosPlugin).initialize === "function") {
    return d as PharosPlugin;
  }
  throw new PluginLoadError("the module does not default-export initialize(host)");
}

export class PluginManager {
  readonly plugins: LoadedPlugin[] = [];
  readonly routes: PluginRoute[] = [];
  readonly httpFilters: { plugin: LoadedPlugin; fn: Registrations["httpFilters"][number] }[] = [];
  readonly webdav: PluginWebDav[] = [];
  readonly metrics = new MetricsRegistry();
  /** In-process requests made by plugins, and whether they may reach the plugins' routes. */
  readonly internalRequests = new WeakMap<Request, { afterPlugins: boolean }>();
  readonly tokens = new Set<string>();
  /** The worker pools of host.workers.run. */
  readonly workers = new PluginWorkers();
  private app?: Hono<AppEnv>;
  private readonly instanceFilters: {
    plugin: LoadedPlugin;
    fn: Registrations["instanceFilters"][number];
  }[] = [];
  private readonly cstoreFilters: {
    plugin: LoadedPlugin;
    fn: Registrations["cstoreFilters"][number];
  }[] = [];
  private readonly received: { plugin: LoadedPlugin; fn: Registrations["received"][number] }[] = [];
  private readonly changes: { plugin: LoadedPlugin; fn: Registrations["changes"][number] }[] = [];
  private readonly stored: { plugin: LoadedPlugin; fn: Registrations["stored"][number] }[] = [];
  private readonly refresh: { plugin: LoadedPlugin; fn: Registrations["refresh"][number] }[] = [];
  private changeQueue: Promise<void> = Promise.resolve();
  private storageOwner?: LoadedPlugin;

  constructor(
    readonly config: Configuration,
    readonly core: PharosCore,
    readonly jobs: JobRegistry,
    readonly codecs: Codecs,
  ) {
    this.metrics.enabled = config.raw.MetricsEnabled !== false;
  }

  /** The REST application that host.rest.* calls into. */
  attachApp(app: Hono<AppEnv>): void {
    this.app = app;
  }

  /**
   * Loads every configured plugin in order. A plugin that fails is logged by name and left out;
   * with `failOnError` its failure stops the startup instead.
   */
  async loadAll(failOnError = false): Promise<void> {
    let files: string[];
    try {
      files = pluginFiles(this.config.configurationDirectory, this.config.Plugins);
    } catch (error) {
      if (failOnError) throw error;
      log.error((error as Error).message);
      files = [];
      // Load what can be loaded: each entry on its own.
      for (const entry of this.config.Plugins) {
        try {
          files.push(...pluginFiles(this.config.configurationDirectory, [entry]));
        } catch {
          // reported above
        }
      }
    }
    for (const file of files) {
      try {
        await this.load(file);
      } catch (error) {
        const name = basename(file, extname(file));
        const message = `Plugin "${name}" (${file}) failed to load: ${describeError(error)}`;
        if (failOnError) throw new PluginLoadError(message);
        log.error(message);
      }
    }
    this.wire();
  }

  private async load(file: string): Promise<void> {
    const mod = await import(pathToFileURL(file).href) as Record<string, unknown>;
    const module = pluginOfModule(mod);
    const id = module.name ?? basename(file, extname(file));
    if (this.plugins.some((p) => p.id === id)) {
      throw new PluginLoadError(`a plugin named "${id}" is already loaded`);
    }
    const plugin: LoadedPlugin = {
      id,
      version: module.version ?? "unknown",
      description: module.description,
      path: file,
      module,
      registrations: {
        routes: [],
        httpFilters: [],
        instanceFilters: [],
        cstoreFilters: [],
        received: [],
        changes: [],
        stored: [],
        refresh: [],
        unserializers: [],
        decoders: [],
        transcoders: [],
        explorer: [],
        webdav: [],
      },
    };
    const state = { initializing: true };
    const host = createHost(this, plugin, state);
    try {
      await module.initialize(host);
    } finally {
      state.initializing = false;
    }
    this.adopt(plugin);
    log.warning(`Plugin "${id}" (version ${plugin.version}) loaded from ${file}`);
  }

  /** Registers a storage area from a plugin's initialize(); installed if it succeeds. */
  claimStorageArea(plugin: LoadedPlugin, area: PluginStorageArea, initializing: boolean): void {
    if (!initializing) {
      throw new OrthancError(
        "BadRequest",
        "A storage area can only be registered from initialize()",
      );
    }
    if (this.storageOwner || plugin.registrations.storage) {
      throw new OrthancError("BadRequest", "Another plugin has already registered a storage area");
    }
    for (const method of ["create", "read", "remove"] as const) {
      if (typeof area?.[method] !== "function") {
        throw new OrthancError("BadRequest", `The storage area has no ${method}() method`);
      }
    }
    plugin.registrations.storage = area;
  }

  /** Registers a WebDAV collection from a plugin's initialize(); served if it succeeds. */
  claimWebDav(
    plugin: LoadedPlugin,
    uri: string,
    collection: WebDavCollection,
    initializing: boolean,
  ): void {
    if (!initializing) {
      throw new OrthancError(
        "BadRequest",
        "A WebDAV collection can only be registered from initialize()",
      );
    }
    const items = typeof uri === "string" ? uriItems(uri) : [];
    if (items.length === 0) throw new OrthancError("BadRequest", `Bad WebDAV URI: ${String(uri)}`);
    for (const method of ["listFolder", "retrieveFile"] as const) {
      if (typeof collection?.[method] !== "function") {
        throw new OrthancError("BadRequest", `The WebDAV collection has no ${method}() method`);
      }
    }
    for (const method of ["storeFile", "createFolder", "deleteItem"] as const) {
      if (collection[method] !== undefined && typeof collection[method] !== "function") {
        throw new OrthancError("BadRequest", `The WebDAV collection's ${method} is not a function`);
      }
    }
    if (items[0] === "webdav" && (items.length === 1 || RESERVED_WEBDAV.includes(items[1]!))) {
      throw new OrthancError(
        "BadRequest",
        `The WebDAV folder /${items.join("/")} is Orthanc's own`,
      );
    }
    const key = items.join("/");
    const taken = [...this.webdav, ...plugin.registrations.webdav].some((w) =>
      w.items.join("/") === key
    );
    if (taken) {
      throw new OrthancError("BadRequest", `A WebDAV collection is already registered at ${key}`);
    }
    plugin.registrations.webdav.push({ items, collection });
  }

  private adopt(plugin: LoadedPlugin): void {
    const r = plugin.registrations;
    this.plugins.push(plugin);
    for (const route of r.routes) this.routes.push({ ...route, plugin });
    for (const fn of r.httpFilters) this.httpFilters.push({ plugin, fn });
    for (const fn of r.instanceFilters) this.instanceFilters.push({ plugin, fn });
    for (const fn of r.cstoreFilters) this.cstoreFilters.push({ plugin, fn });
    for (const fn of r.received) this.received.push({ plugin, fn });
    for (const fn of r.changes) this.changes.push({ plugin, fn });
    for (const fn of r.stored) this.stored.push({ plugin, fn });
    for (const fn of r.refresh) this.refresh.push({ plugin, fn });
    for (const w of r.webdav) this.webdav.push({ plugin, ...w });
    for (const fn of r.decoders) {
      this.codecs.decoders.add((dicom, frame) =>
        this.guard(plugin, "image decoder", () => fn(dicom, frame))
      );
    }
    for (const fn of r.transcoders) {
      this.codecs.transcoders.add(async (dicom, allowed, allowNewUid) =>
        (await this.guard(plugin, "transcoder", () => fn(dicom, [...allowed], allowNewUid))) ??
          undefined
      );
    }
    if (r.storage) {
      this.storageOwner = plugin;
      this.core.useStorageArea(storageAdapter(plugin, r.storage));
    }
  }

  /** Hooks into the store pipeline and the event bus only what some plugin listens to. */
  private wire(): void {
    const { core } = this;
    if (this.received.length > 0) {
      core.receivedCallbacks.push((bytes, origin) => this.dispatchReceived(bytes, origin));
    }
    if (this.instanceFilters.length > 0) {
      core.filters.push((instance) => this.dispatchInstanceFilter(instance));
    }
    // After the instance filters, as in Orthanc.
    if (this.cstoreFilters.length > 0) {
      core.filters.push((instance) =>
        instance.origin.kind === "DicomProtocol" ? this.dispatchCStoreFilter(instance) : 0
      );
    }
    if (this.stored.length > 0) {
      core.events.onStoredInstance((event) => this.dispatchStored(event));
    }
    if (this.changes.length > 0) {
      core.events.onChange((event) => this.queueChange(toPluginChange(event)));
    }
  }

  private async dispatchReceived(
    input: Uint8Array,
    origin: InstanceOrigin,
  ): Promise<ReceivedDecision> {
    let bytes = input;
    let replaced = false;
    for (const { plugin, fn } of this.received) {
      let decision: ReceivedInstanceDecision | undefined;
      try {
        decision = await fn(bytes, { ...origin });
      } catch (error) {
        throw this.pipelineError(plugin, "received-instance callback", error);
      }
      if (decision === undefined || decision.action === "keep") continue;
      if (decision.action === "discard") return { action: "discard" };
      if (decision.action === "replace" && decision.bytes instanceof Uint8Array) {
        bytes = decision.bytes;
        replaced = true;
        continue;
      }
      throw this.pipelineError(
        plugin,
        "received-instance callback",
        new Error(`bad decision: ${JSON.stringify(decision)}`),
      );
    }
    return replaced ? { action: "replace", bytes } : { action: "keep" };
  }

  private async dispatchInstanceFilter(instance: IncomingInstance): Promise<boolean> {
    const view = instanceView(this.core, instance.bytes, instance.origin, instance.summary.ids, {
      parsed: instance.parsed,
      transferSyntax: instance.summary.transferSyntax,
      sopClassUid: instance.summary.sopClassUid,
    });
    for (const { plugin, fn } of this.instanceFilters) {
      let allowed: boolean;
      try {
        allowed = await fn(view);
      } catch (error) {
        throw this.pipelineError(plugin, "incoming-instance filter", error);
      }
      if (!allowed) {
        log.info(`Plugin "${plugin.id}" filtered out instance ${instance.summary.ids.instance}`);
        return false;
      }
    }
    return true;
  }

  /** 0 accepts; otherwise the DIMSE status of the first filter that refuses. */
  private async dispatchCStoreFilter(instance: IncomingInstance): Promise<number> {
    const view = instanceView(this.core, instance.bytes, instance.origin, instance.summary.ids, {
      parsed: instance.parsed,
      transferSyntax: instance.summary.transferSyntax,
      sopClassUid: instance.summary.sopClassUid,
    });
    for (const { plugin, fn } of this.cstoreFilters) {
      let status: unknown;
      try {
        status = await fn(view);
        if (status === undefined) status = 0;
        if (
          typeof status !== "number" || !Number.isInteger(status) || status < 0 || status > 0xffff
        ) {
          throw new Error(`not a DIMSE status: ${JSON.stringify(status)}`);
        }
      } catch (error) {
        throw this.pipelineError(plugin, "C-STORE filter", error);
      }
      if (status !== 0) {
        log.info(
          `Plugin "${plugin.id}" refused the C-STORE of instance ${instance.summary.ids.instance} ` +
            `with DIMSE status 0x${status.toString(16).padStart(4, "0")}`,
        );
        return status;
      }
    }
    return 0;
  }

  /** Queues a plugin's job (host.jobs.submit); its callbacks are guarded. */
  submitJob(plugin: LoadedPlugin, spec: PluginJob): string {
    const stepped = this.steppedJob(plugin, spec);
    return this.jobs.submitStepped(spec.type, stepped, spec.priority ?? 0).id;
  }

  /**
   * Rebuilds a saved plugin job: the first unserializer (in loading order) that answers a job
   * wins (OrthancPluginRegisterJobsUnserializer).
   */
  unserializeJob(type: string, serialized: JsonValue): SteppedJob | undefined {
    for (const plugin of this.plugins) {
      for (const fn of plugin.registrations.unserializers) {
        let spec: PluginJob | undefined | null;
        try {
          spec = fn(type, structuredClone(serialized));
        } catch (error) {
          log.error(
            `Error in the jobs unserializer of plugin "${plugin.id}": ${describeError(error)}`,
          );
          continue;
        }
        if (spec === undefined || spec === null) continue;
        try {
          return this.steppedJob(plugin, spec);
        } catch (error) {
          log.error(`Plugin "${plugin.id}" unserialized an invalid job: ${describeError(error)}`);
        }
      }
    }
    return undefined;
  }

  /** A plugin's job as the registry runs it, every callback guarded. */
  private steppedJob(plugin: LoadedPlugin, spec: PluginJob): SteppedJob {
    if (!spec || typeof spec !== "object") throw new TypeError("A job must be an object");
    if (typeof spec.type !== "string" || spec.type === "") {
      throw new TypeError("A job needs a non-empty type");
    }
    for (const method of ["step", "getProgress", "getContent"] as const) {
      if (typeof spec[method] !== "function") throw new TypeError(`A job needs ${method}()`);
    }
    const priority = spec.priority ?? 0;
    if (!Number.isInteger(priority)) throw new TypeError("A job's priority must be an integer");
    const what = (method: string) => `${method} of the job "${spec.type}"`;
    const report = (method: string, error: unknown) =>
      log.error(`Error in the ${what(method)} of plugin "${plugin.id}": ${describeError(error)}`);
    const stepped: SteppedJob = {
      step: async () => {
        let status: JobStepStatus;
        try {
          status = await spec.step();
          if (status !== "continue" && status !== "success" && status !== "failure") {
            throw new Error(`step() answered ${JSON.stringify(status)}`);
          }
        } catch (error) {
          report("step()", error);
          throw new OrthancError(
            "Plugin",
            `Error in the ${what("step()")} of plugin "${plugin.id}": ${
              error instanceof Error ? error.message : String(error)
            }`,
          );
        }
        return status;
      },
      stop: async (reason) => {
        if (spec.stop) await this.guard(plugin, what("stop()"), () => spec.stop!(reason));
      },
      update: (job) => {
        try {
          const progress = Number(spec.getProgress());
          if (Number.isFinite(progress)) {
            job.progress = Math.round(Math.min(1, Math.max(0, progress)) * 100);
          }
        } catch (error) {
          report("getProgress()", error);
        }
        try {
          const content = spec.getContent();
          if (!content || typeof content !== "object" || Array.isArray(content)) {
            throw new Error("getContent() must answer a JSON object");
          }
          job.content = JSON.parse(JSON.stringify(content));
        } catch (error) {
          report("getContent()", error);
        }
      },
      serialize: () => {
        if (!spec.serialize) return undefined;
        try {
          const value = spec.serialize();
          return value === undefined ? undefined : JSON.parse(JSON.stringify(value)) as JsonValue;
        } catch (error) {
          report("serialize()", error);
          return undefined;
        }
      },
    };
    return stepped;
  }

  private dispatchStored(event: StoredInstanceEvent): void {
    const view = instanceView(this.core, event.bytes, event.origin, event.ids);
    for (const { plugin, fn } of this.stored) {
      this.guard(plugin, "on-stored-instance callback", () => fn(view));
    }
  }

  /** Changes reach the plugins in order, one at a time, as Orthanc's change thread does. */
  private queueChange(change: ChangeEvent): void {
    this.changeQueue = this.changeQueue.then(async () => {
      for (const { plugin, fn } of this.changes) {
        await this.guard(plugin, "on-change callback", () => fn({ ...change }));
      }
    });
  }

  /** OrthancStarted, once the HTTP server listens. */
  started(): void {
    if (this.changes.length > 0) this.queueChange(signal("OrthancStarted"));
  }

  /** OrthancStopped, then each plugin's finalize(), last loaded first. */
  async stop(): Promise<void> {
    if (this.changes.length > 0) this.queueChange(signal("OrthancStopped"));
    await this.changeQueue;
    for (const plugin of [...this.plugins].reverse()) {
      const finalize = plugin.module.finalize;
      if (finalize) await this.guard(plugin, "finalize()", () => finalize.call(plugin.module));
    }
    this.tokens.clear();
    this.workers.terminate();
  }

  /** Runs each refresh callback, then renders the metrics. */
  async refreshMetrics(): Promise<void> {
    await Promise.all(
      this.refresh.map(({ plugin, fn }) => this.guard(plugin, "refresh-metrics callback", fn)),
    );
  }

  /** Calls into a plugin; a throw or a rejection is logged and swallowed. */
  async guard<T>(
    plugin: LoadedPlugin,
    what: string,
    fn: () => Awaitable<T>,
  ): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      log.error(`Error in the ${what} of plugin "${plugin.id}": ${describeError(error)}`);
      return undefined;
    }
  }

  /** A plugin's failure inside the store pipeline: logged, and the store answers 500. */
  private pipelineError(plugin: LoadedPlugin, what: string, error: unknown): Error {
    if (error instanceof OrthancError) return error;
    log.error(`Error in the ${what} of plugin "${plugin.id}": ${describeError(error)}`);
    return new OrthancError(
      "InternalError",
      `Error in the ${what} of plugin "${plugin.id}": ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }

  /** In-process call into the REST API (host.rest.*): no authentication, no HTTP filter. */
  async restCall(
    method: string,
    uri: string,
    options: { headers?: Record<string, string>; body?: BodyInit; afterPlugins?: boolean } = {},
  ): Promise<Response> {
    if (!this.app) throw new OrthancError("InternalError", "The REST API is not available yet");
    if (!uri.startsWith("/")) throw new OrthancError("BadRequest", `Bad URI: ${uri}`);
    const request = new Request(`http://localhost${uri}`, {
      method: method.toUpperCase(),
      headers: options.headers,
      body: options.body ?? null,
    });
    this.internalRequests.set(request, { afterPlugins: options.afterPlugins === true });
    return await this.app.fetch(request, { remoteAddress: undefined });
  }

  generateToken(): string {
    const bytes = crypto.getRandomValues(new Uint8Array(24));
    const token = `Bearer ${Buffer.from(bytes).toString("base64url")}`;
    this.tokens.add(token);
    return token;
  }

  /** Requests that skip authentication: plugins' in-process calls and their tokens. */
  trusted(request: Request): boolean {
    if (this.internalRequests.has(request)) return true;
    const authorization = request.headers.get("authorization");
    return authorization !== null && this.tokens.has(authorization);
  }

  storageAreaPlugin(): string | undefined {
    return this.storageOwner?.id;
  }
}

function signal(changeType: "OrthancStarted" | "OrthancStopped"): ChangeEvent {
  return { changeType, changeTypeCode: 0, level: null, resourceId: "", date: "" };
}

function storageAdapter(plugin: LoadedPlugin, area: PluginStorageArea) {
  const fail = (what: string, error: unknown): never => {
    log.error(
      `Error in the storage area of plugin "${plugin.id}" (${what}): ${describeError(error)}`,
    );
    throw new OrthancError(
      "InternalError",
      `Error in the storage area of plugin "${plugin.id}": ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  };
  return {
    async create(uuid: string, contentType: number, data: Uint8Array): Promise<void> {
      try {
        await area.create(uuid, contentType, data);
      } catch (error) {
        fail("create", error);
      }
    },
    async read(uuid: string, contentType: number): Promise<Uint8Array> {
      let data: unknown;
      try {
        data = await area.read(uuid, contentType);
      } catch (error) {
        return fail("read", error);
      }
      if (data instanceof Uint8Array) return data;
      if (data instanceof ArrayBuffer) return new Uint8Array(data);
      return fail("read", new Error("read() must return a Uint8Array"));
    },
    async remove(uuid: string, contentType: number): Promise<void> {
      try {
        await area.remove(uuid, contentType);
      } catch (error) {
        fail("remove", error);
      }
    },
  };
}
