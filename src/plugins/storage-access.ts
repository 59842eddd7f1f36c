// host.storageArea: the server's storage area as plugins may reach it (Orthanc's
// OrthancPluginStorageAreaCreate / Read / Remove, and a range read), whichever area is in use.
// Files are addressed by UUID only, so a plugin cannot name a path outside the area.
import type { PharosCore } from "../server/core.ts";
import { OrthancError } from "../server/errors.ts";
import type { StorageAreaAccess } from "./pharos-plugin.d.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkUuid(uuid: unknown): string {
  if (typeof uuid !== "string" || !UUID.test(uuid)) {
    throw new OrthancError("ParameterOutOfRange", `Not a UUID: ${String(uuid)}`);
  }
  return uuid.toLowerCase();
}

function checkType(contentType: unknown): number {
  if (!Number.isInteger(contentType) || (contentType as number) < 0) {
    throw new OrthancError("ParameterOutOfRange", `Bad content type: ${String(contentType)}`);
  }
  return contentType as number;
}

export function storageAccess(core: PharosCore): StorageAreaAccess {
  return {
    async create(uuid, data, contentType = 0) {
      if (!(data instanceof Uint8Array)) {
        throw new OrthancError("BadParameterType", "The content must be a Uint8Array");
      }
      await core.storage.create(checkUuid(uuid), checkType(contentType), data);
    },
    async read(uuid, contentType = 0) {
      return await core.storage.read(checkUuid(uuid), checkType(contentType));
    },
    async readRange(uuid, start, end, contentType = 0) {
      const id = checkUuid(uuid);
      const type = checkType(contentType);
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
        throw new OrthancError("ParameterOutOfRange", `Bad range: ${start}-${end}`);
      }
      const area = core.storage;
      if (area.readRange) return await area.readRange(id, type, start, end);
      return (await area.read(id, type)).slice(start, end);
    },
    async remove(uuid, contentType = 0) {
      await core.storage.remove(checkUuid(uuid), checkType(contentType));
    },
  };
}
