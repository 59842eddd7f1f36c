// The worker that holds the PostgreSQL connection of one node (Bun's built-in SQL client). The
// main thread waits on the shared flag while this worker runs its statements, which presents the
// asynchronous client synchronously, as the index interface requires (index/interface.ts).
//
// One connection: the main thread has at most one request in flight, and a transaction is one
// PostgreSQL transaction only if all its statements go through the same connection. A lost
// connection is dropped, and the next request opens a new one (with the node's session setup),
// unless it goes on with a transaction of the lost one: that fails, rather than commit half.
import { SQL } from "bun";
import { parentPort, workerData } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import {
  type Answer,
  LOCK_NAMESPACE,
  type Request,
  type Statement,
  type WorkerSetup,
} from "./protocol.ts";

const { options, flag, port } = workerData as WorkerSetup & { port: MessagePort };
const signal = new Int32Array(flag);

let client: SQL | undefined;
/** Set when the connection of `client` closed: Bun's client would reopen it without the setup. */
let lost = false;
let started = false;
let node = options.node;

async function connect(): Promise<SQL> {
  const sql: SQL = new SQL({
    url: options.url,
    max: 1,
    idleTimeout: 0,
    connectionTimeout: 10,
    onclose: () => {
      if (client === sql) lost = true;
    },
  });
  try {
    // The node's number, its lock held while connected. Another node may have taken it while
    // the connection was lost (it then took over the journal): a new number, not a wait.
    for (;;) {
      const [own] = await sql.unsafe(
        `SELECT pg_try_advisory_lock(${LOCK_NAMESPACE}, ${node}) AS ok`,
      );
      if (own.ok) break;
      node = 1 + Math.floor(Math.random() * 0x7ffffffe);
    }
    await sql.unsafe(`SET pharos.node = '${node}'`);
    const shared = options.exclusive ? "" : "_shared";
    const [lock] = await sql.unsafe(
      `SELECT pg_try_advisory_lock${shared}(${LOCK_NAMESPACE}, 0) AS ok`,
    );
    if (!lock.ok) {
      throw new Error(
        options.exclusive
          ? "Another node uses this PostgreSQL database: set PostgreSQL.Lock to false on every node that shares it"
          : "A node with PostgreSQL.Lock set uses this PostgreSQL database alone",
      );
    }
    return sql;
  } catch (error) {
    await sql.close().catch(() => {});
    throw error;
  }
}

/** The connection; at start, retried as the options say (the database may still be starting). */
async function connection(): Promise<SQL> {
  if (client) return client;
  const attempts = started ? 1 : Math.max(1, options.connectAttempts);
  for (let attempt = 1;; attempt++) {
    try {
      client = await connect();
      lost = false;
      started = true;
      return client;
    } catch (error) {
      if (attempt >= attempts || isLockRefusal(error)) throw error;
      await Bun.sleep(options.connectIntervalSeconds * 1000);
    }
  }
}

const isLockRefusal = (error: unknown) =>
  error instanceof Error && error.message.includes("PostgreSQL.Lock");

/**
 * Errors of the connection rather than of a statement: those without a SQLSTATE (the client's
 * own), and the server's classes 08 (connection) and 57 (shutdown).
 */
function isConnectionLoss(error: unknown): boolean {
  const sqlState = (error as { errno?: unknown }).errno;
  if (typeof sqlState === "string" && /^[0-9A-Z]{5}$/.test(sqlState)) {
    return /^(08|57)/.test(sqlState);
  }
  return true;
}

/**
 * PostgreSQL's text cannot hold U+0000, which DICOM values may: it is stored as U+E000, a
 * private-use character DICOM has no use for, and given back as U+0000.
 */
const NUL = /\0/g;
const STORED_NUL = /\uE000/g;
const toStored = (value: unknown) =>
  typeof value === "string" && value.includes("\0") ? value.replace(NUL, "\uE000") : value;

function fromStored(row: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === "string" && value.includes("\uE000")) {
      row[key] = value.replace(STORED_NUL, "\0");
    }
  }
  return row;
}

async function run(statements: Statement[], continues: boolean): Promise<Answer> {
  if (lost) {
    lost = false;
    const closing = client;
    client = undefined;
    await closing?.close().catch(() => {});
    if (continues) {
      return {
        error: "The connection to PostgreSQL was lost during the transaction",
        unavailable: true,
      };
    }
  }
  let sql: SQL;
  try {
    sql = await connection();
  } catch (error) {
    return { error: (error as Error).message, unavailable: !isLockRefusal(error) };
  }
  // Issued together, the statements are pipelined on the one connection; they run in order.
  const pending = statements.map((s) =>
    (s.script ? sql.unsafe(s.sql).simple() : sql.unsafe(s.sql, s.params.map(toStored))) as Promise<
      Record<string, unknown>[]
    >
  );
  const settled = await Promise.allSettled(pending);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) {
    const error = failed.reason as Error;
    const unavailable = isConnectionLoss(error);
    if (unavailable) {
      client = undefined;
      lost = false;
      await sql.close().catch(() => {});
    }
    return { error: error.message, unavailable };
  }
  const last = settled.at(-1) as PromiseFulfilledResult<Record<string, unknown>[]> | undefined;
  return { rows: last ? last.value.map(fromStored) : [] };
}

function answer(value: Answer): void {
  port.postMessage(value);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

parentPort!.on("message", async (request: Request) => {
  if (request.close) {
    await client?.close().catch(() => {});
    client = undefined;
    answer({ rows: [] });
    return;
  }
  answer(await run(request.statements, request.continues === true));
});
