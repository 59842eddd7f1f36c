// /{patients,studies,series,instances}/{id}/attachments: listing, reading (with Orthanc's ETag and
// If-None-Match), user attachments written and deleted with revisions, compression changed in
// place, MD5 verified. The storage and index work is in server/attachments.ts.
import { type Context, Hono } from "hono";
import type { Configuration } from "../config/schema.ts";
import { type Level, LEVEL_PATH, LEVELS } from "../dicom/levels.ts";
import type { JsonObject } from "../dicom/tags-json.ts";
import type { AttachmentInfo, Resource } from "../server/model.ts";
import { CONTENT_TYPE_NAMES, ContentType } from "../server/model.ts";
import { isUserContentType } from "../server/attachments.ts";
import { BareStatusError, OrthancError } from "../server/errors.ts";
import { rangedResponse } from "./byte-range.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { errorResponse } from "./errors.ts";
import { jsonResponse, textResponse } from "./json.ts";
import { etag, revisionHeader } from "./revisions.ts";
import { requestUri } from "./uri.ts";
import { type Handler, route } from "./router.ts";
import { idParam, param } from "./params.ts";

type Reader = (a: AttachmentInfo, c: Context<AppEnv>) => Response | Promise<Response>;

/** Names and MIME types of content types: Orthanc's own, then the UserContentType option. */
class ContentTypes {
  private readonly byName = new Map<string, number>();
  private readonly names = new Map<number, string>();
  private readonly mimes = new Map<number, string>([
    [ContentType.Dicom, "application/dicom"],
    [ContentType.DicomAsJson, "application/json"],
  ]);

  constructor(user: Configuration["UserContentType"]) {
    for (const [type, name] of Object.entries(CONTENT_TYPE_NAMES)) {
      this.byName.set(name, Number(type));
      this.names.set(Number(type), name);
    }
    for (const [name, value] of Object.entries(user)) {
      const type = typeof value === "number" ? value : value[0];
      if (!this.byName.has(name)) this.byName.set(name, type);
      if (!this.names.has(type)) this.names.set(type, name);
      if (typeof value !== "number") this.mimes.set(type, value[1]);
    }
  }

  /** Orthanc reads a decimal number (an int32) as the content type itself, else a name. */
  parse(name: string): number {
    if (/^-?\d+$/.test(name)) {
      const n = Number(name);
      if (n < -(2 ** 31) || n >= 2 ** 31) {
        throw new OrthancError("BadParameterType", "Syntax error in some user-supplied data");
      }
      return n;
    }
    const type = this.byName.get(name);
    if (type === undefined) throw new OrthancError("InexistentItem");
    return type;
  }

  name(type: number): string {
    return this.names.get(type) ?? String(type);
  }

  mime(type: number): string {
    return this.mimes.get(type) ?? "application/octet-stream";
  }
}

/** The sub-routes Orthanc 1.10.1 lists, "uuid" included although it serves no such route. */
function operations(a: AttachmentInfo): string[] {
  const out = ["compress", "compressed-data"];
  if (a.compressedMd5 !== "") out.push("compressed-md5");
  out.push("compressed-size", "data", "info", "is-compressed");
  if (a.uncompressedMd5 !== "") out.push("md5");
  out.push("size", "uncompress");
  if (a.compressedMd5 !== "" && a.uncompressedMd5 !== "") out.push("verify-md5");
  out.push("uuid");
  return out;
}

/** A value for `filename="..."` that cannot break out of the quotes or the header. */
function quotedFilename(name: string): string {
  return [...name].map((ch) => {
    const code = ch.charCodeAt(0);
    return ch === '"' || ch === "\\" || code < 0x20 || code === 0x7f ? "_" : ch;
  }).join("");
}

// Orthanc answers its write routes with this exact body and type (no charset, no newline).
const emptyJson = (headers: Record<string, string> = {}) =>
  new Response("{}", { headers: { "Content-Type": "application/json", ...headers } });

export function attachmentRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { config } = deps;
  const store = deps.core.attachments;
  const types = new ContentTypes(config.UserContentType);
  const nameParam = (c: Context<AppEnv>) => types.parse(param(c, "name"));

  /** GET routes on one attachment: ETag on every answer (errors too), 304 on If-None-Match. */
  const reader = (level: Level, answer: Reader): Handler => async (c) => {
    const type = nameParam(c);
    const r = deps.core.resource(idParam(c), level);
    const a = store.find(r, type);
    if (!a) throw new OrthancError("UnknownResource");
    const tag = `"${a.revision}-${a.uncompressedMd5}"`;
    let res: Response;
    try {
      const seen = revisionHeader(c, "If-None-Match");
      res = seen && seen.revision === a.revision && seen.md5 === a.uncompressedMd5
        ? new Response(null, { status: 304 })
        : await answer(a, c);
    } catch (error) {
      res = errorResponse(error, c.req.method, requestUri(c.req.raw), config.HttpDescribeErrors);
    }
    res.headers.set("ETag", tag);
    return res;
  };

  const data = (raw: boolean): Reader => async (a, c) => {
    const headers: Record<string, string> = {
      "Content-Type": raw ? "application/octet-stream" : types.mime(a.contentType),
    };
    // Orthanc names the download after the uuid; 1.12 lets the client choose (?filename=).
    const filename = c.req.query("filename") ??
      (raw ? undefined : `${a.uuid}${a.contentType === ContentType.Dicom ? ".dcm" : ""}`);
    if (filename !== undefined) {
      headers["Content-Disposition"] = `filename="${quotedFilename(filename)}"`;
    }
    // Bun labels a file body with a Content-Disposition of its own, which compressed-data
    // must not carry: without a filename to send, that answer is read into memory (as Orthanc
    // does).
    const zeroCopy = (raw || a.compression === 0) && filename !== undefined;
    const body = (zeroCopy ? await store.file(a) : undefined) ??
      (raw ? await store.stored(a) : await store.content(a));
    return rangedResponse(c.req.header("range"), body, headers);
  };

  const optional = (value: (a: AttachmentInfo) => string): Reader => (a) => {
    const text = value(a);
    // Orthanc's handler answers nothing when the MD5 was not stored, which is a bare 404.
    return text === "" ? new Response(null, { status: 404 }) : textResponse(text);
  };

  const info: Reader = (a) =>
    jsonResponse({
      CompressedMD5: a.compressedMd5,
      CompressedSize: a.compressedSize,
      ContentType: a.contentType,
      UncompressedMD5: a.uncompressedMd5,
      UncompressedSize: a.uncompressedSize,
      Uuid: a.uuid,
    });

  const put = (level: Level): Handler => async (c) => {
    const type = nameParam(c);
    // Orthanc answers a write to its own attachments with a bare 403.
    if (!isUserContentType(type)) throw new BareStatusError(403);
    const given = revisionHeader(c, "if-match");
    const r = deps.core.resource(idParam(c), level);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    // With CheckRevisions, overwriting without If-Match is a conflict: a revision that
    // never matches says so, while a first write still succeeds.
    const expected = given ?? (config.CheckRevisions ? { revision: -1, md5: "" } : undefined);
    const revision = await store.put(r, type, bytes, expected);
    return emptyJson({ ETag: etag(revision, bytes) });
  };

  const remove = (level: Level): Handler => async (c) => {
    const type = nameParam(c);
    // Orthanc lets DICOM-as-JSON summaries go (they are rebuilt); Pharos never stores one.
    if (!isUserContentType(type) && type !== ContentType.DicomAsJson) {
      throw new BareStatusError(403);
    }
    const given = revisionHeader(c, "if-match");
    if (!given && config.CheckRevisions) {
      throw new OrthancError(
        "Revision",
        'HTTP header "If-Match" is missing, as "CheckRevisions" is "true"',
      );
    }
    const r = deps.core.resource(idParam(c), level);
    await store.remove(r, type, given);
    return textResponse("");
  };

  const post =
    (level: Level, action: (r: Resource, type: number) => Promise<boolean>) =>
    async (c: Context<AppEnv>) => {
      const type = nameParam(c);
      const r = deps.core.resource(idParam(c), level);
      // Orthanc's handlers that answer nothing give a bare 400 on POST.
      if (!(await action(r, type))) throw new BareStatusError(400);
      return emptyJson();
    };
  const compression = (compressed: boolean) => async (r: Resource, type: number) => {
    await store.setCompression(r, type, compressed);
    return true;
  };

  for (const level of LEVELS) {
    const base = `/${LEVEL_PATH[level]}/:id/attachments`;
    route(app, base, {
      GET: (c) => {
        const r = deps.core.resource(idParam(c), level);
        const present = store.types(r);
        if (c.req.query("full") === undefined) {
          return jsonResponse(present.map((t) => types.name(t)));
        }
        const out: JsonObject = {};
        for (const t of present) out[types.name(t)] = t;
        return jsonResponse(out);
      },
    });
    route(app, `${base}/:name`, {
      GET: reader(level, (a) => jsonResponse(operations(a))),
      PUT: put(level),
      DELETE: remove(level),
    });
    const get = (path: string, answer: Reader) =>
      route(app, `${base}/:name/${path}`, { GET: reader(level, answer) });
    get("data", data(false));
    get("compressed-data", data(true));
    get("size", (a) => textResponse(String(a.uncompressedSize)));
    get("compressed-size", (a) => textResponse(String(a.compressedSize)));
    get("md5", optional((a) => a.uncompressedMd5));
    get("compressed-md5", optional((a) => a.compressedMd5));
    get("is-compressed", (a) => textResponse(a.compression === 0 ? "0" : "1"));
    get("info", info);
    route(app, `${base}/:name/compress`, { POST: post(level, compression(true)) });
    route(app, `${base}/:name/uncompress`, { POST: post(level, compression(false)) });
    route(app, `${base}/:name/verify-md5`, {
      POST: post(level, (r, type) => store.verify(r, type)),
    });
  }
  return app;
}
