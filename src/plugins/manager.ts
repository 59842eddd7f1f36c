// The plugin host: loads the ESM plugins named by `Plugins` (loader.ts), hands each one its API
// object (host.ts), and installs what it registered once its initialize() succeeds: hooks and
// codecs (hook-adapters.ts), and what only plugins have: REST routes, WebDAV collections, a
// storage area, jobs, metrics. Every call into a plugin is guarded: its failure is logged with
// the plugin's name and never escapes.
import type { Hono } from "hono";
import type { Configuration } from "../config/schema.ts";
import type { JsonValue } from "../dicom/tags-json.ts";
import type { Codecs } from "../imaging/codecs.ts";
import { log } from "../log.ts";
import type { AppEnv } from "../rest/context.ts";
import type { PharosCore } from "../server/core.ts";
import { OrthancError } from "../server/errors.ts";
import { describeError } from "../server/hooks.ts";
import type { JobRegistry, SteppedJob } from "../server/jobs.ts";
import { waitAtMost } from "./deadline.ts";
import { installDimseHandlers, type PluggableScp } from "./dimse-services.ts";
import { FilterAnswers } from "./filter-answers.ts";
import { guard } from "./guard.ts";
import { installCodecs, installDicomWebBinary, installHooks } from "./hook-adapters.ts";
import { BinaryModes } from "../dicomweb/binary-modes.ts";
import { createHost, type HostServices } from "./host.ts";
import type { LoadedPlugin, PluginRoute, PluginWebDav } from "./loaded-plugin.ts";
import { finalizePlugins, loadPlugins } from "./loader.ts";
import { MetricsRegistry } from "./metrics.ts";
import type {
  AuditRecord,
  Awaitable,
  JobStepStatus,
  PluginErrorFactory,
  PluginJob,
  PluginStorageArea,
  WebDavCollection,
} from "./pharos-plugin.d.ts";
import { auditRecord, deliverAudit } from "./audit-log.ts";
import { errorFactory, PluginErrorCodes } from "./error-codes.ts";
import { checkStorageArea, storageAdapter } from "./storage-area.ts";
import { isolatedPlugin } from "./isolation/supervisor.ts";
import { InstanceViews } from "./views.ts";
import { checkWebDavCollection } from "./webdav.ts";
import { PluginWorkers } from "./workers.ts";

export class PluginManager implements HostServices {
  readonly plugins: LoadedPlugin[] = [];
  readonly routes: PluginRoute[] = [];
  readonly webdav: PluginWebDav[] = [];
  readonly metrics = new MetricsRegistry();
  /** The plugins' DicomWebBinaryCallback, which the DICOMweb server asks. */
  readonly dicomWebBinary = new BinaryModes();
  /** In-process requests made by plugins, and whether they may reach the plugins' routes. */
  readonly internalRequests = new WeakMap<Request, { afterPlugins: boolean }>();
  readonly tokens = new Set<string>();
  /** The error codes plugins registered (host.registerErrorCode). */
  readonly errorCodes = new PluginErrorCodes();
  /** The answers of HTTP filters that answer a request themselves. */
  readonly filterAnswers = new FilterAnswers();
  /** The worker pools of host.workers.run. */
  readonly workers = new PluginWorkers();
  /** PluginCallbackTimeout, in milliseconds. */
  readonly callbackTimeoutMs: number;
  private readonly views: InstanceViews;
  private app?: Hono<AppEnv>;
  private storageOwner?: LoadedPlugin;

  constructor(
    readonly config: Configuration,
    readonly core: PharosCore,
    readonly jobs: JobRegistry,
    readonly codecs: Codecs,
    /** The entry point of an isolated plugin's worker (isolation/worker-main.ts). */
    private readonly isolationWorker: URL,
  ) {
    this.metrics.enabled = config.MetricsEnabled;
    this.callbackTimeoutMs = config.PluginCallbackTimeout * 1000;
    this.views = new InstanceViews(() => core.defaultEncoding);
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
    await loadPlugins(this.config, failOnError, {
      hostFor: (plugin, state) => createHost(this, plugin, state),
      adopt: (plugin) => this.adopt(plugin),
      isolated: (fileName) => this.config.PluginsIsolation[fileName] === "Worker",
      isolate: (file) =>
        isolatedPlugin(file, {
          workerUrl: this.isolationWorker,
          timeoutMs: this.callbackTimeoutMs,
          encoding: () => this.core.defaultEncoding,
        }),
    });
  }

  /** Lets the plugins' DICOM handlers (host.dimse) answer the SCP's requests; after loadAll(). */
  installDimse(scp: PluggableScp): void {
    installDimseHandlers(scp, {
      plugins: this.plugins,
      timeoutMs: this.callbackTimeoutMs,
      encoding: () => this.core.defaultEncoding,
    });
  }

  /** Registers a storage area from a plugin's initialize(); installed if it succeeds. */
  claimStorageArea(plugin: LoadedPlugin, area: PluginStorageArea, initializing: boolean): void {
    checkStorageArea(
      area,
      initializing,
      this.storageOwner !== undefined || plugin.registrations.storage !== undefined,
    );
    plugin.registrations.storage = area;
  }

  /** Registers a WebDAV collection from a plugin's initialize(); served if it succeeds. */
  claimWebDav(
    plugin: LoadedPlugin,
    uri: string,
    collection: WebDavCollection,
    initializing: boolean,
  ): void {
    const taken = [...this.webdav, ...plugin.registrations.webdav].map((w) => w.items);
    const items = checkWebDavCollection(uri, collection, initializing, taken);
    plugin.registrations.webdav.push({ items, collection });
  }

  private adopt(plugin: LoadedPlugin): void {
    const r = plugin.registrations;
    this.plugins.push(plugin);
    for (const route of r.routes) this.routes.push({ ...route, plugin });
    for (const w of r.webdav) this.webdav.push({ plugin, ...w });
    installHooks(this.core.hooks, this.views, plugin, this.callbackTimeoutMs, this.filterAnswers);
    installCodecs(this.codecs, plugin);
    installDicomWebBinary(this.dicomWebBinary, plugin, this.callbackTimeoutMs);
    if (r.storage) {
      this.storageOwner = plugin;
      this.core.useStorageArea(storageAdapter(plugin, r.storage));
    }
  }

  registerErrorCode(
    plugin: LoadedPlugin,
    code: number,
    httpStatus: number,
    message: string,
  ): PluginErrorFactory {
    return errorFactory(this.errorCodes.register(plugin.id, code, httpStatus, message));
  }

  /** An audit record: logged, and handed to the plugins that subscribed (host.onAuditLog). */
  emitAudit(plugin: LoadedPlugin, record: Omit<AuditRecord, "sourcePlugin">): void {
    deliverAudit(auditRecord(plugin.id, record), this.plugins);
  }

  /** Queues a plugin's job (host.jobs.submit); its callbacks are guarded. */
  submitJob(plugin: LoadedPlugin, spec: PluginJob): string {
    const stepped = this.steppedJob(plugin, spec);
    return this.jobs.submit({ type: spec.type, stepped, priority: spec.priority }).id;
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

  /** OrthancStarted, once the HTTP server listens. */
  started(): void {
    void this.core.hooks.notify("serverSignal", "OrthancStarted");
  }

  /**
   * OrthancStopped after the changes still queued, then each plugin's finalize(); each waited
   * for at most PluginCallbackTimeout, so that a plugin that never returns cannot keep the
   * index from closing.
   */
  async stop(): Promise<void> {
    await waitAtMost(
      this.core.hooks.notify("serverSignal", "OrthancStopped"),
      this.callbackTimeoutMs,
      "the plugins' on-change callbacks",
    );
    await waitAtMost(
      finalizePlugins(this.plugins),
      this.callbackTimeoutMs,
      "the plugins' finalize()",
    );
    this.tokens.clear();
    this.workers.terminate();
  }

  /** Runs each refresh callback, then renders the metrics. */
  async refreshMetrics(): Promise<void> {
    await this.core.hooks.notify("refreshMetrics", undefined);
  }

  /** Calls into a plugin; a throw or a rejection is logged and swallowed. */
  guard<T>(plugin: LoadedPlugin, what: string, fn: () => Awaitable<T>): Promise<T | undefined> {
    return guard(plugin, what, fn);
  }

  /** In-process call into the REST API (host.rest.*): no authentication, no HTTP filter. */
  async restCall(
    method: string,
    uri: string,
    options: {
      headers?: Record<string, string>;
      body?: BodyInit;
      afterPlugins?: boolean;
      /** Uploads through this call are stored with this origin (Lua's calls). */
      origin?: "Lua";
    } = {},
  ): Promise<Response> {
    if (!this.app) throw new OrthancError("InternalError", "The REST API is not available yet");
    if (!uri.startsWith("/")) throw new OrthancError("BadRequest", `Bad URI: ${uri}`);
    const request = new Request(`http://localhost${uri}`, {
      method: method.toUpperCase(),
      headers: options.headers,
      body: options.body ?? null,
    });
    this.internalRequests.set(request, { afterPlugins: options.afterPlugins === true });
    return await this.app.fetch(request, { remoteAddress: undefined, origin: options.origin });
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
