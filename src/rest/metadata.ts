// Reading metadata and the list of attachments of a resource (writing comes with revisions).
import type { Hono } from "hono";
import { LEVEL_PATH, LEVELS } from "../dicom/levels.ts";
import type { JsonObject } from "../dicom/tags-json.ts";
import { CONTENT_TYPE_NAMES, METADATA_NAMES } from "../index/schema.ts";
import { NotFoundWithoutBody } from "../server/errors.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { jsonResponse, textResponse } from "./json.ts";
import { isExpanded } from "./resources.ts";
import { route } from "./router.ts";

export function registerMetadataRoutes(app: Hono<AppEnv>, deps: RestDependencies): void {
  for (const level of LEVELS) {
    const base = `/${LEVEL_PATH[level]}/:id`;
    route(app, `${base}/metadata`, {
      GET: (c) => {
        const r = deps.core.resource(c.req.param("id") ?? "", level);
        const entries = [...deps.core.index.metadata(r.internalId)]
          .filter(([type]) => METADATA_NAMES[type] !== undefined)
          .map(([type, value]) => [METADATA_NAMES[type]!, value] as const);
        if (!isExpanded(c)) return jsonResponse(entries.map(([name]) => name));
        const out: JsonObject = {};
        for (const [name, value] of entries) out[name] = value;
        return jsonResponse(out);
      },
    });
    route(app, `${base}/metadata/:name`, {
      GET: (c) => {
        const r = deps.core.resource(c.req.param("id") ?? "", level);
        const type = Object.entries(METADATA_NAMES).find(([, name]) => name === c.req.param("name"))
          ?.[0];
        const value = type === undefined
          ? undefined
          : deps.core.index.metadata(r.internalId).get(Number(type));
        if (value === undefined) throw new NotFoundWithoutBody();
        return textResponse(value);
      },
    });
    route(app, `${base}/attachments`, {
      GET: (c) => {
        const r = deps.core.resource(c.req.param("id") ?? "", level);
        const names = deps.core.index.attachments(r.internalId).map((a) =>
          CONTENT_TYPE_NAMES[a.contentType] ?? String(a.contentType)
        );
        return jsonResponse(names);
      },
    });
  }
}
