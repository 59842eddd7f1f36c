// POST /tools/find: the body is checked with zod and rejected with Orthanc's messages.
import { type Context, Hono } from "hono";
import { z } from "zod";
import { type Level, LEVEL_PATH, LEVELS } from "../dicom/levels.ts";
import { findElement } from "../dicom/parser.ts";
import type { Tag } from "../dicom/tag.ts";
import type { JsonValue } from "../dicom/tags-json.ts";
import { elementText } from "../dicom/values.ts";
import type { Resource } from "../server/model.ts";
import { METADATA_NAMES } from "../server/model.ts";
import { OrthancError } from "../server/errors.ts";
import { type FindRequest, type LabelFilter, type LabelsConstraint } from "../server/find.ts";
import { FIND_JSON, isJsonObject, readBody } from "./body.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { describe, RESPONSE_CONTENT } from "./describe.ts";
import { readInstance } from "./instance-data.ts";
import { jsonResponse } from "./json.ts";
import { checkLabel } from "./labels.ts";
import { parseTagName } from "./requested-tags.ts";
import { firstInstance } from "./resource-json.ts";
import { route } from "./router.ts";

const FindBody = z.object({
  Level: z.string({ error: 'Field "Level" is missing, or should be a string' }),
  Query: z.record(z.string(), z.unknown(), {
    error: 'Field "Query" is missing, or should be a JSON object',
  }),
  Expand: z.boolean({ error: 'Field "Expand" should be a Boolean' }).optional(),
  CaseSensitive: z.boolean({ error: 'Field "CaseSensitive" should be a Boolean' }).optional(),
  Limit: z.number({ error: 'Field "Limit" should be an integer' }).int({
    error: 'Field "Limit" should be an integer',
  })
    .min(0, { error: 'Field "Limit" should be a positive integer' }).optional(),
  Since: z.number({ error: 'Field "Since" should be an integer' }).int({
    error: 'Field "Since" should be an integer',
  })
    .min(0, { error: 'Field "Since" should be a positive integer' }).optional(),
  // Orthanc 1.12.
  Labels: z.array(z.string({ error: 'Field "Labels" must contain strings' }), {
    error: 'Field "Labels" must contain strings',
  }).optional(),
  LabelsConstraint: z.enum(["All", "Any", "None"], {
    error: 'Field "LabelsConstraint" must be "All", "Any", or "None"',
  }).optional(),
  Full: z.boolean({ error: 'Field "Full" should be a Boolean' }).optional(),
  Short: z.boolean({ error: 'Field "Short" should be a Boolean' }).optional(),
  RequestedTags: z.array(z.string({ error: 'Field "RequestedTags" must contain strings' }), {
    error: 'Field "RequestedTags" must contain strings',
  }).optional(),
  // Orthanc 1.12.5.
  ParentPatient: z.string({ error: 'Field "ParentPatient" should be a string' }).optional(),
  ParentStudy: z.string({ error: 'Field "ParentStudy" should be a string' }).optional(),
  ParentSeries: z.string({ error: 'Field "ParentSeries" should be a string' }).optional(),
  MetadataQuery: z.record(
    z.string(),
    z.string({ error: 'Field "MetadataQuery" must contain strings' }),
    {
      error: 'Field "MetadataQuery" must be a JSON object',
    },
  ).optional(),
  ResponseContent: z.array(z.enum(RESPONSE_CONTENT, { error: 'Bad value in "ResponseContent"' }), {
    error: 'Field "ResponseContent" must be an array',
  }).optional(),
  OrderBy: z.array(
    z.object({
      Type: z.enum(["DicomTag", "Metadata"], {
        error: 'OrderBy "Type" must be "DicomTag" or "Metadata"',
      }),
      Key: z.string({ error: 'OrderBy "Key" must be a string' }),
      Direction: z.enum(["ASC", "DESC"], { error: 'OrderBy "Direction" must be "ASC" or "DESC"' }),
    }, { error: 'Field "OrderBy" must contain objects' }),
    { error: 'Field "OrderBy" must be an array' },
  ).optional(),
});
type FindBodyType = z.infer<typeof FindBody>;
// Anything but an object is refused before its fields are looked at, in Orthanc's words.
const FindRequestBody = z.custom<z.input<typeof FindBody>>(isJsonObject, {
  error: "The body must contain a JSON object",
}).pipe(FindBody);

/** The label filter of a request, or undefined for a request that does not mention labels. */
function labelFilter(
  labels: string[] | undefined,
  constraint: LabelsConstraint | undefined,
): LabelFilter | undefined {
  if (labels === undefined && constraint === undefined) return undefined;
  // Orthanc skips empty strings in "Labels" and refuses any other invalid label.
  const wanted = (labels ?? []).filter((l) => l !== "").map(checkLabel);
  return { labels: wanted, constraint: constraint ?? "All" };
}

function levelOf(text: string): Level {
  const level = LEVELS.find((l) => l.toLowerCase() === text.toLowerCase());
  if (!level) throw new OrthancError("ParameterOutOfRange");
  return level;
}

/** The descendants-of filter (ParentPatient / ParentStudy / ParentSeries), checked. */
function parentOf(deps: RestDependencies, body: FindBodyType, level: Level): FindRequest["parent"] {
  const given = ([["Patient", body.ParentPatient], ["Study", body.ParentStudy], [
    "Series",
    body.ParentSeries,
  ]] as const)
    .filter(([, id]) => id !== undefined);
  if (given.length === 0) return undefined;
  if (given.length > 1) throw new OrthancError("BadRequest", "Only one parent can be given");
  const [parentLevel, id] = given[0]!;
  if (LEVELS.indexOf(parentLevel) >= LEVELS.indexOf(level)) {
    throw new OrthancError("BadRequest", `Parent${parentLevel} is not above the level ${level}`);
  }
  const parent = deps.core.resources.lookup(id!);
  if (!parent || parent.level !== parentLevel) throw new OrthancError("UnknownResource");
  return { level: parentLevel, internalId: parent.internalId };
}

/** Parses and checks a /tools/find or /tools/count-resources body. */
async function findRequest(
  deps: RestDependencies,
  c: Context<AppEnv>,
): Promise<{ body: FindBodyType; find: FindRequest }> {
  const body = await readBody(c, FIND_JSON, FindRequestBody);
  const level = levelOf(body.Level);
  const query = new Map<Tag, string>();
  for (const [name, value] of Object.entries(body.Query)) {
    if (typeof value !== "string") {
      throw new OrthancError("BadRequest", `Tag "${name}" should be associated with a string`);
    }
    query.set(parseTagName(name), value);
  }
  const instanceLevel = level === "Instance";
  // LimitFindResults / LimitFindInstances cap what one answer holds, as in Orthanc.
  const cap = instanceLevel ? deps.config.LimitFindInstances : deps.config.LimitFindResults;
  const limit = cap > 0 ? Math.min(body.Limit || cap, cap) : body.Limit;
  return {
    body,
    find: {
      level,
      query,
      caseSensitive: body.CaseSensitive ?? false,
      since: body.Since ?? 0,
      limit,
      labels: labelFilter(body.Labels, body.LabelsConstraint),
      parent: parentOf(deps, body, level),
      metadata: body.MetadataQuery
        ? new Map(
          Object.entries(body.MetadataQuery).map((
            [name, value],
          ) => [metadataType(deps, name), value]),
        )
        : undefined,
      orderBy: body.OrderBy?.map((o) =>
        o.Type === "DicomTag"
          ? { kind: "tag" as const, tag: parseTagName(o.Key), descending: o.Direction === "DESC" }
          : {
            kind: "metadata" as const,
            type: metadataType(deps, o.Key),
            descending: o.Direction === "DESC",
          }
      ),
    },
  };
}

/** A metadata name (Orthanc's, UserMetadata's) or number. */
function metadataType(deps: RestDependencies, name: string): number {
  const system = Object.entries(METADATA_NAMES).find(([, n]) => n === name)?.[0];
  if (system !== undefined) return Number(system);
  const user = deps.config.UserMetadata[name];
  if (user !== undefined) return user;
  if (/^\d+$/.test(name)) return Number(name);
  throw new OrthancError("InexistentItem", `Unknown metadata: ${name}`);
}

/** Reads a tag that is not indexed in one instance of a resource. */
function tagReader(deps: RestDependencies) {
  return async (r: Resource, tag: Tag): Promise<string | undefined> => {
    const instance = firstInstance(deps, r);
    if (!instance) return undefined;
    const { parsed, decoding } = await readInstance(deps, instance);
    const e = findElement(parsed.dataset, tag);
    return e ? elementText(parsed.dataset, e, decoding) : undefined;
  };
}

export function findRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  route(app, "/tools/find", {
    POST: async (c) => {
      const { body, find } = await findRequest(deps, c);
      const found = await deps.core.finder.findResources(find, tagReader(deps));
      // ResponseContent, when given, overrides Expand (Orthanc 1.12.5).
      if (!body.Expand && !body.ResponseContent) return jsonResponse(found.map((r) => r.publicId));
      const rendering = {
        format: body.Full ? "full" as const : body.Short ? "short" as const : "simplify" as const,
        requested: body.RequestedTags?.map(parseTagName),
        parts: body.ResponseContent,
      };
      const out: JsonValue[] = [];
      for (const r of found) out.push(await describe(deps, r, rendering));
      return jsonResponse(out);
    },
  });
  route(app, "/tools/count-resources", {
    POST: async (c) => {
      const { find } = await findRequest(deps, c);
      const found = await deps.core.finder.findResources(
        { ...find, since: 0, limit: undefined },
        tagReader(deps),
      );
      return jsonResponse({ Count: found.length });
    },
  });
  route(app, "/tools/lookup", {
    POST: async (c) => {
      const value = (await c.req.text()).trim();
      return jsonResponse(
        deps.core.resources.lookupIdentifier(value).map((r) => ({
          ID: r.publicId,
          Path: `/${LEVEL_PATH[r.level]}/${r.publicId}`,
          Type: r.level,
        })),
      );
    },
  });
  return app;
}
