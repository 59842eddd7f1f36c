// The messages between the PostgreSQL index (main thread, bridge.ts) and the worker that holds its
// connection (worker.ts).

/**
 * The namespace of Pharos's session advisory locks: key 0 is the database (shared by the nodes,
 * or exclusive under Lock), a node's number is that node's, held while it is connected.
 */
export const LOCK_NAMESPACE = 0x5048;

export type Binding = string | number | boolean | null | Uint8Array | string[];

/** One statement, with "$n" placeholders. */
export interface Statement {
  sql: string;
  params: Binding[];
  /** Several statements in one text, without parameters (the schema). */
  script?: boolean;
}

export interface ConnectionOptions {
  url: string;
  /** Identifies this node's connection: its journaled files, its session lock. */
  node: number;
  /** Lock (as Orthanc's plugin): this node alone may use the database. */
  exclusive: boolean;
  /** Attempts, and seconds between them, to reach the database at start. */
  connectAttempts: number;
  connectIntervalSeconds: number;
}

export interface WorkerSetup {
  options: ConnectionOptions;
  /** Set to 1 by the worker when its answer is on the port. */
  flag: SharedArrayBuffer;
}

/** Runs the statements in order on the node's connection; answers the rows of the last. */
export interface Request {
  statements: Statement[];
  /** The statements go on with a transaction begun by an earlier request, on its connection. */
  continues?: boolean;
  close?: boolean;
}

export type Answer =
  | { rows: Record<string, unknown>[] }
  | {
    error: string;
    /** The connection was lost, or never made: the database is unavailable. */
    unavailable: boolean;
  };
