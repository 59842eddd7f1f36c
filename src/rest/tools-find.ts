// POST /tools/find: the body is checked with zod and rejected with Orthanc's messages.
import type { Hono } from "hono";
import { z } from "zod";
import { tagFromName } from "../dicom/dictionary.ts";
import { type Level, LEVELS } from "../dicom/levels.ts";
import { parseTagText, type Tag } from "../dicom/tag.ts";
import { OrthancError } from "../server/errors.ts";
import { find, type LabelFilter, type LabelsConstraint } from "../server/find.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { jsonResponse } from "./json.ts";
import { checkLabel } from "./labels.ts";
import { resourceJson } from "./resource-json.ts";
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
});

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

export async function readJsonObject(request: Request): Promise<unknown> {
  const text = await request.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new OrthancError("BadRequest", "The body must contain a JSON object");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new OrthancError("BadRequest", "The body must contain a JSON object");
  }
  return body;
}

function levelOf(text: string): Level {
  const level = LEVELS.find((l) => l.toLowerCase() === text.toLowerCase());
  if (!level) throw new OrthancError("ParameterOutOfRange");
  return level;
}

function tagOf(name: string): Tag {
  const tag = parseTagText(name) ?? tagFromName(name);
  if (tag === undefined) throw new OrthancError("UnknownDicomTag");
  return tag;
}

export function registerFindRoutes(app: Hono<AppEnv>, deps: RestDependencies): void {
  route(app, "/tools/find", {
    POST: async (c) => {
      const parsed = FindBody.safeParse(await readJsonObject(c.req.raw));
      if (!parsed.success) throw new OrthancError("BadRequest", parsed.error.issues[0]?.message);
      const body = parsed.data;
      const level = levelOf(body.Level);
      const query = new Map<Tag, string>();
      for (const [name, value] of Object.entries(body.Query)) {
        if (typeof value !== "string") {
          throw new OrthancError("BadRequest", `Tag "${name}" should be associated with a string`);
        }
        query.set(tagOf(name), value);
      }
      const found = find(deps.core.index, {
        level,
        query,
        caseSensitive: body.CaseSensitive ?? false,
        since: body.Since ?? 0,
        limit: body.Limit,
        labels: labelFilter(body.Labels, body.LabelsConstraint),
      });
      return jsonResponse(
        body.Expand ? found.map((r) => resourceJson(deps, r)) : found.map((r) => r.publicId),
      );
    },
  });
}
