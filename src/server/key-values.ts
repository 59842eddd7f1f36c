// The key-value stores and queues of Orthanc 1.12.8, which plugins reach through their host:
// checked here (ids and keys are non-empty text, values are bytes or text), kept in the index.
import type { IndexBackend, KeyValueEntry } from "../index/interface.ts";
import { OrthancError } from "./errors.ts";

/** The largest page of a listing, whatever the caller asks. */
export const MAX_LIST_LIMIT = 1000;

function checkId(what: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new OrthancError("ParameterOutOfRange", `${what} must be a non-empty string`);
  }
  return value;
}

function bytesOf(value: unknown): Uint8Array {
  if (typeof value === "string") return new TextEncoder().encode(value);
  if (value instanceof Uint8Array) return value;
  throw new OrthancError("ParameterOutOfRange", "A value must be a Uint8Array or a string");
}

export class KeyValues {
  constructor(private readonly index: IndexBackend) {}

  set(storeId: string, key: string, value: Uint8Array | string): void {
    this.index.storeKeyValue(checkId("A store id", storeId), checkId("A key", key), bytesOf(value));
  }

  get(storeId: string, key: string): Uint8Array | undefined {
    return this.index.keyValue(checkId("A store id", storeId), checkId("A key", key));
  }

  delete(storeId: string, key: string): void {
    this.index.deleteKeyValue(checkId("A store id", storeId), checkId("A key", key));
  }

  list(storeId: string, after?: string, limit = MAX_LIST_LIMIT): KeyValueEntry[] {
    if (after !== undefined && typeof after !== "string") {
      throw new OrthancError("ParameterOutOfRange", "`after` must be a string");
    }
    if (!Number.isInteger(limit) || limit < 1) {
      throw new OrthancError("ParameterOutOfRange", "`limit` must be a positive integer");
    }
    return this.index.listKeyValues(
      checkId("A store id", storeId),
      after,
      Math.min(limit, MAX_LIST_LIMIT),
    );
  }

  enqueue(queueId: string, value: Uint8Array | string): void {
    this.index.enqueueValue(checkId("A queue id", queueId), bytesOf(value));
  }

  dequeue(queueId: string, origin: "front" | "back" = "front"): Uint8Array | undefined {
    if (origin !== "front" && origin !== "back") {
      throw new OrthancError("ParameterOutOfRange", 'The origin must be "front" or "back"');
    }
    return this.index.dequeueValue(checkId("A queue id", queueId), origin);
  }

  size(queueId: string): number {
    return this.index.queueSize(checkId("A queue id", queueId));
  }
}
