// A plugin's WebDAV collection (host.webdav.register, Orthanc's OrthancPluginRegisterWebDavCollection)
// as a bucket of the built-in WebDAV server, as Orthanc's OrthancPlugins::WebDavCollection adapts
// the plugin's callbacks to its IWebDavBucket: the protocol and XML are the built-in share's.
// A collection is checked when registered: where it is mounted, and that its callbacks exist.
import { log } from "../log.ts";
import type { DavBucket, DavFile, DavItem } from "../webdav/protocol.ts";
import { autodetectMimeType, lookupMimeType } from "../webdav/mime.ts";
import { OrthancError } from "../server/errors.ts";
import type { WebDavCollection, WebDavFile, WebDavItem } from "./pharos-plugin.d.ts";

/** Orthanc's built-in WebDAV folders: plugins may not register collections there. */
const RESERVED_WEBDAV = ["by-dates", "by-patients", "by-studies", "by-uids", "uploads"];

/** The path items of a collection's URI ("/a/b/" → ["a", "b"]). */
function uriItems(uri: string): string[] {
  return uri.split("/").filter((s) => s !== "");
}

/**
 * The path items where a collection registered at `uri` is served; refuses it when registered
 * too late, ill-formed, on Orthanc's own folders, or where `taken` (the URIs already served) has
 * one.
 */
export function checkWebDavCollection(
  uri: string,
  collection: WebDavCollection,
  initializing: boolean,
  taken: readonly string[][],
): string[] {
  if (!initializing) {
    throw new OrthancError(
      "BadRequest",
      "A WebDAV collection can only be registered from initialize()",
    );
  }
  const items = typeof uri === "string" ? uriItems(uri) : [];
  if (items.length === 0) throw new OrthancError("BadRequest", `Bad WebDAV URI: ${String(uri)}`);
  for (const method of ["listFolder", "retrieveFile"] as const) {
    if (typeof collection?.[method] !== "function") {
      throw new OrthancError("BadRequest", `The WebDAV collection has no ${method}() method`);
    }
  }
  for (const method of ["storeFile", "createFolder", "deleteItem"] as const) {
    if (collection[method] !== undefined && typeof collection[method] !== "function") {
      throw new OrthancError("BadRequest", `The WebDAV collection's ${method} is not a function`);
    }
  }
  if (items[0] === "webdav" && (items.length === 1 || RESERVED_WEBDAV.includes(items[1]!))) {
    throw new OrthancError(
      "BadRequest",
      `The WebDAV folder /${items.join("/")} is Orthanc's own`,
    );
  }
  const key = items.join("/");
  if (taken.some((t) => t.join("/") === key)) {
    throw new OrthancError("BadRequest", `A WebDAV collection is already registered at ${key}`);
  }
  return items;
}

/**
 * A date as the plugin gives it: a Date, Orthanc's "YYYYMMDDTHHMMSS[,fff]" (UTC), or ISO 8601; now
 * when missing. WebDAV shows it to the second.
 */
function dateOf(value: string | Date | undefined): Date {
  if (value === undefined) return new Date();
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === "string") {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:[,.]\d+)?$/.exec(value);
    const iso = m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}` : undefined;
    const date = new Date(iso ? `${iso}Z` : /^\d{4}-\d{2}-\d{2}/.test(value) ? value : NaN);
    const valid = !Number.isNaN(date.getTime());
    // The round trip refuses what Date would roll over (a 30th of February).
    if (valid && (!iso || date.toISOString().startsWith(iso))) return date;
  }
  // Orthanc refuses an ill-formed date with ParameterOutOfRange.
  throw new OrthancError("ParameterOutOfRange", `Presumably ill-formed date: ${String(value)}`);
}

/** The type Orthanc shows: guessed from the name when none is given; an unknown one is binary. */
function mimeOf(given: string | undefined, name: string): string {
  if (!given) return autodetectMimeType(name);
  const known = lookupMimeType(given);
  if (known) return known;
  log.warning(`Unknown MIME type in plugin: ${given}`);
  return "application/octet-stream";
}

function itemOf(value: unknown): DavItem {
  const item = value as WebDavItem | null;
  if (!item || typeof item !== "object" || typeof item.name !== "string" || item.name === "") {
    throw new TypeError("each item of listFolder() needs a non-empty name");
  }
  const created = dateOf(item.dateTime);
  if (item.folder === true) return { name: item.name, folder: true, created };
  return {
    name: item.name,
    folder: false,
    size: Math.max(0, Math.floor(Number(item.size ?? 0)) || 0),
    mimeType: mimeOf(item.mimeType, item.name),
    created,
  };
}

function fileOf(value: WebDavFile, name: string): DavFile {
  const data = typeof value?.data === "string" ? new TextEncoder().encode(value.data) : value?.data;
  if (!(data instanceof Uint8Array)) {
    throw new TypeError("retrieveFile() must answer { data: Uint8Array | string }");
  }
  return { bytes: data, mimeType: mimeOf(value.mimeType, name), modified: dateOf(value.dateTime) };
}

/**
 * The bucket serving `collection` for plugin `pluginId`. Each callback is guarded: what it throws
 * (or a malformed answer) is logged with the plugin's name and becomes Orthanc's error answer,
 * 500 for ErrorCode_Plugin, or the status of an error the plugin got from the host.
 */
export function pluginBucket(collection: WebDavCollection, pluginId: string): DavBucket {
  const guard = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      const text = `Error in the WebDAV callback of plugin "${pluginId}"`;
      log.error(`${text}: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
      if (error instanceof OrthancError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new OrthancError("Plugin", `${text}: ${message}`);
    }
  };
  const list = (path: string[]) =>
    guard(async () => {
      const answer: unknown = await collection.listFolder([...path]);
      if (answer === undefined || answer === null) return undefined;
      if (!Array.isArray(answer)) {
        throw new TypeError("listFolder() must answer an array or undefined");
      }
      return answer.map(itemOf);
    });
  /** Orthanc's core takes the flag its write callbacks set as success: true → 201/204, false → 403. */
  const write = (call: (() => unknown) | undefined) =>
    guard(async () => call !== undefined && (await call()) !== false);
  const { storeFile, createFolder, deleteItem } = collection;

  return {
    async isExistingFolder(path) {
      return (await list(path)) !== undefined;
    },
    listCollection: list,
    getFileContent(path) {
      // The root is a folder, not a file (Orthanc's adapter would read past the empty path).
      if (path.length === 0) return undefined;
      return guard(async () => {
        const answer = await collection.retrieveFile([...path]);
        return answer === undefined || answer === null ? undefined : fileOf(answer, path.at(-1)!);
      });
    },
    // Without the callback, the method is refused as a read-only collection refuses it.
    storeFile: (path, bytes) =>
      write(storeFile && (() => storeFile.call(collection, [...path], bytes))),
    createFolder: (path) => write(createFolder && (() => createFolder.call(collection, [...path]))),
    deleteItem: (path) => write(deleteItem && (() => deleteItem.call(collection, [...path]))),
  };
}
