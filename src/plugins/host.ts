// The API object each plugin receives (the typed contract is pharos-plugin.d.ts). It reaches
// the server only through the host services (HostServices, which the plugin manager provides),
// the REST API and a few core services: never the index.
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import packageJson from "../../package.json" with { type: "json" };
import type { Configuration } from "../config/schema.ts";
import { parseDicom } from "../dicom/parser.ts";
import type { Codecs } from "../imaging/codecs.ts";
import { log } from "../log.ts";
import { ORTHANC_COMPATIBLE_VERSION } from "../rest/system.ts";
import type { PharosCore } from "../server/core.ts";
import { OrthancError } from "../server/errors.ts";
import { charsetOfEncoding } from "../dicom/charsets.ts";
import { createAnswers } from "./answers.ts";
import { createDicomForPlugin } from "./create-dicom.ts";
import { replaceElement } from "./dicom-edit.ts";
import { dictionaryAccess, toDicomJson } from "./dictionary-access.ts";
import { keyValueAccess, runKeyValueCall } from "./key-value-access.ts";
import type { LoadedPlugin, PluginRoute } from "./loaded-plugin.ts";
import type { MetricsRegistry } from "./metrics.ts";
import type {
  AuditRecord,
  PharosHost,
  PluginErrorFactory,
  PluginJob,
  PluginStorageArea,
  RestCallOptions,
  WebDavCollection,
} from "./pharos-plugin.d.ts";
import { storageAccess } from "./storage-access.ts";
import { restCalls } from "./rest-calls.ts";
import { simplifiedTags } from "./views.ts";
import type { PluginWorkers } from "./workers.ts";

/** What a plugin's host object calls into, so that it does not depend on the manager. */
export interface HostServices {
  readonly core: PharosCore;
  readonly config: Configuration;
  readonly codecs: Codecs;
  readonly metrics: MetricsRegistry;
  readonly workers: PluginWorkers;
  /** The plugins whose initialize() succeeded, and their routes. */
  readonly plugins: readonly LoadedPlugin[];
  readonly routes: PluginRoute[];
  restCall(method: string, uri: string, options?: RestCallOptions): Promise<Response>;
  generateToken(): string;
  submitJob(plugin: LoadedPlugin, spec: PluginJob): string;
  claimWebDav(
    plugin: LoadedPlugin,
    uri: string,
    collection: WebDavCollection,
    initializing: boolean,
  ): void;
  claimStorageArea(plugin: LoadedPlugin, area: PluginStorageArea, initializing: boolean): void;
  registerErrorCode(
    plugin: LoadedPlugin,
    code: number,
    httpStatus: number,
    message: string,
  ): PluginErrorFactory;
  emitAudit(plugin: LoadedPlugin, record: Omit<AuditRecord, "sourcePlugin">): void;
}

/** The database schema version of Orthanc 1.10.1 (ORTHANC_DATABASE_VERSION). */
export const ORTHANC_DATABASE_VERSION = 6;

function simplified(core: PharosCore, bytes: Uint8Array): Record<string, unknown> {
  return simplifiedTags(parseDicom(bytes), core.defaultEncoding);
}

const LOOKUP_TAGS = {
  patient: { level: "Patient", tag: "PatientID", key: "MainDicomTags" },
  study: { level: "Study", tag: "StudyInstanceUID", key: "MainDicomTags" },
  studyByAccessionNumber: { level: "Study", tag: "AccessionNumber", key: "MainDicomTags" },
  series: { level: "Series", tag: "SeriesInstanceUID", key: "MainDicomTags" },
  instance: { level: "Instance", tag: "SOPInstanceUID", key: "MainDicomTags" },
} as const;

function checkProperty(property: number): void {
  if (!Number.isInteger(property) || property < 1024 || property > 0x7fffffff) {
    throw new OrthancError(
      "ParameterOutOfRange",
      `Plugins may only use global properties >= 1024 (got ${property})`,
    );
  }
}

function callable<F>(handler: F): F {
  if (typeof handler !== "function") throw new TypeError("The handler must be a function");
  return handler;
}

export function createHost(
  services: HostServices,
  plugin: LoadedPlugin,
  state: { initializing: boolean },
): PharosHost {
  const { core, config } = services;
  const r = plugin.registrations;
  const prefix = `[plugin ${plugin.id}] `;
  const call = (method: string, uri: string, options?: RestCallOptions) =>
    services.restCall(method, uri, options);

  /** Exact lookups through /tools/find (the index is never touched directly). */
  const lookup = async (which: keyof typeof LOOKUP_TAGS, value: string) => {
    if (typeof value !== "string" || value === "") return undefined;
    const spec = LOOKUP_TAGS[which];
    const res = await call("POST", "/tools/find", {
      body: JSON.stringify({
        Level: spec.level,
        Query: { [spec.tag]: value },
        CaseSensitive: true,
        Expand: true,
      }),
    });
    if (!res.ok) throw new OrthancError("InternalError", `Lookup failed: HTTP ${res.status}`);
    const found = await res.json() as { ID: string; MainDicomTags?: Record<string, string> }[];
    // Wildcards in the value are matched literally: keep only the exact matches.
    return found.find((f) => f.MainDicomTags?.[spec.tag] === value)?.ID;
  };

  const duringInitialize = (what: string) => {
    if (!state.initializing) {
      throw new OrthancError("BadRequest", `${what}() can only be called from initialize()`);
    }
  };

  const host: PharosHost = {
    pluginName: plugin.id,
    pharosVersion: packageJson.version,
    orthancVersion: ORTHANC_COMPATIBLE_VERSION,
    expectedDatabaseVersion: ORTHANC_DATABASE_VERSION,
    configuration: Object.freeze(structuredClone(config.raw)),
    configurationDirectory: config.configurationDirectory,
    log: {
      error: (m) => log.error(prefix + m),
      warning: (m) => log.warning(prefix + m),
      info: (m) => log.info(prefix + m),
      trace: (m) => log.trace(prefix + m),
    },
    setDescription(description) {
      plugin.description = String(description);
    },
    extendExplorer(javascript) {
      r.explorer.push(String(javascript));
    },
    setRootUri(uri) {
      plugin.rootUri = String(uri);
    },
    registerErrorCode: (code, httpStatus, message) =>
      services.registerErrorCode(plugin, code, httpStatus, message),
    emitAuditLog: (record) => services.emitAudit(plugin, record),
    onAuditLog(handler) {
      duringInitialize("onAuditLog");
      if (typeof handler !== "function") throw new TypeError("The handler must be a function");
      r.audit.push(handler);
    },
    // deno-lint-ignore require-await
    async setStableStatus(resourceId, stable) {
      return core.setStableStatus(String(resourceId), stable === true);
    },
    dimse: {
      onFind(handler) {
        duringInitialize("dimse.onFind");
        r.find.push(callable(handler));
      },
      onWorklist(handler) {
        duringInitialize("dimse.onWorklist");
        r.worklist.push(callable(handler));
      },
      onMove(handler) {
        duringInitialize("dimse.onMove");
        r.move.push(callable(handler));
      },
      onStorageCommitment(handler) {
        duringInitialize("dimse.onStorageCommitment");
        r.commitment.push(callable(handler));
      },
    },
    dictionary: dictionaryAccess(),
    keyValues: keyValueAccess((operation) => runKeyValueCall(core.keyValues, operation)),
    rest: {
      register(pattern, handler, options) {
        if (typeof handler !== "function") throw new TypeError("The handler must be a function");
        const source = typeof pattern === "string" ? pattern : pattern.source;
        const flags = typeof pattern === "string" ? "" : pattern.flags.replace(/[gy]/g, "");
        const route = {
          // Orthanc matches the whole URI (boost::regex_match).
          pattern: new RegExp(`^(?:${source})$`, flags),
          handler,
          queue: options?.exclusive ? Promise.resolve() as Promise<unknown> : undefined,
        };
        r.routes.push(route);
        // Registered after initialize(): live at once.
        if (!state.initializing && services.plugins.includes(plugin)) {
          services.routes.push({ ...route, plugin });
        }
      },
      ...restCalls(call),
      generateAuthorizationToken: () => services.generateToken(),
    },
    answers: createAnswers(),
    lookup: {
      patient: (v) => lookup("patient", v),
      study: (v) => lookup("study", v),
      studyByAccessionNumber: (v) => lookup("studyByAccessionNumber", v),
      series: (v) => lookup("series", v),
      instance: (v) => lookup("instance", v),
    },
    async getDicomForInstance(instanceId) {
      return await core.dicomBytes(core.resource(instanceId, "Instance"));
    },
    async reconstructMainDicomTags(level, resourceId) {
      if (resourceId === undefined) await core.reconstruction.all();
      else await core.reconstruction.resource(core.resource(resourceId, level));
    },
    globalProperties: {
      // deno-lint-ignore require-await
      async get(property: number, defaultValue?: string) {
        checkProperty(property);
        return core.properties.get(property) ?? defaultValue;
      },
      // deno-lint-ignore require-await
      async set(property: number, value: string) {
        checkProperty(property);
        core.properties.set(property, String(value));
      },
    } as PharosHost["globalProperties"],
    onIncomingHttpRequest(filter) {
      duringInitialize("onIncomingHttpRequest");
      r.httpFilters.push(filter);
    },
    onIncomingInstance(filter) {
      duringInitialize("onIncomingInstance");
      r.instanceFilters.push(filter);
    },
    onIncomingCStoreInstance(filter) {
      duringInitialize("onIncomingCStoreInstance");
      r.cstoreFilters.push(filter);
    },
    onIncomingFindRequest(filter) {
      duringInitialize("onIncomingFindRequest");
      r.findFilters.push(filter);
    },
    onIncomingWorklistRequest(filter) {
      duringInitialize("onIncomingWorklistRequest");
      r.worklistFilters.push(filter);
    },
    onOutgoingFindRequest(filter) {
      duringInitialize("onOutgoingFindRequest");
      r.outgoingFindFilters.push(filter);
    },
    onReceivedInstance(callback) {
      duringInitialize("onReceivedInstance");
      r.received.push(callback);
    },
    onChange(callback) {
      duringInitialize("onChange");
      r.changes.push(callback);
    },
    onStoredInstance(callback) {
      duringInitialize("onStoredInstance");
      r.stored.push(callback);
    },
    metrics: {
      set(name, value) {
        services.metrics.set(name, value);
      },
      onRefresh(callback) {
        duringInitialize("metrics.onRefresh");
        r.refresh.push(callback);
      },
    },
    jobs: {
      submit: (job) => services.submitJob(plugin, job),
      registerUnserializer(callback) {
        duringInitialize("jobs.registerUnserializer");
        r.unserializers.push(callback);
      },
    },
    workers: {
      run(module, input, options = {}) {
        const url = pathToFileURL(resolve(dirname(plugin.path), module)).href;
        return services.workers.run(url, input, options.timeoutMs) as Promise<never>;
      },
    },
    dicomWeb: {
      registerBinaryCallback(callback) {
        duringInitialize("dicomWeb.registerBinaryCallback");
        r.dicomWebBinary.push(callback);
      },
    },
    imaging: {
      registerDecoder(decoder) {
        duringInitialize("imaging.registerDecoder");
        r.decoders.push(decoder);
      },
      registerTranscoder(transcoder) {
        duringInitialize("imaging.registerTranscoder");
        r.transcoders.push(transcoder);
      },
      async decodeFrame(dicom, frame = 0) {
        const image = await services.codecs.decoders.decode(dicom, parseDicom(dicom), frame);
        if (!image) throw new OrthancError("NotImplemented", "No decoder for this image");
        return image;
      },
      async transcode(dicom, transferSyntax) {
        const out = await services.codecs.transcoders.transcode(dicom, [transferSyntax]);
        if (!out) {
          throw new OrthancError("NotImplemented", `Cannot transcode to ${transferSyntax}`);
        }
        return out;
      },
    },
    webdav: {
      register(uri, collection) {
        services.claimWebDav(plugin, uri, collection, state.initializing);
      },
    },
    registerStorageArea(area) {
      services.claimStorageArea(plugin, area, state.initializing);
    },
    storageArea: storageAccess(core),
    dicom: {
      simplifiedTags: (bytes) => simplified(core, bytes),
      replaceElement: (bytes, tag, value) => replaceElement(bytes, tag, value),
      toDicomJson: (bytes) => toDicomJson(bytes, core.defaultEncoding),
      async instanceDicomJson(instanceId) {
        const bytes = await core.dicomBytes(core.resource(instanceId, "Instance"));
        return toDicomJson(bytes, core.defaultEncoding);
      },
      createDicom: (tags, options = {}) =>
        createDicomForPlugin(tags, options, charsetOfEncoding(core.defaultEncoding)),
    },
  };
  return Object.freeze(host);
}
