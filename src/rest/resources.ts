// Routes shared by the four levels: lists, one resource, relatives, tags summaries, deletion.
import { type Context, Hono } from "hono";
import { type Level, LEVEL_PATH, levelIndex, LEVELS, MODULE_TAGS } from "../dicom/levels.ts";
import { formatTag } from "../dicom/tag.ts";
import { type JsonObject, type JsonValue, reformatFullJson } from "../dicom/tags-json.ts";
import type { Resource } from "../server/model.ts";
import { NotFoundWithoutBody, OrthancError } from "../server/errors.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { instanceTags, tagsFormat } from "./instance-data.ts";
import { describe, renderingOf } from "./describe.ts";
import { jsonResponse } from "./json.ts";
import { relatives } from "./resource-json.ts";
import { type Methods, route } from "./router.ts";
import { idParam } from "./params.ts";

const MB = 1024 * 1024;

function pagination(c: Context<AppEnv>): { since: number; limit?: number } {
  const since = c.req.query("since");
  const limit = c.req.query("limit");
  if (since === undefined && limit === undefined) return { since: 0 };
  if (since === undefined || limit === undefined) {
    const missing = since === undefined ? "since" : "limit";
    throw new OrthancError(
      "BadRequest",
      `Missing "${missing}" argument for GET request against: ${c.req.path}/`,
    );
  }
  const s = Number(since);
  const l = Number(limit);
  if (!Number.isInteger(s) || !Number.isInteger(l) || s < 0 || l < 0) {
    throw new OrthancError("ParameterOutOfRange");
  }
  return { since: s, limit: l };
}

export function isExpanded(c: Context<AppEnv>): boolean {
  const expand = c.req.query("expand");
  return expand !== undefined && expand !== "false" && expand !== "0";
}

function lookup(deps: RestDependencies, c: Context<AppEnv>, level: Level): Resource {
  return deps.core.resource(idParam(c), level);
}

function statistics(deps: RestDependencies, r: Resource): JsonObject {
  const s = deps.core.resources.subtreeStatistics(r.internalId);
  const out: JsonObject = {
    DiskSize: String(s.compressed),
    DiskSizeMB: Math.floor(s.compressed / MB),
    UncompressedSize: String(s.uncompressed),
    UncompressedSizeMB: Math.floor(s.uncompressed / MB),
    DicomDiskSize: String(s.dicomCompressed),
    DicomDiskSizeMB: Math.floor(s.dicomCompressed / MB),
    DicomUncompressedSize: String(s.dicomUncompressed),
    DicomUncompressedSizeMB: Math.floor(s.dicomUncompressed / MB),
  };
  const counts: [Level, string][] = [["Study", "CountStudies"], ["Series", "CountSeries"], [
    "Instance",
    "CountInstances",
  ]];
  for (const [level, key] of counts) {
    if (levelIndex(level) > levelIndex(r.level)) out[key] = s.counts.get(level) ?? 0;
  }
  return out;
}

/** Tags whose value is the same in every instance of the resource (Orthanc's shared-tags). */
async function sharedTags(deps: RestDependencies, r: Resource): Promise<JsonObject> {
  let shared: JsonObject | undefined;
  for (const instance of relatives(deps, r, "Instance")) {
    const tags = await instanceTags(deps, instance, "full");
    if (!shared) {
      shared = {};
      for (const [key, value] of Object.entries(tags)) {
        if ((value as JsonObject).Type === "String") shared[key] = value;
      }
      continue;
    }
    for (const key of Object.keys(shared)) {
      if (JSON.stringify(tags[key]) !== JSON.stringify(shared[key])) delete shared[key];
    }
  }
  return shared ?? {};
}

/** The attributes of the module of `moduleLevel`, as found in one instance of the resource. */
async function moduleTags(
  deps: RestDependencies,
  r: Resource,
  moduleLevel: Level,
): Promise<JsonObject> {
  // Orthanc reads the most recently indexed instance of the resource.
  const instance = relatives(deps, r, "Instance").at(-1);
  if (!instance) return {};
  const tags = await instanceTags(deps, instance, "full");
  const wanted = new Set(MODULE_TAGS[moduleLevel].map(formatTag));
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(tags)) if (wanted.has(key)) out[key] = value;
  return out;
}

/** `extraListMethods` adds methods to the list paths (POST /instances uploads). */
export function resourceRoutes(
  deps: RestDependencies,
  extraListMethods: Partial<Record<Level, Methods>>,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const level of LEVELS) {
    const base = `/${LEVEL_PATH[level]}`;
    route(app, base, {
      GET: async (c) => {
        const { since, limit } = pagination(c);
        const ids = deps.core.resources.listLevel(level, since, limit);
        if (!isExpanded(c)) return jsonResponse(ids);
        const rendering = renderingOf(c);
        const out: JsonValue[] = [];
        for (const id of ids) {
          const r = deps.core.resources.lookup(id);
          if (r) out.push(await describe(deps, r, rendering));
        }
        return jsonResponse(out);
      },
      ...extraListMethods[level],
    });
    route(app, `${base}/:id`, {
      // Orthanc answers an unknown id on these two with a bare 404.
      GET: async (c) => {
        const r = deps.core.resources.lookup(idParam(c));
        if (!r || r.level !== level) throw new NotFoundWithoutBody();
        return jsonResponse(await describe(deps, r, renderingOf(c)));
      },
      DELETE: async (c) => {
        const r = deps.core.resources.lookup(idParam(c));
        if (!r || r.level !== level) throw new NotFoundWithoutBody();
        const remaining = await deps.core.delete(r.publicId, level);
        return jsonResponse({ RemainingAncestor: remaining as unknown as JsonValue });
      },
    });
    route(app, `${base}/:id/statistics`, {
      GET: (c) => jsonResponse(statistics(deps, lookup(deps, c, level))),
    });

    for (const other of LEVELS) {
      if (other === level) continue;
      const segment = levelIndex(other) < levelIndex(level)
        ? other.toLowerCase()
        : LEVEL_PATH[other];
      route(app, `${base}/:id/${segment}`, {
        GET: async (c) => {
          const found = relatives(deps, lookup(deps, c, level), other);
          const rendering = renderingOf(c);
          if (levelIndex(other) < levelIndex(level)) {
            return jsonResponse(await describe(deps, found[0]!, rendering));
          }
          if (c.req.query("expand") === "false") return jsonResponse(found.map((r) => r.publicId));
          const out: JsonValue[] = [];
          for (const r of found) out.push(await describe(deps, r, rendering));
          return jsonResponse(out);
        },
      });
    }
    route(app, `${base}/:id/module`, {
      GET: async (c) => {
        const tags = await moduleTags(deps, lookup(deps, c, level), level);
        return jsonResponse(reformatFullJson(tags, tagsFormat((n) => c.req.query(n))));
      },
    });
    if (level === "Instance") continue;
    route(app, `${base}/:id/shared-tags`, {
      GET: async (c) => {
        const tags = await sharedTags(deps, lookup(deps, c, level));
        return jsonResponse(reformatFullJson(tags, tagsFormat((n) => c.req.query(n))));
      },
    });
    if (level === "Study") {
      route(app, `${base}/:id/module-patient`, {
        GET: async (c) => {
          const tags = await moduleTags(deps, lookup(deps, c, level), "Patient");
          return jsonResponse(reformatFullJson(tags, tagsFormat((n) => c.req.query(n))));
        },
      });
    }
    route(app, `${base}/:id/instances-tags`, {
      GET: async (c) => {
        const format = tagsFormat((n) => c.req.query(n));
        const out: JsonObject = {};
        for (const instance of relatives(deps, lookup(deps, c, level), "Instance")) {
          out[instance.publicId] = await instanceTags(deps, instance, format);
        }
        return jsonResponse(out);
      },
    });
  }
  return app;
}
