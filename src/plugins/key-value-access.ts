// host.keyValues: the key-value stores and queues of Orthanc 1.12.8 as plugins call them, over
// the server's service (server/key-values.ts), which checks the arguments and keeps them in the
// index. A plugin in a worker reaches the same functions through its channel (`call`).
import type { KeyValues } from "../server/key-values.ts";
import type { KeyValueStore, PharosHost, ValueQueue } from "./pharos-plugin.d.ts";

/** The operations by name, as a worker's proxy names them. */
export type KeyValueCall =
  | ["store", string, "set", string, Uint8Array | string]
  | ["store", string, "get" | "delete", string]
  | ["store", string, "list", { after?: string; limit?: number } | undefined]
  | ["queue", string, "enqueue", Uint8Array | string]
  | ["queue", string, "dequeue", "front" | "back" | undefined]
  | ["queue", string, "size"];

// deno-lint-ignore require-await
export async function runKeyValueCall(kv: KeyValues, call: KeyValueCall): Promise<unknown> {
  const [kind, id, method] = call;
  if (kind === "store") {
    switch (method) {
      case "set":
        return kv.set(id, call[3] as string, call[4] as Uint8Array | string);
      case "get":
        return kv.get(id, call[3] as string);
      case "delete":
        return kv.delete(id, call[3] as string);
      case "list": {
        const options = call[3] as { after?: string; limit?: number } | undefined;
        return kv.list(id, options?.after, options?.limit);
      }
    }
  }
  switch (method) {
    case "enqueue":
      return kv.enqueue(id, call[3] as Uint8Array | string);
    case "dequeue":
      return kv.dequeue(id, call[3] as "front" | "back" | undefined);
    case "size":
      return kv.size(id);
  }
  throw new TypeError(`Unknown key-value call ${kind}.${String(method)}`);
}

export function keyValueAccess(
  call: (operation: KeyValueCall) => Promise<unknown>,
): PharosHost["keyValues"] {
  return {
    store(storeId): KeyValueStore {
      return {
        set: (key, value) => call(["store", storeId, "set", key, value]) as Promise<void>,
        get: (key) => call(["store", storeId, "get", key]) as Promise<Uint8Array | undefined>,
        delete: (key) => call(["store", storeId, "delete", key]) as Promise<void>,
        list: (options) =>
          call(["store", storeId, "list", options]) as ReturnType<KeyValueStore["list"]>,
      };
    },
    queue(queueId): ValueQueue {
      return {
        enqueue: (value) => call(["queue", queueId, "enqueue", value]) as Promise<void>,
        dequeue: (origin) =>
          call(["queue", queueId, "dequeue", origin]) as Promise<Uint8Array | undefined>,
        size: () => call(["queue", queueId, "size"]) as Promise<number>,
      };
    },
  };
}
