// Metadata of a resource (system entries set on ingest, user entries declared in UserMetadata),
// with revisions.
import { type Context, Hono } from "hono";
import { type Level, LEVEL_PATH, LEVELS } from "../dicom/levels.ts";
import type { JsonObject } from "../dicom/tags-json.ts";
import { METADATA_NAMES } from "../server/model.ts";
import { BareStatusError, NotFoundWithoutBody, OrthancError } from "../server/errors.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { jsonResponse, textResponse } from "./json.ts";
import { isExpanded } from "./resources.ts";
import { checkMetadataRevision, etag } from "./revisions.ts";
import { route } from "./router.ts";
import { idParam, param } from "./params.ts";

/** Orthanc reserves the numbers below 1024 for its own metadata. */
const FIRST_USER_METADATA = 1024;

export function metadataRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const resources = deps.core.resources;
  const userNames = new Map(Object.entries(deps.config.UserMetadata));
  const nameOf = (type: number) =>
    METADATA_NAMES[type] ?? [...userNames].find(([, n]) => n === type)?.[0] ?? String(type);
  const typeOf = (name: string): number => {
    const system = Object.entries(METADATA_NAMES).find(([, n]) => n === name)?.[0];
    if (system !== undefined) return Number(system);
    const user = userNames.get(name);
    if (user !== undefined) return user;
    const n = /^\d+$/.test(name) ? Number(name) : NaN;
    if (n >= FIRST_USER_METADATA && n <= 65535) return n;
    throw new OrthancError("InexistentItem");
  };
  const writable = (type: number) => {
    // Orthanc answers a write to its own metadata with a bare 403.
    if (type < FIRST_USER_METADATA) throw new BareStatusError(403);
  };

  for (const level of LEVELS) {
    const base = `/${LEVEL_PATH[level]}/:id`;
    const resource = (c: Context<AppEnv>, l: Level = level) => deps.core.resource(idParam(c), l);
    route(app, `${base}/metadata`, {
      GET: (c) => {
        const entries = [...resources.metadata(resource(c).internalId)].map(([type, value]) =>
          [nameOf(type), value] as const
        );
        if (!isExpanded(c)) return jsonResponse(entries.map(([name]) => name));
        const out: JsonObject = {};
        for (const [name, value] of entries) out[name] = value;
        return jsonResponse(out);
      },
    });
    route(app, `${base}/metadata/:name`, {
      GET: (c) => {
        const r = resource(c);
        const entry = resources.metadataEntry(r.internalId, typeOf(param(c, "name")));
        // Orthanc answers nothing for a missing entry: a bare 404.
        if (!entry) throw new NotFoundWithoutBody();
        return new Response(entry.value, {
          headers: { "Content-Type": "text/plain", ETag: etag(entry.revision, entry.value) },
        });
      },
      PUT: async (c) => {
        const r = resource(c);
        const type = typeOf(param(c, "name"));
        writable(type);
        const value = await c.req.text();
        const revision = deps.core.metadata.set(
          r,
          type,
          value,
          (current) => checkMetadataRevision(c, current, deps.config.CheckRevisions, false),
        );
        return new Response("", {
          headers: { "Content-Type": "text/plain", ETag: etag(revision, value) },
        });
      },
      DELETE: (c) => {
        const r = resource(c);
        const type = typeOf(param(c, "name"));
        writable(type);
        deps.core.metadata.remove(
          r,
          type,
          (current) => checkMetadataRevision(c, current, deps.config.CheckRevisions, true),
        );
        return textResponse("");
      },
    });
  }
  return app;
}
