// The messages between the Lua engine (main thread, engine.ts) and the worker that holds the Lua
// state (worker.ts). Top-level work goes through the worker's message queue; the worker's
// synchronous calls (RestApiGet, HttpGet…) go through a MessageChannel port, on which the worker
// blocks with Atomics.wait, and on which the main thread may hand it nested work (a filter that a
// script's own REST call triggered) while it waits.

import type { Encoding } from "../dicom/charsets.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Work for the Lua state. */
export type LuaWork =
  | { type: "load"; chunkname: string; source: Uint8Array }
  /** A script's body; `names`: which of these functions it leaves defined, answered in `defined`. */
  | { type: "execute"; source: Uint8Array; timeoutMs: number; names: string[] }
  | { type: "call"; name: string; args: Json[]; timeoutMs: number }
  /**
   * OnStoredInstance. Its tags and metadata are asked of the main thread when the script first
   * reads them: the stored bytes by `token` (a stored-bytes request), the metadata by REST.
   */
  | {
    type: "stored";
    instanceId: string;
    token: number;
    defaultEncoding: Encoding;
    origin: Json;
    timeoutMs: number;
  }
  | { type: "defined"; names: string[] }
  /** Runs OnStoredInstance's path on a no-op function until the JIT has compiled it. */
  | { type: "warm-up" };

export type LuaOutcome =
  | { ok: true; output: Uint8Array; result: Json; commands: LuaCommand[]; defined?: string[] }
  | { ok: false; error: string };

/** A Lua job command (SendToModality, Delete…), queued by a callback and run after it. */
export interface LuaCommand {
  operation: "Delete" | "SendToModality" | "SendToPeer" | "ModifyInstance" | "CallSystem";
  /** A resource id, or `@N` for the output of command N (1-based) of the same callback. */
  input: string;
  parameters: Json;
}

/** What the worker asks of the main thread, waiting for the answer. */
export type SyncRequest =
  /** The bytes the engine holds for a token, else the instance's file through the REST API. */
  | { type: "stored-bytes"; token: number; instanceId: string }
  | {
    type: "rest";
    method: "GET" | "POST" | "PUT" | "DELETE";
    uri: string;
    body?: Uint8Array;
    builtinOnly: boolean;
    headers: Record<string, string>;
  }
  | {
    type: "http";
    method: "GET" | "POST" | "PUT" | "DELETE";
    url: string;
    body?: Uint8Array;
    headers: Record<string, string>;
    credentials?: { username: string; password: string };
    timeoutMs: number;
  };

export interface SyncReply {
  status: number;
  body: Uint8Array;
}

/** On the port, main thread → worker. */
export type PortToWorker =
  /** The answer to the sync request of the same id. */
  | { type: "reply"; id: number; reply: SyncReply }
  | { type: "nested"; id: number; work: LuaWork };

/** On the port, worker → main thread. */
export type PortToMain =
  | { type: "sync"; id: number; request: SyncRequest }
  | { type: "nested-done"; id: number; outcome: LuaOutcome };

/** Main thread → worker: top-level work, run in order. */
export type WorkBatch = { id: number; work: LuaWork }[];

/** Worker → main thread: the outcomes of a batch. */
export interface WorkDone {
  outcomes: { id: number; outcome: LuaOutcome }[];
  /** The batch is done: the worker is free for the next. */
  last: boolean;
}

/** What the worker is started with. */
export interface WorkerSetup {
  configuration: Json;
  /** Int32Array over it: [0] counts the messages the main thread put on the port. */
  signal: SharedArrayBuffer;
}
