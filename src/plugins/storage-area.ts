// A plugin's storage area (host.registerStorageArea, OrthancPluginRegisterStorageArea): checked
// when registered, then adapted to the server's StorageArea with every call guarded: a failure
// is logged with the plugin's name and answers Orthanc's InternalError.
import { log } from "../log.ts";
import { OrthancError } from "../server/errors.ts";
import { describeError } from "../server/hooks.ts";
import type { StorageArea } from "../storage/area.ts";
import type { LoadedPlugin } from "./loaded-plugin.ts";
import type { PluginStorageArea } from "./pharos-plugin.d.ts";

/** Refuses a storage area registered too late, twice, or without its three methods. */
export function checkStorageArea(
  area: PluginStorageArea,
  initializing: boolean,
  taken: boolean,
): void {
  if (!initializing) {
    throw new OrthancError(
      "BadRequest",
      "A storage area can only be registered from initialize()",
    );
  }
  if (taken) {
    throw new OrthancError("BadRequest", "Another plugin has already registered a storage area");
  }
  for (const method of ["create", "read", "remove"] as const) {
    if (typeof area?.[method] !== "function") {
      throw new OrthancError("BadRequest", `The storage area has no ${method}() method`);
    }
  }
}

export function storageAdapter(plugin: LoadedPlugin, area: PluginStorageArea): StorageArea {
  const fail = (what: string, error: unknown): never => {
    log.error(
      `Error in the storage area of plugin "${plugin.id}" (${what}): ${describeError(error)}`,
    );
    throw new OrthancError(
      "InternalError",
      `Error in the storage area of plugin "${plugin.id}": ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  };
  const bytes = (what: string, data: unknown): Uint8Array => {
    if (data instanceof Uint8Array) return data;
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    return fail(what, new Error(`${what}() must return a Uint8Array`));
  };
  const readRange = area.readRange;
  return {
    async create(uuid: string, contentType: number, data: Uint8Array): Promise<void> {
      try {
        await area.create(uuid, contentType, data);
      } catch (error) {
        fail("create", error);
      }
    },
    async read(uuid: string, contentType: number): Promise<Uint8Array> {
      let data: unknown;
      try {
        data = await area.read(uuid, contentType);
      } catch (error) {
        return fail("read", error);
      }
      return bytes("read", data);
    },
    readRange: readRange &&
      (async (uuid: string, contentType: number, start: number, end: number) => {
        let data: unknown;
        try {
          data = await readRange.call(area, uuid, contentType, start, end);
        } catch (error) {
          return fail("readRange", error);
        }
        return bytes("readRange", data);
      }),
    async remove(uuid: string, contentType: number): Promise<void> {
      try {
        await area.remove(uuid, contentType);
      } catch (error) {
        fail("remove", error);
      }
    },
  };
}
