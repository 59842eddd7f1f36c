// The HTTP side of Orthanc's built-in WebDAV server (its HttpServer's WebDAV handling over an
// IWebDavBucket): OPTIONS, PROPFIND (Depth 0 or 1), GET/HEAD, PUT, DELETE, MKCOL, and the faked
// PROPPATCH, LOCK and UNLOCK that clients such as Windows Explorer need before they write. Orthanc
// serves its own share and the plugins' collections with this same code.
import { OrthancError } from "../server/errors.ts";
import { errorResponse } from "../rest/errors.ts";
import {
  davDate,
  type DavEntry,
  encodeHref,
  lockXml,
  multistatusXml,
  proppatchXml,
} from "./xml.ts";

type Awaitable<T> = T | Promise<T>;

/** A folder or file of a listing. Times default as in Orthanc: creation now, modification = creation. */
export interface DavItem {
  name: string;
  folder: boolean;
  size?: number;
  mimeType?: string;
  created?: Date;
  modified?: Date;
}

export interface DavFile {
  bytes: Uint8Array;
  mimeType: string;
  /** Undefined where Orthanc has none (its virtual JSON files). */
  modified?: Date;
}

/** What the share holds; `path` is the items below the share's root. */
export interface DavBucket {
  isExistingFolder(path: string[]): Awaitable<boolean>;
  /** The items of a folder, or undefined when it cannot be listed. */
  listCollection(path: string[]): Awaitable<DavItem[] | undefined>;
  getFileContent(path: string[]): Awaitable<DavFile | undefined>;
  /** False: refused (403). */
  storeFile(path: string[], bytes: Uint8Array): Awaitable<boolean>;
  createFolder(path: string[]): Awaitable<boolean>;
  deleteItem(path: string[]): Awaitable<boolean>;
}

const ALLOW = "GET, PUT, DELETE, OPTIONS, PROPFIND, HEAD, LOCK, UNLOCK, PROPPATCH, MKCOL";

const status = (code: number) => new Response(null, { status: code });

const xml = (body: string, code: number, contentType: string, headers = {}) =>
  new Response(body, { status: code, headers: { "Content-Type": contentType, ...headers } });

/** The Depth header as Orthanc reads it (boost::lexical_cast<int>, then only 0 or 1). */
function depthOf(request: Request): number {
  const value = request.headers.get("depth");
  if (value === null) throw new OrthancError("NetworkProtocol", "WebDAV PROPFIND without depth");
  const depth = /^[+-]?\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(depth) || Math.abs(depth) > 2 ** 31 - 1) {
    throw new OrthancError("BadParameterType", "Syntax error in some user-supplied data");
  }
  if (depth !== 0 && depth !== 1) {
    throw new OrthancError(
      "NetworkProtocol",
      `WebDAV PROPFIND at unsupported depth (can only be 0 or 1): ${value}`,
    );
  }
  return depth;
}

function entry(parent: string[], item: DavItem, now: Date): DavEntry {
  const created = item.created ?? now;
  return {
    href: encodeHref(`/${[...parent, item.name].join("/")}`),
    name: item.name,
    created,
    modified: item.modified ?? created,
    file: item.folder
      ? undefined
      : { size: item.size ?? 0, mimeType: item.mimeType ?? "application/octet-stream" },
  };
}

/** A multistatus answer: the folder itself (always "now"), then its items. */
function multistatus(folder: string[], items: DavItem[]): Response {
  const now = new Date();
  const self: DavEntry = {
    href: encodeHref(`/${folder.join("/")}/`),
    name: folder.at(-1) ?? "",
    created: now,
    modified: now,
  };
  const body = multistatusXml([self, ...items.map((i) => entry(folder, i, now))]);
  return xml(body, 207, "application/xml; charset=UTF-8");
}

async function propfind(
  bucket: DavBucket,
  request: Request,
  uriItems: string[],
  path: string[],
): Promise<Response> {
  const depth = depthOf(request);
  if (await bucket.isExistingFolder(path)) {
    if (depth === 0) return multistatus(uriItems, []);
    const items = await bucket.listCollection(path);
    return items ? multistatus(uriItems, items) : status(404);
  }
  const file = path.length > 0 ? await bucket.getFileContent(path) : undefined;
  if (!file) return status(404);
  return multistatus(uriItems.slice(0, -1), [{
    name: path.at(-1)!,
    folder: false,
    size: file.bytes.byteLength,
    mimeType: file.mimeType,
    created: new Date(),
    modified: file.modified ?? new Date(),
  }]);
}

async function get(bucket: DavBucket, path: string[], head: boolean): Promise<Response> {
  const file = await bucket.getFileContent(path);
  if (!file) return status(404);
  return new Response(head ? null : file.bytes, {
    status: 200,
    headers: {
      "Content-Type": file.mimeType,
      // Orthanc prints its unset time as boost does.
      "Last-Modified": file.modified ? davDate(file.modified) : "not-a-date-timeZ",
    },
  });
}

/**
 * Answers a request below the share. `uri` is the decoded request path, `root` the share's own
 * path ("/webdav"), `path` the items below it. Undefined: not a WebDAV method (POST goes on to the
 * REST routes, as in Orthanc).
 */
export async function serveDav(
  bucket: DavBucket,
  request: Request,
  uri: string,
  root: string,
  path: string[],
): Promise<Response | undefined> {
  const uriItems = uri.split("/").filter((s) => s !== "");
  switch (request.method.toUpperCase()) {
    case "OPTIONS":
      // Only the share's root answers OPTIONS (with or without its trailing slash).
      if (uri.replace(/\/$/, "") !== root) return status(404);
      return new Response(null, { status: 200, headers: { DAV: "1,2", Allow: ALLOW } });
    case "PROPFIND":
      return await propfind(bucket, request, uriItems, path);
    case "GET":
      return await get(bucket, path, false);
    case "HEAD":
      return await get(bucket, path, true);
    case "PUT": {
      const bytes = new Uint8Array(await request.arrayBuffer());
      return status(await bucket.storeFile(path, bytes) ? 201 : 403);
    }
    case "DELETE":
      return status(await bucket.deleteItem(path) ? 204 : 403);
    case "MKCOL":
      return status(await bucket.createFolder(path) ? 201 : 403);
    case "PROPPATCH":
      return xml(proppatchXml(uri), 207, "application/xml");
    case "LOCK": {
      const token = `opaquelocktoken:0x${crypto.randomUUID().replaceAll("-", "")}`;
      return xml(lockXml(uri, token), 201, "application/xml", { "Lock-Token": token });
    }
    case "UNLOCK":
      return status(204);
    default:
      // Not a WebDAV method (POST): on to the REST routes. The client front (rest/client-request.ts)
      // has refused the methods neither CivetWeb nor Orthanc serve.
      return undefined;
  }
}

/**
 * serveDav, with an error (a bad Depth, a failing bucket) rendered as Orthanc's error JSON. Its
 * Method names the WebDAV-only methods (PROPFIND, MKCOL…) "GET", as Orthanc does.
 */
export async function answerDav(
  bucket: DavBucket,
  request: Request,
  uri: string,
  root: string,
  path: string[],
  describeErrors: boolean,
): Promise<Response | undefined> {
  try {
    return await serveDav(bucket, request, uri, root, path);
  } catch (error) {
    const method = ["PUT", "DELETE"].includes(request.method) ? request.method : "GET";
    return errorResponse(error, method, uri, describeErrors);
  }
}
