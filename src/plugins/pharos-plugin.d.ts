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
  /**
   * Provides the index in place of the embedded SQLite one (OrthancPluginRegisterDatabaseBackend):
   * called once at startup, before the server is composed and before any initialize(). Answer an
   * object with every method of the index interface (`IndexBackend` in src/index/interface.ts,
   * which the PostgreSQL back-end implements too: synchronous calls, `transaction(fn)` running
   * `fn` atomically), or undefined to keep the embedded index. One plugin at most, loaded
   * in-process (a worker cannot answer synchronous calls). The server closes it when it stops.
   */
  indexBackend?(context: IndexBackendContext): Awaitable<object | undefined>;
}

/** What a plugin's indexBackend() gets: the server is not composed yet. */
export interface IndexBackendContext {
  readonly configuration: Readonly<Record<string, unknown>>;
  readonly configurationDirectory: string;
  /** Logs in the server's log, prefixed with the plugin's file name. */
  readonly log: { error(message: string): void; warning(message: string): void };
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

/** A tag of the DICOM dictionary, as dictionary.lookup() answers it. */
export interface DictionaryTag {
  /** "gggg,eeee", hexadecimal in lower case as Orthanc writes tags. */
  tag: string;
  /** The keyword ("PatientName"). */
  name: string;
  vr: string;
}

/** A tag to add to the dictionary (OrthancPluginRegisterDictionaryTag / RegisterPrivateDictionaryTag). */
export interface NewDictionaryTag {
  /** "gggg,eeee" or a number (group << 16 | element). */
  tag: string | number;
  /** Two upper-case letters of a DICOM VR. */
  vr: string;
  /** The keyword; it must not contain spaces. */
  name: string;
  /** For a private tag: the private creator it belongs to. */
  privateCreator?: string;
}

/**
 * Makes the errors of a code a plugin registered (host.registerErrorCode): throw one from any
 * callback, and the client gets Orthanc's error JSON with the code's HTTP status and message.
 */
export type PluginErrorFactory = (details?: string) => Error;

/** A structured audit record (OrthancPluginEmitAuditLog, Orthanc 1.12.x). */
export interface AuditRecord {
  /** The plugin that emitted it (set by the host). */
  sourcePlugin: string;
  /** Who did it (a user name, a token's subject…); "" when unknown. */
  userId: string;
  /** The level of the resource concerned, or "None". */
  resourceType: ResourceLevel | "None";
  /** Orthanc identifier of the resource, or "". */
  resourceId: string;
  /** What was done ("view", "download", "delete"…). */
  action: string;
  /** Any JSON value with the details. */
  logData?: unknown;
}

/** One store of the key-value stores of Orthanc 1.12.8, kept in the index. */
export interface KeyValueStore {
  /** Sets (or replaces) a value (OrthancPluginStoreKeyValue). */
  set(key: string, value: Uint8Array | string): Promise<void>;
  /** The value, or undefined (OrthancPluginGetKeyValue). */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Removes a key; removing a missing key is not an error (OrthancPluginDeleteKeyValue). */
  delete(key: string): Promise<void>;
  /**
   * The entries in the order of their keys (byte order), a page at a time
   * (OrthancPluginCreateKeysValuesIterator): `after` the last key of the previous page.
   */
  list(options?: { after?: string; limit?: number }): Promise<{ key: string; value: Uint8Array }[]>;
}

/** One of the persistent queues of Orthanc 1.12.8, kept in the index. */
export interface ValueQueue {
  /** Adds a value at the back (OrthancPluginEnqueueValue). */
  enqueue(value: Uint8Array | string): Promise<void>;
  /**
   * Takes a value out: the oldest ("front", FIFO, the default) or the newest ("back", LIFO);
   * undefined when the queue is empty (OrthancPluginDequeueValue).
   */
  dequeue(origin?: "front" | "back"): Promise<Uint8Array | undefined>;
  /** The number of values (OrthancPluginGetQueueSize). */
  size(): Promise<number>;
}

/** Who sent a DIMSE request. */
export interface DicomAssociation {
  callingAet: string;
  calledAet: string;
  remoteIp: string;
}

/**
 * A dataset as a plugin answers it: keyword ("PatientName") or "gggg,eeee" → a text value (a
 * number is written as text; US/SS/UL/SL take a number), or the items of a sequence. The VR is the
 * dictionary's. Non-ASCII text is written in UTF-8 ("ISO_IR 192" is added when the answer gives no
 * SpecificCharacterSet).
 */
export interface DicomAnswer {
  [tag: string]: string | number | DicomAnswer[];
}

/** A C-FIND (Patient Root / Study Root, or Modality Worklist) as a plugin answers it. */
export interface DicomFindRequest {
  association: DicomAssociation;
  /** QueryRetrieveLevel as received ("STUDY"…); "" for a worklist query. */
  level: string;
  /** The identifier in Orthanc's simplified JSON (keyword → value; sequences as arrays). */
  query: Record<string, unknown>;
}

/**
 * Answers a C-FIND itself (OrthancPluginRegisterFindCallback, RegisterWorklistCallback): the
 * matches, or undefined to leave the query to the next plugin and then to the server.
 */
export type DicomFindHandler = (request: DicomFindRequest) => Awaitable<DicomAnswer[] | undefined>;

/** A C-MOVE (OrthancPluginRegisterMoveCallback's parameters). */
export interface DicomMoveRequest extends DicomFindRequest {
  /** The destination AET (Move Destination). */
  targetAet: string;
  messageId: number;
}

/** How a plugin drives a C-MOVE (OrthancPluginMoveCallback / GetMoveSize / ApplyMove). */
export interface DicomMoveDriver {
  /** The number of sub-operations. */
  size: number;
  /** Performs the next sub-operation (a C-STORE…); a throw counts it as failed. */
  apply(): Awaitable<void>;
}

/** Takes a C-MOVE over, or answers undefined to leave it to the next plugin and the server. */
export type DicomMoveHandler = (
  request: DicomMoveRequest,
) => Awaitable<DicomMoveDriver | undefined>;

/** A storage commitment request (N-ACTION) received by the SCP. */
export interface StorageCommitmentRequest {
  association: DicomAssociation;
  transactionUid: string;
  references: { sopClassUid: string; sopInstanceUid: string }[];
}

/**
 * Judges a storage commitment request (OrthancPluginRegisterStorageCommitmentScpCallback): for
 * each reference in order, true when committed or a DICOM Failure Reason (0x0110 processing
 * failure, 0x0112 no such object instance, 0x0122 SOP class not supported…); or undefined to leave
 * it to the next plugin and the server. The report goes back as an N-EVENT-REPORT, as usual.
 */
export type StorageCommitmentHandler = (
  request: StorageCommitmentRequest,
) => Awaitable<(true | number)[] | undefined>;

/**
 * A binary value (OB, OW, OF, OD, OL, OV, UN…) about to be written in the DICOM JSON of the
 * DICOMweb metadata (OrthancPluginDicomWebBinaryCallback2's node): where it lies, its VR, and the
 * bulk data URI the server would write for it.
 */
export interface DicomWebBinaryNode {
  /** The sequences above it (tag, 0-based item index), outermost first; empty at the top. */
  path: { tag: number; item: number }[];
  tag: number;
  vr: string;
  bulkDataUri: string;
}

/**
 * How the node is written (OrthancPluginDicomWebSetBinaryNode): "inline" (base64 InlineBinary),
 * "bulkDataUri" (the server's URI), { bulkDataUri } (the plugin's own URI), or "omit" (left
 * out). undefined leaves the choice to the next plugin, then to the server (the bulk data URI).
 */
export type DicomWebBinaryMode = "inline" | "bulkDataUri" | "omit" | { bulkDataUri: string };

export type DicomWebBinaryCallback = (
  node: DicomWebBinaryNode,
) => Awaitable<DicomWebBinaryMode | undefined | void>;

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
  /** The plugin's own page, shown as "RootUri" at /plugins/{id} (OrthancPluginSetRootUri). */
  setRootUri(uri: string): void;
  /**
   * Registers the plugin's own error code (OrthancPluginRegisterErrorCode) with the HTTP status
   * and message a client gets when a callback throws it; Orthanc numbers it from 1000000 on
   * ("OrthancStatus"). Answers what makes such errors.
   */
  registerErrorCode(code: number, httpStatus: number, message: string): PluginErrorFactory;
  /**
   * Writes an audit record to the log (category "plugins", at the info level, prefixed "AUDIT")
   * and hands it to every plugin subscribed with onAuditLog (OrthancPluginEmitAuditLog).
   */
  emitAuditLog(record: Omit<AuditRecord, "sourcePlugin">): void;
  /** Receives the audit records of every plugin (OrthancPluginRegisterAuditLogHandler). */
  onAuditLog(handler: (record: AuditRecord) => Awaitable<void>): void;
  /**
   * Forces a patient, study or series stable or unstable (OrthancPluginSetStableStatus): stable
   * logs its Stable* change at once; unstable starts its StableAge over. Answers whether the
   * status changed.
   */
  setStableStatus(resourceId: string, stable: boolean): Promise<boolean>;

  /** The DICOM dictionary: the standard's, the `Dictionary` option's and the plugins' tags. */
  readonly dictionary: {
    /**
     * A tag by keyword, "gggg,eeee" or number; undefined if unknown (OrthancPluginLookupDictionary).
     * In a worker (PluginsIsolation), the tags other plugins registered are not known.
     */
    lookup(tag: string | number, privateCreator?: string): DictionaryTag | undefined;
    /**
     * Adds a tag: its name then shows in /instances/{id}/tags, and the keyword resolves in
     * modifications and finds (OrthancPluginRegister[Private]DictionaryTag).
     */
    register(entry: NewDictionaryTag): void;
  };

  /**
   * DICOM SCP callbacks, only from initialize(): a plugin answers C-FIND and worklist queries,
   * drives C-MOVE retrieves and judges storage commitment requests. Handlers are asked in loading
   * order; the first that answers wins, and the server answers when none does. A handler that
   * throws or outlives PluginCallbackTimeout fails the request (C-FIND 0xC000, C-MOVE 0xC000,
   * storage commitment 0x0110), logged.
   */
  readonly dimse: {
    onFind(handler: DicomFindHandler): void;
    /** Worklist queries are accepted once a plugin answers them, even without `Worklists`. */
    onWorklist(handler: DicomFindHandler): void;
    onMove(handler: DicomMoveHandler): void;
    onStorageCommitment(handler: StorageCommitmentHandler): void;
  };

  /** The key-value stores and queues of Orthanc 1.12.8, persisted in the index. */
  readonly keyValues: {
    /** A store by its id (any non-empty string); stores are shared by every plugin. */
    store(storeId: string): KeyValueStore;
    /** A queue by its id (any non-empty string); queues are shared by every plugin. */
    queue(queueId: string): ValueQueue;
  };

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

  /**
   * Reads the stored files again and rebuilds, in the index, the main DICOM tags of their
   * instances and of every ancestor, and the metadata read from the files
   * (OrthancPluginReconstructMainDicomTags): of the one resource of `level` named by
   * `resourceId`, or of every resource stored when no id is given. Resolves once done.
   */
  reconstructMainDicomTags(level: ResourceLevel, resourceId?: string): Promise<void>;

  /** Global properties of the index; plugins may use numbers >= 1024 only. */
  readonly globalProperties: {
    get(property: number): Promise<string | undefined>;
    get(property: number, defaultValue: string): Promise<string>;
    set(property: number, value: string): Promise<void>;
  };

  /**
   * Return false to refuse the request (403), as OrthancPluginRegisterIncomingHttpRequestFilter2;
   * or answer it yourself with a Response (a step beyond Orthanc): a 401 with its
   * WWW-Authenticate challenge, a 302 to a login page… The first filter that refuses or answers
   * settles the request; true lets it through to the next filter and the routes.
   */
  onIncomingHttpRequest(filter: (request: HttpRequestInfo) => Awaitable<boolean | Response>): void;
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

  /** The DICOMweb server's hooks (Orthanc's DICOMweb plugin SDK). */
  readonly dicomWeb: {
    /**
     * Decides how binary values appear in the DICOMweb metadata (WADO-RS …/metadata), as
     * OrthancPluginDicomWebBinaryCallback2 with DicomWebSetBinaryNode; only from initialize().
     * Plugins are asked in loading order; the first answer other than undefined wins. While a
     * plugin has registered one, the metadata of the DICOMweb server is not cached.
     */
    registerBinaryCallback(callback: DicomWebBinaryCallback): void;
  };

  /** Image decoding and transcoding, the server's and the plugins'. */
  readonly imaging: {
    /**
     * Adds a decoder used by the image routes (/instances/{id}/frames/…, /preview…); only from
     * initialize(). As in Orthanc, it is tried before the built-in decoders
     * (BuiltinDecoderTranscoderOrder "After", the default), or after them with "Before"; among
     * plugins, in loading order.
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
    /** The dataset of a DICOM file in DICOM JSON (PS3.18 F.2), binary values inline in base64. */
    toDicomJson(bytes: Uint8Array): Record<string, unknown>;
    /** The full DICOM JSON of a stored instance, as its /file route answers it in DICOM JSON. */
    instanceDicomJson(instanceId: string): Promise<Record<string, unknown>>;
    /**
     * A new DICOM file (OrthancPluginCreateDicom): `tags` as in /tools/create-dicom's "Tags"
     * (keys are names or "gggg,eeee"; values are strings, null for an empty value, or arrays of
     * items for sequences), written in explicit VR little endian with SpecificCharacterSet (the
     * tags' own, else DefaultEncoding's). Throws Orthanc's error for an unknown tag or a bad value.
     */
    createDicom(tags: Record<string, unknown>, options?: CreateDicomOptions): Uint8Array;
  };
}

/** The options of host.dicom.createDicom(), after OrthancPluginCreateDicom2's arguments. */
export interface CreateDicomOptions {
  /**
   * The pixel data: Grayscale8, Grayscale16, RGB24, or RGBA32 (its alpha dropped), stored
   * uncompressed with its image pixel module, as Orthanc embeds an image.
   */
  image?: RawImage;
  /**
   * Values "data:application/octet-stream;base64,..." stand for their decoded bytes
   * (OrthancPluginCreateDicomFlags_DecodeDataUriScheme). Off by default.
   */
  decodeDataUriScheme?: boolean;
  /**
   * PatientID, StudyInstanceUID, SeriesInstanceUID and SOPInstanceUID are generated when the
   * tags do not give them (OrthancPluginCreateDicomFlags_GenerateIdentifiers). Off by default.
   */
  generateIdentifiers?: boolean;
  /** The private creator whose dictionary gives the VRs of private tags (CreateDicom2). */
  privateCreator?: string;
}
