// The callbacks a plugin in a worker may register, as the two sides of the channel name them.
import type { Encoding } from "../../dicom/charsets.ts";
import type { WireResponse } from "./wire.ts";

export type CallbackKind =
  | "route"
  | "httpFilter"
  | "instanceFilter"
  | "cstoreFilter"
  | "findFilter"
  | "worklistFilter"
  | "outgoingFindFilter"
  | "received"
  | "change"
  | "stored"
  | "refresh"
  | "audit"
  | "find"
  | "worklist"
  | "move"
  /** Not registered: one sub-operation of a C-MOVE driver, by the driver's id. */
  | "moveStep"
  | "commitment"
  | "dicomWebBinary";

/** A route's pattern and options, as rest.register received them. */
export interface RouteSpec {
  source: string;
  flags: string;
  exclusive: boolean;
}

/** What the worker needs to build its host object. */
export interface WorkerIdentity {
  pluginName: string;
  pharosVersion: string;
  orthancVersion: string;
  expectedDatabaseVersion: number;
  configuration: Record<string, unknown>;
  configurationDirectory: string;
  /** The server's DefaultEncoding, for dicom.simplifiedTags(). */
  encoding: Encoding;
  /** A token made for the plugin, as generateAuthorizationToken() must answer at once. */
  token: string;
}

/** What the worker learned when it imported the module. */
export interface ModuleInfo {
  name?: string;
  version?: string;
  description?: string;
}

/** An HTTP filter's own answer (a Response), as it crosses back from the worker. */
export interface FilterAnswer {
  answer: WireResponse;
}

/** A C-MOVE driver made in the worker: the server's side calls "moveStep" with its id. */
export interface MoveAnswer {
  driver: number;
  size: number;
}
