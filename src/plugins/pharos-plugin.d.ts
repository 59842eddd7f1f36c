// The API a Pharos plugin receives: everything a plugin may do goes through `PharosHost`.
// Plugins import these types with `import type` only (type imports vanish when the plugin is
// loaded, so a plugin stays one plain ESM file that needs nothing beside it at run time). The
// image types are declared with the imaging code (src/imaging/types.ts) and re-exported here:
//
//   import type { PharosPlugin } from "./pharos-plugin.d.ts"; // a copy of this file
//   export default {
//     name: "hello", version: "1.0.0",
//     initialize(host) { host.rest.register(/^\/hello$/, () => host.answers.text("hi")); },
//   } satisfies PharosPlugin;

import type { DecodedImage, RawImage } from "../imaging/types.ts";

/** Raw pixels (host.answers.png) and decoded frames (image decoders), declared with the imaging code. */
export type { DecodedImage, RawImage };

/** A value or a promise of it: every callback may be async. */
export type Awaitable<T> = T | Promise<T>;

/** What a plugin module default-exports (or, equivalently, its `initialize` function). */
export interface PharosPlugin {
  /** The plugin's id at /plugins; defaults to the file name without its extension. */
  name?: string;
  version?: string;
  description?: string;
  /** Called once at startup, before the HTTP server takes requests. May be async. */
  initialize(host: PharosHost): Awaitable<void>;
  /** Called once when the server stops, after the HTTP server has stopped. */
  finalize?(): Awaitable<void>;
}

export type ResourceLevel = "Patient" | "Study" | "Series" | "Instance";

/** Where an instance came from (Orthanc's OrthancPluginInstanceOrigin and request details). */
export interface InstanceOrigin {
  kind: "RestApi" | "DicomProtocol" | "Plugins" | "Lua" | "WebDav" | "Unknown";
  remoteIp?: string;
  remoteAet?: string;
  calledAet?: string;
  httpUsername?: string;
}

/** The Orthanc identifiers of an instance and of its ancestors. */
export interface InstanceIds {
  patient: string;
  study: string;
  series: string;
  instance: string;
}

/** A received instance as the filters and the on-stored callbacks see it. */
export interface DicomInstance {
  /** The bytes as they will be (or were) stored. Do not modify them. */
  readonly bytes: Uint8Array;
  readonly origin: InstanceOrigin;
  readonly ids: InstanceIds;
  readonly transferSyntax: string;
  readonly sopClassUid: string;
  /** The whole dataset in Orthanc's simplified JSON (`/instances/{id}/simplified-tags`). */
  simplifiedTags(): Record<string, unknown>;
}

/** What a received-instance callback decides (OrthancPluginReceivedInstanceAction). */
export type ReceivedInstanceDecision =
  | { action: "keep" }
  | { action: "discard" }
  | { action: "replace"; bytes: Uint8Array };

/** A change of the change feed, plus the "OrthancStarted" and "OrthancStopped" signals. */
export interface ChangeEvent {
  /** Orthanc's name: "NewInstance", "StableStudy", …, "OrthancStarted", "OrthancStopped". */
  changeType: string;
  /** Orthanc's numeric change type (0 for OrthancStarted/OrthancStopped). */
  changeTypeCode: number;
  /** Null for OrthancStarted/OrthancStopped. */
  level: ResourceLevel | null;
  /** Orthanc identifier of the resource ("" for OrthancStarted/OrthancStopped). */
  resourceId: string;
  date: string;
}

/** An incoming HTTP request as the HTTP filters see it (OrthancPluginIncomingHttpRequestFilter2). */
export interface HttpRequestInfo {
  method: string;
  /** The path, URL-decoded, without the query string. */
  uri: string;
  ip: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  getArguments: Record<string, string>;
}

/**
 * A C-FIND query as the find filters see it: values by tag ("0010,0010"; an answer may use names
 * too), the sequences of a worklist query as arrays of items.
 */
export type FindQuery = { [tag: string]: string | FindQuery[] };

/** Who sent a C-FIND to Pharos; `manufacturer` is its modality's ("Generic" if unknown). */
export interface FindOrigin {
  remoteIp: string;
  remoteAet: string;
  calledAet: string;
  manufacturer: string;
}

/** What a find filter answers: the query to use instead, or nothing to keep it. */
export type FindQueryAnswer = Awaitable<FindQuery | undefined | void>;

/** What a REST callback receives beside the Web-standard Request. */
export interface RouteMatch {
  /** The decoded path that matched. */
  uri: string;
  /** The regular expression's groups, in order (Orthanc's `groups`). */
  groups: string[];
  /** Named groups, if the expression has any. */
  named: Record<string, string>;
  /** The GET arguments. */
  getArguments: Record<string, string>;
  /** Client address; undefined for calls from inside (host.rest.*). */
  remoteIp?: string;
  /** The authenticated user, when authentication is enabled. */
  username?: string;
}

export type RestHandler = (request: Request, match: RouteMatch) => Awaitable<Response>;

export interface RouteOptions {
  /**
   * Calls of this route run one at a time (OrthancPluginRegisterRestCallback); by default they
   * run concurrently (OrthancPluginRegisterRestCallbackNoLock).
   */
  exclusive?: boolean;
}

export interface RestCallOptions {
  headers?: Record<string, string>;
  body?: BodyInit;
  /** Route the call through the plugins' routes too (Orthanc's "AfterPlugins" variants). */
  afterPlugins?: boolean;
}

/**
 * Decodes one frame of a DICOM file (OrthancPluginRegisterDecodeImageCallback): the image, or
 * undefined to leave the file to the other decoders.
 */
export type ImageDecoder = (
  dicom: Uint8Array,
  frame: number,
) => Awaitable<DecodedImage | undefined>;

/**
 * Transcodes a DICOM file (OrthancPluginRegisterTranscoderCallback) to one of the allowed transfer
 * syntaxes: the new file, or undefined to leave it to the other transcoders. With
 * `allowNewSopInstanceUid` false, the SOP Instance UID must be kept (lossless transcoding).
 */
export type Transcoder = (
  dicom: Uint8Array,
  allowedSyntaxes: string[],
  allowNewSopInstanceUid: boolean,
) => Awaitable<Uint8Array | undefined>;

export interface MultipartPart {
  body: Uint8Array | string;
  contentType: string;
  headers?: Record<string, string>;
}

export interface AnswerOptions {
  headers?: Record<string, string>;
  /** Name → value; each becomes a Set-Cookie header (OrthancPluginSetCookie). */
  cookies?: Record<string, string>;
  status?: number;
}

/** Helpers building Web-standard Responses the way Orthanc's answer functions do. */
export interface Answers {
  buffer(body: BodyInit, mimeType: string, options?: AnswerOptions): Response;
  text(body: string, options?: AnswerOptions): Response;
  json(value: unknown, options?: AnswerOptions): Response;
  /** A PNG encoded from raw pixels (OrthancPluginCompressAndAnswerPngImage). */
  png(image: RawImage, options?: AnswerOptions): Response;
  /**
   * A baseline JPEG encoded from 8-bit raw pixels (Grayscale8, RGB24, RGBA32 without its alpha),
   * quality 1–100, 90 by default (OrthancPluginCompressAndAnswerJpegImage); throws on Grayscale16.
   */
  jpeg(image: RawImage, quality?: number, options?: AnswerOptions): Response;
  redirect(location: string): Response;
  /** A bare status, or a status with a body (OrthancPluginSendHttpStatus[Code]). */
  status(status: number, body?: BodyInit): Response;
  unauthorized(realm: string): Response;
  methodNotAllowed(allowed: string[]): Response;
  /** Orthanc's error JSON with the given HTTP status and "Details" (SetHttpErrorDetails). */
  error(status: number, details: string): Response;
  /** A multipart answer (StartMultipartAnswer + SendMultipartItem2). */
  multipart(parts: MultipartPart[], subType?: "related" | "mixed", contentType?: string): Response;
}

/** Orthanc identifiers of the resources with a given DICOM identifier. */
export interface Lookups {
  patient(patientId: string): Promise<string | undefined>;
  study(studyInstanceUid: string): Promise<string | undefined>;
  studyByAccessionNumber(accessionNumber: string): Promise<string | undefined>;
  series(seriesInstanceUid: string): Promise<string | undefined>;
  instance(sopInstanceUid: string): Promise<string | undefined>;
}

/** A storage area replacing the filesystem (OrthancPluginRegisterStorageArea). */
export interface PluginStorageArea {
  create(uuid: string, contentType: number, data: Uint8Array): Awaitable<void>;
  read(uuid: string, contentType: number): Awaitable<Uint8Array>;
  remove(uuid: string, contentType: number): Awaitable<void>;
  /**
   * Bytes [start, end) of a file (OrthancPluginStorageReadRange, RegisterStorageArea2); without
   * it, a part is cut from read().
   */
  readRange?(uuid: string, contentType: number, start: number, end: number): Awaitable<Uint8Array>;
}

/**
 * The server's storage area, whichever it is (OrthancPluginStorageAreaCreate / Read / Remove):
 * files addressed by a UUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`) and Orthanc's content type
 * (1 DICOM, 2 DICOM as JSON, 3 DICOM until pixel data, ≥ 1024 a user's attachment; 0 unknown). The
 * bytes are stored as given: no compression.
 */
export interface StorageAreaAccess {
  create(uuid: string, data: Uint8Array, contentType?: number): Promise<void>;
  read(uuid: string, contentType?: number): Promise<Uint8Array>;
  /** Bytes [start, end) of a file. */
  readRange(uuid: string, start: number, end: number, contentType?: number): Promise<Uint8Array>;
  remove(uuid: string, contentType?: number): Promise<void>;
}

/** Why a job stops (OrthancPluginJobStopReason). */
export type JobStopReason = "Success" | "Paused" | "Failure" | "Canceled";

/** What one step of a job decides (OrthancPluginJobStepStatus). */
export type JobStepStatus = "continue" | "success" | "failure";

/**
 * A custom job (OrthancPluginCreateJob2 + OrthancPluginSubmitJob). The server calls `step()`
 * until it answers "success" or "failure", yielding to the event loop between two steps; a
 * throwing or rejecting step fails the job (the error is logged). Pause and cancel
 * (POST /jobs/{id}/pause|cancel) take effect between two steps.
 */
export interface PluginJob {
  /** The job's `Type` at /jobs/{id}. */
  type: string;
  /** Higher runs first among the pending jobs (default 0). */
  priority?: number;
  /** One unit of work; keep it short (a CPU-bound step blocks the server while it runs). */
  step(): Awaitable<JobStepStatus>;
  /**
   * Called after the last step ("Success" / "Failure"), or between two steps when the job is
   * paused or canceled. A paused job resumes with `step()` where it stopped.
   */
  stop?(reason: JobStopReason): Awaitable<void>;
  /** 0 to 1, read after each step (`Progress` shows it as a percentage). */
  getProgress(): number;
  /** A JSON object, read after each step (`Content` at /jobs/{id}). */
  getContent(): Record<string, unknown>;
  /**
   * What rebuilds this job after a restart (OrthancPluginJobGetSerialized), as a JSON value;
   * called when the jobs are saved (SaveJobs). Without it, or when it answers undefined, the
   * job is not saved and does not survive a restart.
   */
  serialize?(): unknown;
}

/** One entry of a WebDAV folder (OrthancPluginWebDavAddFile / AddFolder). */
export interface WebDavItem {
  /** Base name, without any "/". */
  name: string;
  /** True for a subfolder. */
  folder?: boolean;
  /** Size of a file in bytes (getcontentlength). */
  size?: number;
  /**
   * Guessed from the extension when missing. Orthanc shows only the types it knows
   * (application/dicom, image/png, text/plain…; "text/xml" as application/xml), any other as
   * application/octet-stream.
   */
  mimeType?: string;
  /**
   * Creation time (also shown as the modification time): a Date, Orthanc's UTC
   * "YYYYMMDDTHHMMSS[,fff]" or ISO 8601; now when missing. Shown to the second
   * ("2024-01-02T03:04:05Z"); an ill-formed date answers Orthanc's 400 (ParameterOutOfRange).
   */
  dateTime?: string | Date;
}

/** The content of a WebDAV file (OrthancPluginWebDavRetrieveFile). */
export interface WebDavFile {
  data: Uint8Array | string;
  /** As WebDavItem.mimeType. */
  mimeType?: string;
  /** Modification time (GET's Last-Modified, PROPFIND's getlastmodified), as WebDavItem.dateTime. */
  dateTime?: string | Date;
}

/**
 * A WebDAV collection (OrthancPluginRegisterWebDavCollection), answered by the same WebDAV code
 * as Orthanc's own share: OPTIONS at its root, PROPFIND with Depth 0 or 1, GET/HEAD, PUT, MKCOL,
 * DELETE, and the faked LOCK/UNLOCK/PROPPATCH. `path` holds the items below the collection's root
 * ([] is the root). A folder exists when `listFolder` answers an array (this replaces Orthanc's
 * isExistingFolder callback). A write callback answers false to refuse the write (403), anything
 * else is success (PUT and MKCOL 201, DELETE 204); without the callback the write is refused (403).
 * A callback that throws is logged and answers Orthanc's error JSON: 500 (ErrorCode_Plugin), or
 * the status of an error the host threw to it.
 */
export interface WebDavCollection {
  /** The content of a folder, or undefined if there is no such folder. */
  listFolder(path: string[]): Awaitable<WebDavItem[] | undefined>;
  /** The content of a file, or undefined if there is no such file (404). */
  retrieveFile(path: string[]): Awaitable<WebDavFile | undefined>;
  storeFile?(path: string[], data: Uint8Array): Awaitable<boolean | void>;
  createFolder?(path: string[]): Awaitable<boolean | void>;
  deleteItem?(path: string[]): Awaitable<boolean | void>;
}

export interface PharosHost {
  /** This plugin's id. */
  readonly pluginName: string;
  /** Pharos's version, and the Orthanc version whose REST behaviour it reproduces. */
  readonly pharosVersion: string;
  readonly orthancVersion: string;
  /** The database schema version of Orthanc 1.10.1 (OrthancPluginGetExpectedDatabaseVersion). */
  readonly expectedDatabaseVersion: number;
  /** The whole configuration as written (a plugin reads its own section from it). */
  readonly configuration: Readonly<Record<string, unknown>>;
  /** The folder of the configuration file: resolve a plugin's relative paths against it. */
  readonly configurationDirectory: string;

  /** Logs in the server's log, prefixed with the plugin's name. */
  readonly log: {
    error(message: string): void;
    warning(message: string): void;
    info(message: string): void;
    trace(message: string): void;
  };
  /** Description shown at /plugins/{id} (OrthancPluginSetDescription). */
  setDescription(description: string): void;
  /** JavaScript appended to /plugins/explorer.js (OrthancPluginExtendOrthancExplorer). */
  extendExplorer(javascript: string): void;

  readonly rest: {
    /**
     * Answers the requests whose whole decoded path matches `pattern` (a string is compiled as
     * a regular expression anchored at both ends). Plugin routes are consulted before the
     * built-in ones, as in Orthanc.
     */
    register(pattern: RegExp | string, handler: RestHandler, options?: RouteOptions): void;
    /** Calls the REST API in-process, with full access (no authentication, no HTTP filters). */
    call(method: string, uri: string, options?: RestCallOptions): Promise<Response>;
    get(uri: string, options?: RestCallOptions): Promise<Response>;
    post(uri: string, body?: BodyInit, options?: RestCallOptions): Promise<Response>;
    put(uri: string, body?: BodyInit, options?: RestCallOptions): Promise<Response>;
    delete(uri: string, options?: RestCallOptions): Promise<Response>;
    /** GET, then the JSON body; throws on an error status. */
    getJson<T = unknown>(uri: string, options?: RestCallOptions): Promise<T>;
    /**
     * A value for the "Authorization" header that grants full access to the REST API over HTTP
     * (OrthancPluginGenerateRestApiAuthorizationToken), valid until the server stops.
     */
    generateAuthorizationToken(): string;
  };

  readonly answers: Answers;
  readonly lookup: Lookups;

  /** The DICOM file of an instance, as stored (OrthancPluginGetDicomForInstance). */
  getDicomForInstance(instanceId: string): Promise<Uint8Array>;

  /** Global properties of the index; plugins may use numbers >= 1024 only. */
  readonly globalProperties: {
    get(property: number): Promise<string | undefined>;
    get(property: number, defaultValue: string): Promise<string>;
    set(property: number, value: string): Promise<void>;
  };

  /** Return false to refuse the request (403), as OrthancPluginRegisterIncomingHttpRequestFilter2. */
  onIncomingHttpRequest(filter: (request: HttpRequestInfo) => Awaitable<boolean>): void;
  /** Return false to refuse an instance before it is stored (FilteredOut). */
  onIncomingInstance(filter: (instance: DicomInstance) => Awaitable<boolean>): void;
  /**
   * For instances received by C-STORE only, after the onIncomingInstance filters: return 0 (or
   * nothing) to accept the instance, or a DIMSE status (e.g. 0xA700) to refuse it; the C-STORE
   * SCP answers that status and nothing is stored (OrthancPluginRegisterIncomingCStoreInstanceFilter).
   */
  onIncomingCStoreInstance(
    filter: (instance: DicomInstance) => Awaitable<number | undefined | void>,
  ): void;
  /**
   * Rewrite the query of a C-FIND the SCP receives at the patient…instance levels, before it is
   * answered (Lua's IncomingFindRequestFilter). A throw fails the C-FIND (UnableToProcess).
   */
  onIncomingFindRequest(filter: (query: FindQuery, origin: FindOrigin) => FindQueryAnswer): void;
  /** The same for a worklist C-FIND (Lua's IncomingWorklistRequestFilter), sequences included. */
  onIncomingWorklistRequest(
    filter: (query: FindQuery, origin: FindOrigin) => FindQueryAnswer,
  ): void;
  /**
   * Rewrite the query POST /modalities/{id}/query sends to the modality of AET `modalityAet`
   * (Lua's OutgoingFindRequestFilter). A throw fails the request.
   */
  onOutgoingFindRequest(filter: (query: FindQuery, modalityAet: string) => FindQueryAnswer): void;
  /** Keep, discard or replace the received bytes before anything else looks at them. */
  onReceivedInstance(
    callback: (
      bytes: Uint8Array,
      origin: InstanceOrigin,
    ) => Awaitable<ReceivedInstanceDecision | undefined>,
  ): void;
  /** Each change, in order, one at a time (as Orthanc's on-change thread). */
  onChange(callback: (change: ChangeEvent) => Awaitable<void>): void;
  /** Each stored instance, after it is committed. */
  onStoredInstance(callback: (instance: DicomInstance) => Awaitable<void>): void;

  /** Metrics exported at /tools/metrics-prometheus. */
  readonly metrics: {
    set(name: string, value: number): void;
    /** Called before each export, to set fresh values (OrthancPluginRegisterRefreshMetricsCallback). */
    onRefresh(callback: () => Awaitable<void>): void;
  };

  /** Custom jobs, listed with the server's jobs at /jobs. */
  readonly jobs: {
    /** Queues a job (it starts Pending) and returns its id; may be called at any time. */
    submit(job: PluginJob): string;
    /**
     * Rebuilds the saved jobs at startup (OrthancPluginRegisterJobsUnserializer); only from
     * initialize(). Called with each saved job's type and what its `serialize()` answered; answer
     * the job, or undefined if the type is not yours. The job keeps its id and priority, and
     * goes on with `step()` (a paused one stays paused).
     */
    registerUnserializer(
      callback: (type: string, serialized: unknown) => PluginJob | undefined,
    ): void;
  };

  /** CPU-bound work off the server's event loop. */
  readonly workers: {
    /**
     * Runs the default export of `module` (a path relative to this plugin's file, or absolute)
     * with `input` in a worker thread, and answers its result. Each module gets a small pool of
     * workers (one per core but one), so the server keeps answering while they compute. `input`
     * and the result are structured-cloned (JSON values, typed arrays…); the module runs in its
     * own thread, without access to `host`. A throw in the module rejects with its message; past
     * `timeoutMs` the worker is terminated and the promise rejects.
     */
    run<Output = unknown>(
      module: string,
      input: unknown,
      options?: { timeoutMs?: number },
    ): Promise<Output>;
  };

  /** Image decoding and transcoding, the server's and the plugins'. */
  readonly imaging: {
    /**
     * Adds a decoder used by the image routes (/instances/{id}/frames/…, /preview…); only from
     * initialize(). It is tried after the built-in decoders, or before them with
     * BuiltinDecoderTranscoderOrder "Before"; among plugins, in loading order.
     */
    registerDecoder(decoder: ImageDecoder): void;
    /**
     * Adds a transcoder, used by GET /instances/{id}/file?transcode= and by C-STORE sends when
     * the peer refuses the instance's transfer syntax; only from initialize(). Order as for
     * decoders.
     */
    registerTranscoder(transcoder: Transcoder): void;
    /** Decodes a frame, as the image routes do (OrthancPluginDecodeDicomImage); throws if none can. */
    decodeFrame(dicom: Uint8Array, frame?: number): Promise<DecodedImage>;
    /**
     * Transcodes a DICOM file (OrthancPluginTranscodeDicomInstance), the SOP Instance UID kept;
     * throws if no transcoder can.
     */
    transcode(dicom: Uint8Array, transferSyntax: string): Promise<Uint8Array>;
  };

  /** WebDAV collections served at their own URI, as Orthanc mounts them. */
  readonly webdav: {
    /**
     * Serves `collection` at /<uri>/ (OrthancPluginRegisterWebDavCollection), e.g.
     * "/webdav-plugin"; only from initialize(). `uri` is one or more path items; it may be below
     * /webdav/ but not /webdav itself nor Orthanc's folders there (by-dates, by-patients,
     * by-studies, by-uids, uploads).
     */
    register(uri: string, collection: WebDavCollection): void;
  };

  /** Replaces the filesystem storage area; only from initialize(), and by one plugin. */
  registerStorageArea(area: PluginStorageArea): void;
  /** The server's storage area itself, the plugin's own when one was registered. */
  readonly storageArea: StorageAreaAccess;

  /** DICOM helpers. */
  readonly dicom: {
    /** The dataset of a DICOM file in Orthanc's simplified JSON. */
    simplifiedTags(bytes: Uint8Array): Record<string, unknown>;
    /**
     * A copy of `bytes` where one top-level element gets a new text value (the element is
     * added if missing); every other byte is unchanged. `tag` is "0010,0010" or a number.
     */
    replaceElement(bytes: Uint8Array, tag: string | number, value: string): Uint8Array;
  };
}
