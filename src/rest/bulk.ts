// Orthanc's /tools/bulk-*: modify, anonymize, delete or describe a list of resources of any
// level in one request. Bulk modifications are one ResourceModification job over the instances
// of every resource listed, at the level the request names or the one its Replace implies.
import { Hono } from "hono";
import { z } from "zod";
import { charsetOfEncoding } from "../dicom/charsets.ts";
import { type Level, LEVELS } from "../dicom/levels.ts";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { OrthancError } from "../server/errors.ts";
import { METADATA_NAMES, type Resource } from "../server/model.ts";
import { anyJson, FIND_JSON, isJsonObject, jsonObject, readBody } from "./body.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { describe } from "./describe.ts";
import {
  EDIT_JSON,
  orthancErrors,
  patientNamer,
  readModification,
  replacements,
  runModificationJob,
} from "./editing.ts";
import { jsonResponse, textResponse } from "./json.ts";
import { parseTagName } from "./requested-tags.ts";
import { relatives } from "./resource-json.ts";
import { route } from "./router.ts";

const RESOURCES_EXPECTED = "List of strings expected in field: Resources";

/** The Resources field every bulk route requires. */
function resourceIds(body: Record<string, JsonValue>): string[] {
  const value = body.Resources;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new OrthancError("BadFileFormat", RESOURCES_EXPECTED);
  }
  return value as string[];
}

/** A Level field: Orthanc's level names, case-insensitive. */
function levelField(value: JsonValue | undefined): Level | undefined {
  if (value === undefined) return undefined;
  const level = LEVELS.find((l) =>
    typeof value === "string" && l.toLowerCase() === value.toLowerCase()
  );
  if (!level) throw new OrthancError("ParameterOutOfRange");
  return level;
}

const IMPLIED_LEVELS: [string, Level][] = [
  ["PatientID", "Patient"],
  ["StudyInstanceUID", "Study"],
  ["SeriesInstanceUID", "Series"],
];

/** Orthanc 1.9.7: without Level, the highest identifier the request replaces sets it. */
function impliedLevel(body: Record<string, JsonValue>): Level {
  const replaced = new Set(replacements(body).map((r) => r.path.steps.length === 0 && r.path.tag));
  const tags = IMPLIED_LEVELS.map(([name, level]) => [parseTagName(name), level] as const);
  return tags.find(([tag]) => replaced.has(tag))?.[1] ?? "Instance";
}

const BulkContent = z.object({
  Resources: z.array(z.string(), { error: RESOURCES_EXPECTED }),
  Level: z.string().optional(),
  Full: z.boolean({ error: "Boolean value expected in field: Full" }).optional(),
  Short: z.boolean({ error: "Boolean value expected in field: Short" }).optional(),
  Metadata: z.boolean({ error: "Boolean value expected in field: Metadata" }).optional(),
  RequestedTags: z.array(z.string(), { error: 'Field "RequestedTags" must contain strings' })
    .optional(),
});

export function bulkRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const nextPatientName = patientNamer(deps);

  const modify = (anonymize: boolean) => async (c: Parameters<typeof readBody>[0]) => {
    const raw = await readBody(c, EDIT_JSON, anyJson);
    if (!isJsonObject(raw)) throw new OrthancError("BadFileFormat");
    const ids = resourceIds(raw);
    const level = levelField(raw.Level) ??
      (anonymize ? "Instance" : orthancErrors(() => impliedLevel(raw)));
    const modification = orthancErrors(() =>
      readModification(raw, anonymize, nextPatientName, level)
    );
    for (const id of ids) {
      if (!deps.core.resources.lookup(id)) throw new OrthancError("UnknownResource");
    }
    const defaultCharset = charsetOfEncoding(deps.core.defaultEncoding);
    return runModificationJob(deps, { level, bulk: ids, modification, defaultCharset }, raw);
  };
  route(app, "/tools/bulk-modify", { POST: modify(false) });
  route(app, "/tools/bulk-anonymize", { POST: modify(true) });

  route(app, "/tools/bulk-delete", {
    POST: async (c) => {
      const raw = await readBody(c, FIND_JSON, anyJson);
      if (!isJsonObject(raw)) {
        throw new OrthancError("BadRequest", "The body must contain a JSON object");
      }
      // Resources already gone (or deleted with an earlier one of the list) are skipped.
      for (const id of resourceIds(raw)) {
        const resource = deps.core.resources.lookup(id);
        if (resource) await deps.core.delete(resource.publicId, resource.level);
      }
      return textResponse("");
    },
  });

  route(app, "/tools/bulk-content", {
    POST: async (c) => {
      const raw = await readBody(c, FIND_JSON, jsonObject("The body must contain a JSON object"));
      const checked = BulkContent.safeParse(raw);
      if (!checked.success) {
        throw new OrthancError("BadFileFormat", checked.error.issues[0]?.message);
      }
      const body = checked.data;
      const level = levelField(body.Level);
      const found = body.Resources.flatMap((id) => {
        const resource = deps.core.resources.lookup(id);
        return resource ? [resource] : [];
      });
      // With a Level, Orthanc gathers the resources of that level in a set: once each, by id.
      let resources: Resource[] = found;
      if (level) {
        const byId = new Map<string, Resource>();
        for (const r of found) {
          for (const rel of relatives(deps, r, level)) byId.set(rel.publicId, rel);
        }
        resources = [...byId.keys()].sort().map((id) => byId.get(id)!);
      }
      const rendering = {
        format: body.Full ? "full" as const : body.Short ? "short" as const : "simplify" as const,
        requested: body.RequestedTags?.map(parseTagName),
      };
      const out: JsonValue[] = [];
      for (const r of resources) {
        const description = await describe(deps, r, rendering);
        if (body.Metadata ?? true) description.Metadata = metadataOf(deps, r);
        out.push(description);
      }
      return jsonResponse(out);
    },
  });
  return app;
}

function metadataOf(deps: RestDependencies, r: Resource): JsonObject {
  const out: JsonObject = {};
  for (const [type, value] of deps.core.resources.metadata(r.internalId)) {
    const user = Object.entries(deps.config.UserMetadata).find(([, n]) => n === type)?.[0];
    out[METADATA_NAMES[type] ?? user ?? String(type)] = value;
  }
  return out;
}
