// The entry point of a plugin's worker (PluginsIsolation "Worker"): imports the plugin's module
// and hands its initialize() a host object whose calls are proxied to the server's thread over
// the channel; the callbacks it registers are called from there. Answers, DICOM edits, new DICOM
// files (createDicom) and tags are computed here, and dictionary lookups (the worker's dictionary
// has the standard's tags and the plugin's own registrations, which are also sent to the server).
// Jobs, storage areas, WebDAV collections and codecs need synchronous calls into the server and
// are refused.
import { pathToFileURL } from "node:url";
import { charsetOfEncoding } from "../../dicom/charsets.ts";
import { parseDicom } from "../../dicom/parser.ts";
import { OrthancError } from "../../server/errors.ts";
import { createAnswers } from "../answers.ts";
import { auditRecord } from "../audit-log.ts";
import { createDicomForPlugin } from "../create-dicom.ts";
import { replaceElement } from "../dicom-edit.ts";
import { dictionaryAccess, toDicomJson } from "../dictionary-access.ts";
import { checkErrorCode, errorFactory } from "../error-codes.ts";
import { keyValueAccess } from "../key-value-access.ts";
import { pluginOfModule } from "../loader.ts";
import type {
  DicomInstance,
  DicomMoveDriver,
  HttpRequestInfo,
  PharosHost,
  PharosPlugin,
  RestCallOptions,
  RouteMatch,
} from "../pharos-plugin.d.ts";
import { restCalls } from "../rest-calls.ts";
import { simplifiedTags } from "../views.ts";
import { Channel, type ChannelMessage } from "./channel.ts";
import type {
  CallbackKind,
  FilterAnswer,
  ModuleInfo,
  MoveAnswer,
  WorkerIdentity,
} from "./kinds.ts";
import {
  fromWireRequest,
  fromWireResponse,
  toWireResponse,
  type WireInstance,
  type WireRequest,
  type WireResponse,
} from "./wire.ts";

declare const self: Worker;

let plugin: PharosPlugin | undefined;
/** A registered callback, called with what the channel carried for its kind. */
type Callback = (...args: unknown[]) => unknown;
const callbacks = new Map<CallbackKind, Callback[]>();
let initializing = false;
/** The C-MOVE drivers under way, by the id the server's side knows them by. */
const drivers = new Map<number, { driver: DicomMoveDriver; left: number }>();
let nextDriver = 1;

const channel = new Channel((message) => self.postMessage(message), handle);
self.onmessage = (event: MessageEvent<ChannelMessage>) => channel.receive(event.data);

// Errors nobody catches stay in the worker: logged on the server, the worker goes on.
const stray = (error: unknown) =>
  channel.notice("stray", [
    error instanceof Error ? (error.stack ?? error.message) : String(error),
  ]);
process.on("uncaughtException", stray);
process.on("unhandledRejection", stray);

function instanceOf(wire: WireInstance): DicomInstance {
  let tags: Record<string, unknown> | undefined;
  return {
    bytes: wire.bytes,
    origin: wire.origin,
    ids: wire.ids,
    transferSyntax: wire.transferSyntax,
    sopClassUid: wire.sopClassUid,
    simplifiedTags: () => (tags ??= simplifiedTags(parseDicom(wire.bytes), wire.encoding)),
  };
}

async function bodyBytes(body: BodyInit | undefined): Promise<ArrayBuffer | undefined> {
  return body === undefined ? undefined : await new Response(body).arrayBuffer();
}

function refused(what: string): never {
  throw new OrthancError(
    "NotImplemented",
    `${what} is not available to a plugin running in a worker (PluginsIsolation)`,
  );
}

function buildHost(identity: WorkerIdentity): PharosHost {
  const api = (name: string, ...args: unknown[]) => channel.call(name, args);
  const register = (kind: CallbackKind, fn: unknown, extra?: unknown) => {
    if (typeof fn !== "function") throw new TypeError("The callback must be a function");
    const list = callbacks.get(kind) ?? [];
    list.push(fn as Callback);
    callbacks.set(kind, list);
    channel.notice("register", [kind, list.length - 1, extra]);
  };
  const duringInitialize = (what: string, kind: CallbackKind, fn: unknown) => {
    if (!initializing) {
      throw new OrthancError("BadRequest", `${what}() can only be called from initialize()`);
    }
    register(kind, fn);
  };
  const call = async (method: string, uri: string, options: RestCallOptions = {}) => {
    const { body, ...rest } = options;
    const wire = await api("rest.call", method, uri, { ...rest, body: await bodyBytes(body) });
    return fromWireResponse(wire as WireResponse);
  };
  const log = (level: string) => (message: string) => channel.notice("log", [level, message]);
  const host: PharosHost = {
    pluginName: identity.pluginName,
    pharosVersion: identity.pharosVersion,
    orthancVersion: identity.orthancVersion,
    expectedDatabaseVersion: identity.expectedDatabaseVersion,
    configuration: Object.freeze(identity.configuration),
    configurationDirectory: identity.configurationDirectory,
    log: {
      error: log("error"),
      warning: log("warning"),
      info: log("info"),
      trace: log("trace"),
    },
    setDescription: (description) => channel.notice("setDescription", [String(description)]),
    extendExplorer: (javascript) => channel.notice("extendExplorer", [String(javascript)]),
    setRootUri: (uri) => channel.notice("setRootUri", [String(uri)]),
    registerErrorCode(code, httpStatus, message) {
      checkErrorCode(code, httpStatus, message);
      channel.notice("registerErrorCode", [code, httpStatus, message]);
      // The server numbers the code; the supervisor puts that number in the errors that cross.
      return errorFactory({
        code: 0,
        plugin: identity.pluginName,
        pluginCode: code,
        httpStatus,
        message,
      });
    },
    emitAuditLog(record) {
      const { sourcePlugin: _, ...checked } = auditRecord(identity.pluginName, record);
      channel.notice("emitAuditLog", [checked]);
    },
    onAuditLog: (fn) => duringInitialize("onAuditLog", "audit", fn),
    setStableStatus: (id, stable) => api("setStableStatus", id, stable) as Promise<boolean>,
    dimse: {
      onFind: (fn) => duringInitialize("dimse.onFind", "find", fn),
      onWorklist: (fn) => duringInitialize("dimse.onWorklist", "worklist", fn),
      onMove: (fn) => duringInitialize("dimse.onMove", "move", fn),
      onStorageCommitment: (fn) => duringInitialize("dimse.onStorageCommitment", "commitment", fn),
    },
    dictionary: dictionaryAccess((entry) => channel.notice("dictionary.register", [entry])),
    keyValues: keyValueAccess((operation) => api("keyValues", operation)),
    rest: {
      register(pattern, handler, options) {
        const source = typeof pattern === "string" ? pattern : pattern.source;
        const flags = typeof pattern === "string" ? "" : pattern.flags;
        register("route", handler, { source, flags, exclusive: options?.exclusive === true });
      },
      ...restCalls(call),
      generateAuthorizationToken: () => identity.token,
    },
    answers: createAnswers(),
    lookup: {
      patient: (v) => api("lookup.patient", v) as Promise<string | undefined>,
      study: (v) => api("lookup.study", v) as Promise<string | undefined>,
      studyByAccessionNumber: (v) =>
        api("lookup.studyByAccessionNumber", v) as Promise<string | undefined>,
      series: (v) => api("lookup.series", v) as Promise<string | undefined>,
      instance: (v) => api("lookup.instance", v) as Promise<string | undefined>,
    },
    getDicomForInstance: (id) => api("getDicomForInstance", id) as Promise<Uint8Array>,
    reconstructMainDicomTags: (level, id) =>
      api("reconstructMainDicomTags", level, id) as Promise<void>,
    globalProperties: {
      get: (property: number, defaultValue?: string) =>
        api("globalProperties.get", property, defaultValue),
      set: (property: number, value: string) => api("globalProperties.set", property, value),
    } as PharosHost["globalProperties"],
    onIncomingHttpRequest: (fn) => duringInitialize("onIncomingHttpRequest", "httpFilter", fn),
    onIncomingInstance: (fn) => duringInitialize("onIncomingInstance", "instanceFilter", fn),
    onIncomingCStoreInstance: (fn) =>
      duringInitialize("onIncomingCStoreInstance", "cstoreFilter", fn),
    onIncomingFindRequest: (fn) => duringInitialize("onIncomingFindRequest", "findFilter", fn),
    onIncomingWorklistRequest: (fn) =>
      duringInitialize("onIncomingWorklistRequest", "worklistFilter", fn),
    onOutgoingFindRequest: (fn) =>
      duringInitialize("onOutgoingFindRequest", "outgoingFindFilter", fn),
    onReceivedInstance: (fn) => duringInitialize("onReceivedInstance", "received", fn),
    onChange: (fn) => duringInitialize("onChange", "change", fn),
    onStoredInstance: (fn) => duringInitialize("onStoredInstance", "stored", fn),
    metrics: {
      set: (name, value) => channel.notice("metrics.set", [name, value]),
      onRefresh: (fn) => duringInitialize("metrics.onRefresh", "refresh", fn),
    },
    jobs: {
      submit: () => refused("jobs.submit()"),
      registerUnserializer: () => refused("jobs.registerUnserializer()"),
    },
    workers: {
      run: (module, input, options) => api("workers.run", module, input, options) as Promise<never>,
    },
    dicomWeb: {
      registerBinaryCallback: (fn) =>
        duringInitialize("dicomWeb.registerBinaryCallback", "dicomWebBinary", fn),
    },
    imaging: {
      registerDecoder: () => refused("imaging.registerDecoder()"),
      registerTranscoder: () => refused("imaging.registerTranscoder()"),
      decodeFrame: (dicom, frame) => api("imaging.decodeFrame", dicom, frame) as Promise<never>,
      transcode: (dicom, syntax) => api("imaging.transcode", dicom, syntax) as Promise<Uint8Array>,
    },
    webdav: { register: () => refused("webdav.register()") },
    registerStorageArea: () => refused("registerStorageArea()"),
    storageArea: {
      create: (uuid, data, type) => api("storageArea.create", uuid, data, type) as Promise<void>,
      read: (uuid, type) => api("storageArea.read", uuid, type) as Promise<Uint8Array>,
      readRange: (uuid, start, end, type) =>
        api("storageArea.readRange", uuid, start, end, type) as Promise<Uint8Array>,
      remove: (uuid, type) => api("storageArea.remove", uuid, type) as Promise<void>,
    },
    dicom: {
      simplifiedTags: (bytes) => simplifiedTags(parseDicom(bytes), identity.encoding),
      replaceElement: (bytes, tag, value) => replaceElement(bytes, tag, value),
      toDicomJson: (bytes) => toDicomJson(bytes, identity.encoding),
      instanceDicomJson: async (id) =>
        toDicomJson(await api("getDicomForInstance", id) as Uint8Array, identity.encoding),
      createDicom: (tags, options = {}) =>
        createDicomForPlugin(tags, options, charsetOfEncoding(identity.encoding)),
    },
  };
  return Object.freeze(host);
}

/** Calls one registered callback with what crossed the channel; answers what can cross back. */
async function runCallback(kind: CallbackKind, index: number, args: unknown[]): Promise<unknown> {
  if (kind === "moveStep") return await moveStep(index);
  const fn = callbacks.get(kind)?.[index];
  if (!fn) throw new Error(`no ${kind} callback #${index}`);
  switch (kind) {
    case "route": {
      const answer = await fn(fromWireRequest(args[0] as WireRequest), args[1] as RouteMatch);
      if (!(answer instanceof Response)) {
        throw new TypeError("the REST callback did not return a Response");
      }
      return await toWireResponse(answer);
    }
    case "instanceFilter":
    case "cstoreFilter":
    case "stored":
      return await fn(instanceOf(args[0] as WireInstance));
    case "move": {
      const driver = await fn(args[0]) as DicomMoveDriver | undefined | null;
      if (driver === undefined || driver === null) return undefined;
      if (!Number.isInteger(driver.size) || typeof driver.apply !== "function") {
        throw new TypeError("a C-MOVE driver needs an integer size and apply()");
      }
      const id = nextDriver++;
      if (driver.size > 0) drivers.set(id, { driver, left: driver.size });
      return { driver: id, size: driver.size } satisfies MoveAnswer;
    }
    case "httpFilter": {
      const answer = await fn(args[0] as HttpRequestInfo);
      return answer instanceof Response
        ? { answer: await toWireResponse(answer) } satisfies FilterAnswer
        : Boolean(answer);
    }
    default:
      return await fn(...args);
  }
}

/** One sub-operation of a C-MOVE a driver of this worker runs; forgotten after its last one. */
async function moveStep(id: number): Promise<void> {
  const entry = drivers.get(id);
  if (!entry) throw new Error(`no C-MOVE driver #${id}`);
  if (--entry.left === 0) drivers.delete(id);
  await entry.driver.apply();
}

async function handle(name: string, args: unknown[]): Promise<unknown> {
  if (name === "load") {
    const mod = await import(pathToFileURL(args[0] as string).href) as Record<string, unknown>;
    plugin = pluginOfModule(mod);
    const info: ModuleInfo = {
      name: plugin.name,
      version: plugin.version,
      description: plugin.description,
    };
    return info;
  }
  if (!plugin) throw new Error("the plugin's module is not loaded");
  if (name === "initialize") {
    initializing = true;
    try {
      await plugin.initialize(buildHost(args[0] as WorkerIdentity));
    } finally {
      initializing = false;
    }
    return undefined;
  }
  if (name === "finalize") return await plugin.finalize?.();
  if (name === "callback") {
    return await runCallback(args[0] as CallbackKind, args[1] as number, args[2] as unknown[]);
  }
  throw new Error(`unknown call ${name}`);
}
