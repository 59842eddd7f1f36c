// POST /modalities/{id}/query and /queries/{id}/...: remote C-FIND answers kept in memory
// (QueryRetrieveSize of them), each answer retrievable by C-MOVE.
import type { Hono } from "hono";
import { type Level, LEVELS } from "../dicom/levels.ts";
import type { JsonObject } from "../dicom/tags-json.ts";
import { findOn } from "../dimse/client.ts";
import { answerJson, parseLevel } from "../dimse/identifiers.ts";
import { OrthancError } from "../server/errors.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { jsonResponse } from "./json.ts";
import { jsonBody, runAsJob } from "./modalities.ts";
import { route } from "./router.ts";

interface StoredQuery {
  modality: string;
  level: Level;
  query: JsonObject;
  answers: JsonObject[];
}

const KEYS: Record<Level, string[]> = {
  Patient: ["0010,0020"],
  Study: ["0020,000d"],
  Series: ["0020,000d", "0020,000e"],
  Instance: ["0020,000d", "0020,000e", "0008,0018"],
};

export function registerQueryRoutes(app: Hono<AppEnv>, deps: RestDependencies): void {
  const { network } = deps;
  const queries = new Map<string, StoredQuery>();
  const limit = typeof deps.config.raw.QueryRetrieveSize === "number"
    ? deps.config.raw.QueryRetrieveSize
    : 100;

  const get = (id: string): StoredQuery => {
    const q = queries.get(id);
    if (!q) throw new OrthancError("UnknownResource");
    return q;
  };
  const answer = (q: StoredQuery, n: string): JsonObject => {
    const a = /^\d+$/.test(n) ? q.answers[Number(n)] : undefined;
    if (!a) throw new OrthancError("UnknownResource");
    return a;
  };

  /** Runs a C-FIND on a modality and keeps its answers as a new query. */
  const runQuery = async (name: string, level: Level, query: JsonObject, normalize: boolean) => {
    const raw = await findOn(network, network.modality(name), level, query, normalize);
    const id = crypto.randomUUID();
    queries.set(id, {
      modality: name,
      level,
      query,
      answers: raw.map((a) => answerJson(a, deps.core.defaultEncoding)),
    });
    while (queries.size > limit) queries.delete(queries.keys().next().value!);
    return { ID: id, Path: `/queries/${id}` };
  };

  // /queries/{id}/answers/{n}/query-studies|series|instances: a C-FIND one or more levels down,
  // keyed by the identifiers of that answer, plus the constraints of the body's "Query".
  const CHILD_QUERIES: [string, Level][] = [
    ["query-studies", "Study"],
    ["query-series", "Series"],
    [
      "query-instances",
      "Instance",
    ],
  ];
  for (const [segment, childLevel] of CHILD_QUERIES) {
    route(app, `/queries/:id/answers/:n/${segment}`, {
      POST: async (c) => {
        const q = get(c.req.param("id") ?? "");
        const a = answer(q, c.req.param("n") ?? "");
        if (LEVELS.indexOf(childLevel) <= LEVELS.indexOf(q.level)) {
          throw new OrthancError("UnknownResource");
        }
        const body = await jsonBody(c);
        const extra = body && typeof body === "object" && !Array.isArray(body) && body.Query &&
            typeof body.Query === "object" && !Array.isArray(body.Query)
          ? body.Query as JsonObject
          : {};
        const query: JsonObject = { ...extra };
        for (const tag of KEYS[q.level]) {
          const value = (a[tag] as { Value?: unknown } | undefined)?.Value;
          if (typeof value === "string") query[tag] = value;
        }
        const normalize =
          !(body && typeof body === "object" && !Array.isArray(body) && body.Normalize === false);
        return jsonResponse(await runQuery(q.modality, childLevel, query, normalize));
      },
    });
  }

  route(app, "/modalities/:id/query", {
    POST: async (c) => {
      const name = c.req.param("id") ?? "";
      network.modality(name); // an unknown modality is a 404 before the body is read
      const body = await jsonBody(c);
      if (!body || typeof body !== "object" || Array.isArray(body)) {
        throw new OrthancError("BadFileFormat", "The body must be a JSON object");
      }
      const level = parseLevel(body.Level);
      const query = (body.Query ?? {}) as JsonObject;
      if (typeof query !== "object" || Array.isArray(query)) {
        throw new OrthancError("BadFileFormat", 'Field "Query" must be a JSON object');
      }
      return jsonResponse(await runQuery(name, level, query, body.Normalize !== false));
    },
  });
  route(app, "/queries", { GET: () => jsonResponse([...queries.keys()]) });
  route(app, "/queries/:id", {
    GET: (c) => {
      get(c.req.param("id") ?? "");
      return jsonResponse(["answers", "level", "modality", "query", "retrieve"]);
    },
    DELETE: (c) => {
      get(c.req.param("id") ?? "");
      queries.delete(c.req.param("id") ?? "");
      return jsonResponse({});
    },
  });
  route(app, "/queries/:id/answers", {
    GET: (c) => {
      const q = get(c.req.param("id") ?? "");
      if (c.req.query("expand") === undefined) {
        return jsonResponse(q.answers.map((_, i) => String(i)));
      }
      return jsonResponse(q.answers);
    },
  });
  route(app, "/queries/:id/answers/:n", {
    GET: (c) => {
      const q = get(c.req.param("id") ?? "");
      answer(q, c.req.param("n") ?? "");
      const below = LEVELS.slice(LEVELS.indexOf(q.level) + 1).map((l) =>
        `query-${l === "Instance" ? "instances" : l === "Series" ? "series" : "studies"}`
      );
      return jsonResponse(["content", "retrieve", ...below]);
    },
  });
  route(app, "/queries/:id/answers/:n/content", {
    GET: (c) => {
      const a = answer(get(c.req.param("id") ?? ""), c.req.param("n") ?? "");
      if (c.req.query("simplify") === undefined && c.req.query("short") === undefined) {
        return jsonResponse(a);
      }
      const out: JsonObject = {};
      for (const [tag, entry] of Object.entries(a)) {
        const { Name, Value } = entry as { Name: string; Value: JsonObject[string] };
        out[c.req.query("short") !== undefined ? tag : Name] = Value;
      }
      return jsonResponse(out);
    },
  });
  route(app, "/queries/:id/level", { GET: (c) => text(get(c.req.param("id") ?? "").level) });
  route(app, "/queries/:id/modality", { GET: (c) => text(get(c.req.param("id") ?? "").modality) });
  route(app, "/queries/:id/query", {
    GET: (c) => jsonResponse(get(c.req.param("id") ?? "").query),
  });

  const retrieve = (q: StoredQuery, answers: JsonObject[], body: unknown) => {
    const modality = network.modality(q.modality);
    const options = body && typeof body === "object" && !Array.isArray(body)
      ? body as JsonObject
      : {};
    const target = typeof body === "string" && body !== ""
      ? body
      : typeof options.TargetAet === "string"
      ? options.TargetAet
      : deps.config.DicomAet;
    const keys = answers.map((a) => {
      const out: Record<string, string> = {};
      for (const k of KEYS[q.level]) {
        const v = (a[k] as { Value?: unknown } | undefined)?.Value;
        if (typeof v === "string") out[k] = v;
      }
      return out;
    });
    const content: JsonObject = {
      Description: "REST API",
      LocalAet: modality.LocalAet || deps.config.DicomAet,
      Query: keys,
      RemoteAet: modality.AET,
      TargetAet: target,
    };
    return runAsJob(deps, "DicomMoveScu", options.Synchronous !== false, content, {
      modality,
      level: q.level,
      queries: keys,
      target,
      permissive: false,
    });
  };
  route(app, "/queries/:id/retrieve", {
    POST: async (c) => {
      const q = get(c.req.param("id") ?? "");
      return retrieve(q, q.answers, await bodyOrText(c.req.raw));
    },
  });
  route(app, "/queries/:id/answers/:n/retrieve", {
    POST: async (c) => {
      const q = get(c.req.param("id") ?? "");
      return retrieve(q, [answer(q, c.req.param("n") ?? "")], await bodyOrText(c.req.raw));
    },
  });
}

/** Orthanc takes either a bare AET or a JSON body for /retrieve. */
async function bodyOrText(request: Request): Promise<unknown> {
  const text = (await request.text()).trim();
  if (text === "") return "";
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function text(value: string): Response {
  return new Response(value, { headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
