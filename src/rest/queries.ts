// POST /modalities/{id}/query and /queries/{id}/...: remote C-FIND answers kept in memory
// (QueryRetrieveSize of them), each answer retrievable by C-MOVE.
import { Hono } from "hono";
import { type Level, LEVELS } from "../dicom/levels.ts";
import type { JsonObject } from "../dicom/tags-json.ts";
import { tagName } from "../dicom/dictionary.ts";
import { formatTag } from "../dicom/tag.ts";
import { findOn } from "../dimse/client.ts";
import { filteredOutgoingQuery } from "../dimse/find-filters.ts";
import { findAnswerJson, parseLevel, queryValues } from "../dimse/identifiers.ts";
import { OrthancError } from "../server/errors.ts";
import {
  anyJson,
  DICOM_NETWORK_JSON,
  JSON_OR_TEXT,
  jsonObject,
  QUERY_JSON,
  readBody,
} from "./body.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { jsonResponse, textResponse } from "./json.ts";
import { runAsJob } from "./dicom-jobs.ts";
import { route } from "./router.ts";
import { idParam, param } from "./params.ts";

interface StoredQuery {
  modality: string;
  level: Level;
  query: JsonObject;
  answers: JsonObject[];
}

// The bodies' schemas; the fields are checked where they are used, in Orthanc's words.
const QueryBody = jsonObject("Must provide a JSON object");
/** {"Query": {…}, "Normalize": …}; Orthanc ignores a body of another shape. */
const ChildQueryBody = anyJson;
/** The target AET, bare or in {"TargetAet": …, "Synchronous": …}. */
const RetrieveBody = anyJson;

/** The identifiers a retrieve sends at each level (Orthanc's DicomControlUserConnection::Move). */
const KEYS: Record<Level, string[]> = {
  Patient: ["0010,0020"],
  Study: ["0020,000d"],
  Series: ["0020,000d", "0020,000e"],
  Instance: ["0020,000d", "0020,000e", "0008,0018"],
};

/** The tags of an answer a retrieve job shows in its "Query" (Orthanc's DicomMoveScuJob). */
const SHOWN_KEYS = ["0008,0050", "0008,0052", "0008,0018", "0010,0020", "0020,000d", "0020,000e"];

/** A query as Orthanc keeps it: by tag, each value with its name, as DICOM-as-JSON. */
function queryJson(query: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [tag, value] of queryValues(query)) {
    out[formatTag(tag)] = { Name: tagName(tag), Type: "String", Value: value };
  }
  return out;
}

/** A C-FIND answer in the format the request asks for (?simplify, ?short, else full). */
function formatted(answer: JsonObject, simplify: boolean, short: boolean): JsonObject {
  if (!simplify && !short) return answer;
  const out: JsonObject = {};
  for (const [tag, entry] of Object.entries(answer)) {
    const { Name, Value } = entry as { Name: string; Value: JsonObject[string] };
    out[short ? tag : Name] = Value;
  }
  return out;
}

export function queryRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { network } = deps;
  const queries = new Map<string, StoredQuery>();
  const limit = deps.config.QueryRetrieveSize;

  const get = (id: string): StoredQuery => {
    const q = queries.get(id);
    if (!q) throw new OrthancError("UnknownResource");
    return q;
  };
  const answer = (q: StoredQuery, n: string): JsonObject => {
    if (!/^\d+$/.test(n)) throw new OrthancError("UnknownResource");
    const a = q.answers[Number(n)];
    // Orthanc reads the index, then finds no such answer.
    if (!a) throw new OrthancError("ParameterOutOfRange");
    return a;
  };

  /** Runs a C-FIND on a modality and keeps its answers as a new query. */
  const runQuery = async (name: string, level: Level, query: JsonObject, normalize: boolean) => {
    const modality = network.modality(name);
    const sent = await filteredOutgoingQuery(deps.core.hooks, query, modality.AET);
    const raw = await findOn(network, modality, level, sent, normalize);
    const id = crypto.randomUUID();
    queries.set(id, {
      modality: name,
      level,
      query,
      answers: raw.map((a) => findAnswerJson(a, deps.core.defaultEncoding)),
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
        const q = get(idParam(c));
        const a = answer(q, param(c, "n"));
        if (LEVELS.indexOf(childLevel) <= LEVELS.indexOf(q.level)) {
          throw new OrthancError("UnknownResource");
        }
        const body = await readBody(c, DICOM_NETWORK_JSON, ChildQueryBody);
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
      const name = idParam(c);
      network.modality(name); // an unknown modality is a 404 before the body is read
      const body = await readBody(c, QUERY_JSON, QueryBody);
      if (typeof body.Level !== "string") {
        throw new OrthancError("BadFileFormat", "The JSON body must contain field Level");
      }
      const level = queryLevel(body.Level);
      const query = (body.Query ?? {}) as JsonObject;
      if (typeof query !== "object" || query === null || Array.isArray(query)) {
        throw new OrthancError("BadFileFormat", "The field Query must contain a JSON object");
      }
      try {
        queryValues(query);
      } catch {
        throw new OrthancError(
          "BadFileFormat",
          "Associative array of DICOM tags to strings expected in field: Query",
        );
      }
      return jsonResponse(await runQuery(name, level, query, body.Normalize !== false));
    },
  });
  route(app, "/queries", { GET: () => jsonResponse([...queries.keys()]) });
  route(app, "/queries/:id", {
    GET: (c) => {
      get(idParam(c));
      return jsonResponse(["answers", "level", "modality", "query", "retrieve"]);
    },
    // Orthanc removes the query if it is there, and answers the same either way.
    DELETE: (c) => {
      queries.delete(idParam(c));
      return textResponse("");
    },
  });
  route(app, "/queries/:id/answers", {
    GET: (c) => {
      const q = get(idParam(c));
      if (c.req.query("expand") === undefined) {
        return jsonResponse(q.answers.map((_, i) => String(i)));
      }
      const simplify = c.req.query("simplify") !== undefined;
      const short = c.req.query("short") !== undefined;
      return jsonResponse(q.answers.map((a) => formatted(a, simplify, short)));
    },
  });
  route(app, "/queries/:id/answers/:n", {
    GET: (c) => {
      const q = get(idParam(c));
      answer(q, param(c, "n"));
      const below = LEVELS.slice(LEVELS.indexOf(q.level) + 1).map((l) =>
        `query-${l === "Instance" ? "instances" : l === "Series" ? "series" : "studies"}`
      );
      return jsonResponse(["content", "retrieve", ...below]);
    },
  });
  route(app, "/queries/:id/answers/:n/content", {
    GET: (c) => {
      const a = answer(get(idParam(c)), param(c, "n"));
      const simplify = c.req.query("simplify") !== undefined;
      return jsonResponse(formatted(a, simplify, c.req.query("short") !== undefined));
    },
  });
  route(app, "/queries/:id/level", { GET: (c) => textResponse(get(idParam(c)).level) });
  route(app, "/queries/:id/modality", { GET: (c) => textResponse(get(idParam(c)).modality) });
  route(app, "/queries/:id/query", {
    GET: (c) => jsonResponse(queryJson(get(idParam(c)).query)),
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
    // Orthanc 1.10.1 shows some identifiers of each answer, and not the target.
    const shown = answers.map((a) => {
      const out: JsonObject = {};
      for (const k of SHOWN_KEYS) {
        const v = (a[k] as { Value?: unknown } | undefined)?.Value;
        if (typeof v === "string") out[k] = v;
      }
      return out;
    });
    const content: JsonObject = {
      Description: "REST API",
      LocalAet: modality.LocalAet || deps.config.DicomAet,
      Query: shown,
      RemoteAet: modality.AET,
    };
    const synchronous = options.Synchronous !== false && options.Asynchronous !== true;
    return runAsJob(deps, "DicomMoveScu", synchronous, content, {
      modality,
      level: q.level,
      queries: keys,
      target,
      permissive: false,
    });
  };
  route(app, "/queries/:id/retrieve", {
    POST: async (c) => {
      const q = get(idParam(c));
      return retrieve(q, q.answers, await readBody(c, JSON_OR_TEXT, RetrieveBody));
    },
  });
  route(app, "/queries/:id/answers/:n/retrieve", {
    POST: async (c) => {
      const q = get(idParam(c));
      return retrieve(q, [answer(q, param(c, "n"))], await readBody(c, JSON_OR_TEXT, RetrieveBody));
    },
  });
  return app;
}

/** A query's level as Orthanc reads it, refused without details. */
function queryLevel(text: string): Level {
  try {
    return parseLevel(text);
  } catch {
    throw new OrthancError("ParameterOutOfRange");
  }
}
