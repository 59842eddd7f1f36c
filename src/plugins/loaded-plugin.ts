// A loaded plugin and what it registered through its host: kept per plugin while initialize()
// runs, and installed (hooks, routes, collections…) only once it has succeeded.
import type {
  AuditRecord,
  Awaitable,
  ChangeEvent,
  DicomFindHandler,
  DicomInstance,
  DicomMoveHandler,
  DicomWebBinaryCallback,
  FindOrigin,
  FindQuery,
  FindQueryAnswer,
  HttpRequestInfo,
  ImageDecoder,
  InstanceOrigin,
  PharosPlugin,
  PluginJob,
  PluginStorageArea,
  ReceivedInstanceDecision,
  RestHandler,
  StorageCommitmentHandler,
  Transcoder,
  WebDavCollection,
} from "./pharos-plugin.d.ts";

export interface PluginRoute {
  plugin: LoadedPlugin;
  pattern: RegExp;
  handler: RestHandler;
  /** For exclusive routes: the tail of the queue of calls. */
  queue?: Promise<unknown>;
}

/** A plugin's WebDAV collection, served at /<items…>/. */
export interface PluginWebDav {
  plugin: LoadedPlugin;
  items: string[];
  collection: WebDavCollection;
}

export interface Registrations {
  routes: Omit<PluginRoute, "plugin">[];
  httpFilters: ((request: HttpRequestInfo) => Awaitable<boolean | Response>)[];
  instanceFilters: ((instance: DicomInstance) => Awaitable<boolean>)[];
  cstoreFilters: ((instance: DicomInstance) => Awaitable<number | undefined | void>)[];
  findFilters: ((query: FindQuery, origin: FindOrigin) => FindQueryAnswer)[];
  worklistFilters: ((query: FindQuery, origin: FindOrigin) => FindQueryAnswer)[];
  outgoingFindFilters: ((query: FindQuery, modalityAet: string) => FindQueryAnswer)[];
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
  dicomWebBinary: DicomWebBinaryCallback[];
  storage?: PluginStorageArea;
  explorer: string[];
  webdav: { items: string[]; collection: WebDavCollection }[];
  audit: ((record: AuditRecord) => Awaitable<void>)[];
  find: DicomFindHandler[];
  worklist: DicomFindHandler[];
  move: DicomMoveHandler[];
  commitment: StorageCommitmentHandler[];
}

export interface LoadedPlugin {
  id: string;
  version: string;
  description?: string;
  /** "RootUri" at /plugins/{id} (setRootUri). */
  rootUri?: string;
  path: string;
  module: PharosPlugin;
  registrations: Registrations;
}

export function emptyRegistrations(): Registrations {
  return {
    routes: [],
    httpFilters: [],
    instanceFilters: [],
    cstoreFilters: [],
    findFilters: [],
    worklistFilters: [],
    outgoingFindFilters: [],
    received: [],
    changes: [],
    stored: [],
    refresh: [],
    unserializers: [],
    decoders: [],
    transcoders: [],
    dicomWebBinary: [],
    explorer: [],
    webdav: [],
    audit: [],
    find: [],
    worklist: [],
    move: [],
    commitment: [],
  };
}

/** How log messages and hook registrations name a plugin. */
export function ownerName(plugin: LoadedPlugin): string {
  return `plugin "${plugin.id}"`;
}
