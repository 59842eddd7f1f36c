// WebDAV collections registered by plugins (host.webdav.register, Orthanc's
// OrthancPluginRegisterWebDavCollection), served under /webdav/<uri>/: OPTIONS, PROPFIND (Depth 0
// or 1), GET/HEAD, and PUT, MKCOL, DELETE when the collection has the matching callback.
import type { WebDavCollection, WebDavItem } from "./pharos-plugin.d.ts";

/** The methods a collection answers, for OPTIONS and 405. */
export function allowedMethods(collection: WebDavCollection): string[] {
  const methods = ["OPTIONS", "PROPFIND", "GET", "HEAD"];
  if (collection.storeFile) methods.push("PUT");
  if (collection.createFolder) methods.push("MKCOL");
  if (collection.deleteItem) methods.push("DELETE");
  return methods;
}

/** The path items of a collection's URI ("/a/b/" → ["a", "b"]). */
export function uriItems(uri: string): string[] {
  return uri.split("/").filter((s) => s !== "");
}

const MIME_TYPES: Record<string, string> = {
  dcm: "application/dicom",
  json: "application/json",
  xml: "application/xml",
  txt: "text/plain",
  html: "text/html",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  pdf: "application/pdf",
  zip: "application/zip",
};

/** Orthanc guesses the MIME type from the extension when the plugin gives none. */
export function guessMimeType(name: string): string {
  const dot = name.lastIndexOf(".");
  return (dot >= 0 && MIME_TYPES[name.slice(dot + 1).toLowerCase()]) || "application/octet-stream";
}

/** A date as the plugin gives it: a Date, Orthanc's "YYYYMMDDTHHMMSS[,fff]" (UTC), or ISO 8601. */
export function parseDateTime(value: string | Date | undefined): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === "string") {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/.exec(value);
    if (m) {
      const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
      return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
    }
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  return new Date();
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function href(items: string[], folder: boolean): string {
  const path = "/" + items.map(encodeURIComponent).join("/");
  return folder && items.length > 0 ? `${path}/` : path;
}

function responseXml(items: string[], item: WebDavItem, displayName: string): string {
  const folder = item.folder === true;
  const props = [
    `<D:displayname>${escapeXml(displayName)}</D:displayname>`,
    folder ? "<D:resourcetype><D:collection/></D:resourcetype>" : "<D:resourcetype/>",
    `<D:getlastmodified>${parseDateTime(item.dateTime).toUTCString()}</D:getlastmodified>`,
    `<D:creationdate>${parseDateTime(item.dateTime).toISOString()}</D:creationdate>`,
  ];
  if (!folder) {
    props.push(
      `<D:getcontentlength>${Math.max(0, Math.floor(item.size ?? 0))}</D:getcontentlength>`,
    );
    props.push(
      `<D:getcontenttype>${
        escapeXml(item.mimeType || guessMimeType(item.name))
      }</D:getcontenttype>`,
    );
  }
  return `<D:response><D:href>${escapeXml(href(items, folder))}</D:href><D:propstat><D:prop>${
    props.join("")
  }</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
}

function multistatus(responses: string[]): Response {
  const body = `<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">${
    responses.join("")
  }</D:multistatus>\n`;
  return new Response(body, {
    status: 207,
    headers: { "Content-Type": "application/xml; charset=utf-8" },
  });
}

function checkItems(value: unknown): WebDavItem[] {
  if (!Array.isArray(value)) throw new TypeError("listFolder() must answer an array or undefined");
  for (const item of value) {
    if (!item || typeof item !== "object" || typeof item.name !== "string" || item.name === "") {
      throw new TypeError("each item of listFolder() needs a non-empty name");
    }
  }
  return value as WebDavItem[];
}

/** False when a write callback says the collection is read-only (Orthanc's isReadOnly). */
const written = (result: unknown) => result !== false;

/**
 * Answers one WebDAV request. `base` is the path of the collection's root ("/webdav/x" split
 * into items), `path` the items below it. Errors thrown by the callbacks escape: the caller logs
 * them with the plugin's name.
 */
export async function serveWebDav(
  collection: WebDavCollection,
  request: Request,
  base: string[],
  path: string[],
): Promise<Response> {
  const method = request.method.toUpperCase();
  const allow = allowedMethods(collection);
  const list = async (items: string[]) => {
    const answer = await collection.listFolder([...items]);
    return answer === undefined || answer === null ? undefined : checkItems(answer);
  };
  /** The item a path names: a folder, a file of its parent folder, or undefined. */
  const find = async (): Promise<WebDavItem | undefined> => {
    if (path.length === 0) return { name: base.at(-1) ?? "", folder: true };
    const parent = await list(path.slice(0, -1));
    return parent?.find((i) => i.name === path.at(-1));
  };

  switch (method) {
    case "OPTIONS":
      return new Response(null, {
        status: 200,
        headers: { Allow: allow.join(", "), DAV: "1", "MS-Author-Via": "DAV" },
      });
    case "PROPFIND": {
      const depth = (request.headers.get("depth") ?? "1").trim().toLowerCase();
      const item = await find();
      if (!item) return new Response(null, { status: 404 });
      const self = [...base, ...path];
      const responses = [responseXml(self, item, item.name)];
      if (item.folder && depth !== "0") {
        const children = await list(path);
        if (!children) return new Response(null, { status: 404 });
        for (const child of children) {
          responses.push(responseXml([...self, child.name], child, child.name));
        }
      }
      return multistatus(responses);
    }
    case "GET":
    case "HEAD": {
      if (path.length === 0) return new Response(null, { status: 404 });
      const file = await collection.retrieveFile([...path]);
      if (file === undefined || file === null) return new Response(null, { status: 404 });
      const data = typeof file.data === "string" ? new TextEncoder().encode(file.data) : file.data;
      if (!(data instanceof Uint8Array)) {
        throw new TypeError("retrieveFile() must answer { data: Uint8Array | string }");
      }
      return new Response(method === "HEAD" ? null : data, {
        status: 200,
        headers: {
          "Content-Type": file.mimeType || guessMimeType(path.at(-1)!),
          "Content-Length": String(data.byteLength),
          "Last-Modified": parseDateTime(file.dateTime).toUTCString(),
        },
      });
    }
    case "PUT": {
      if (!collection.storeFile) break;
      if (path.length === 0) return new Response(null, { status: 409 });
      const data = new Uint8Array(await request.arrayBuffer());
      const ok = written(await collection.storeFile([...path], data));
      return new Response(null, { status: ok ? 201 : 403 });
    }
    case "MKCOL": {
      if (!collection.createFolder) break;
      if (path.length === 0) {
        return new Response(null, { status: 405, headers: { Allow: allow.join(", ") } });
      }
      const ok = written(await collection.createFolder([...path]));
      return new Response(null, { status: ok ? 201 : 403 });
    }
    case "DELETE": {
      if (!collection.deleteItem) break;
      if (path.length === 0) return new Response(null, { status: 403 });
      const ok = written(await collection.deleteItem([...path]));
      return new Response(null, { status: ok ? 204 : 403 });
    }
  }
  return new Response(null, { status: 405, headers: { Allow: allow.join(", ") } });
}
