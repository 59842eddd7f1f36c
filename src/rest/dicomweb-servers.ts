// The DICOMweb client's routes (src/dicomweb/client), under the DICOMweb root as the plugin
// mounts them: /servers CRUD, and per server stow, retrieve and wado (jobs), get and qido
// (proxied), and delete (HasDelete).
// A sub-app of its own, beside the DICOMweb server's routes.
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { RETRIEVE_JOB, STOW_JOB, wadoPath, type WadoResource } from "../dicomweb/client/jobs.ts";
import { simplifiedQido } from "../dicomweb/client/qido.ts";
import {
  type DicomWebServer,
  parseServer,
  serverJson,
  serverObjectForm,
} from "../dicomweb/client/servers.ts";
import { requestPeer } from "../peers/client.ts";
import { OrthancError } from "../server/errors.ts";
import { isJsonObject } from "./body.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { idParam } from "./params.ts";
import { route } from "./router.ts";
import { styledJson } from "./styled-json.ts";

const JSON_EXPECTED = "A JSON file was expected";
const URI_EXPECTED =
  'A request to the DICOMweb client must provide a JSON object with the field "Uri" containing the URI of interest';
const RESOURCES_EXPECTED =
  'A request to the DICOMweb STOW-RS client must provide a JSON object with the field "Resources" containing an array of resources to be sent';
const RETRIEVE_EXPECTED = 'The body must be a JSON object containing an array "Resources"';
const DELETE_EXPECTED =
  'The request body must contain a JSON object with fields "Level" and "StudyInstanceUID"';

const badFormat = (details?: string) => new OrthancError("BadFileFormat", details);

/** The bodies: any JSON, whose fields the routes check in the plugin's order and words. */
const AnyBody = z.custom<JsonValue>(() => true);
/** get and qido: the URI below the server's, its query arguments and extra headers. */
const ProxyBody = z.looseObject({
  Uri: z.string({ error: URI_EXPECTED }),
  Arguments: z.record(z.string(), z.string()).optional(),
  HttpHeaders: z.record(z.string(), z.string()).optional(),
}, { error: URI_EXPECTED });
const WadoItem = z.looseObject({
  Study: z.string({ error: 'Missing "Study" field in the body' }),
  Series: z.string().optional(),
  Instance: z.string().optional(),
}, { error: 'Missing "Study" field in the body' });
/** delete: a level and the UIDs down to it. */
const DeleteBody = z.looseObject({
  Level: z.string({ error: DELETE_EXPECTED }),
  StudyInstanceUID: z.string({ error: DELETE_EXPECTED }),
  SeriesInstanceUID: z.string().optional(),
  SOPInstanceUID: z.string().optional(),
}, { error: DELETE_EXPECTED });
const RetrieveBody = z.looseObject({
  Resources: z.array(z.unknown(), { error: RETRIEVE_EXPECTED }),
}, {
  error: RETRIEVE_EXPECTED,
});

async function jsonBody(c: Context<AppEnv>): Promise<JsonValue> {
  try {
    return AnyBody.parse(JSON.parse(await c.req.text()));
  } catch {
    throw badFormat(JSON_EXPECTED);
  }
}

function checked<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw badFormat(result.error.issues[0]?.message);
  return result.data;
}

/** The plugin answers its JSON as JsonCpp styles it, labelled without a charset. */
function pluginJson(value: JsonValue): Response {
  return new Response(styledJson(value), { headers: { "Content-Type": "application/json" } });
}

/** The DICOMweb root, as the plugin reads DicomWeb.Root. */
function rootOf(deps: RestDependencies): string {
  const section = deps.config.raw.DicomWeb;
  const root = isJsonObject(section as JsonValue) ? (section as JsonObject).Root : undefined;
  const text = typeof root === "string" && root ? root : "/dicom-web/";
  return `/${text.replace(/^\/+|\/+$/g, "")}`;
}

/** The resource a delete designates, its UIDs required down to its level. */
function deletedResource(body: z.infer<typeof DeleteBody>): WadoResource {
  const needed = (field: "SeriesInstanceUID" | "SOPInstanceUID") => {
    const value = body[field];
    if (value === undefined) throw badFormat(`The request body must contain the field "${field}"`);
    return value;
  };
  switch (body.Level) {
    case "Study":
      return { Study: body.StudyInstanceUID };
    case "Series":
      return { Study: body.StudyInstanceUID, Series: needed("SeriesInstanceUID") };
    case "Instance":
      return {
        Study: body.StudyInstanceUID,
        Series: needed("SeriesInstanceUID"),
        Instance: needed("SOPInstanceUID"),
      };
    default:
      throw new OrthancError("ParameterOutOfRange");
  }
}

/** The URI of a get, qido or wado below the server's URL, with its arguments. */
function uriPath(body: z.infer<typeof ProxyBody>): string {
  const query = new URLSearchParams(body.Arguments ?? {}).toString();
  return body.Uri.replace(/^\/+/, "") + (query ? `?${query}` : "");
}

function synchronous(body: JsonObject): boolean {
  return body.Synchronous !== false && body.Asynchronous !== true;
}

export function dicomWebServerRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const servers = deps.dicomWebServers;
  const root = rootOf(deps);
  const base = `${root}/servers`;

  /** Runs a client job: its content once done, or where to follow it. */
  const runJob = async (type: string, params: JsonObject, body: JsonObject) => {
    const priority = typeof body.Priority === "number" ? body.Priority : 0;
    const job = deps.jobs.start(type, params, {}, priority);
    if (!synchronous(body)) {
      return pluginJson({ ID: job.id, Path: `.././../jobs/${job.id}` });
    }
    return pluginJson(await deps.jobs.wait(job));
  };

  /** A request to the server below its URL: its answer, or the plugin's error. */
  const proxied = async (server: DicomWebServer, body: z.infer<typeof ProxyBody>) => {
    const answer = await requestPeer(server, deps.config, {
      method: "GET",
      path: uriPath(body),
      headers: { Accept: "application/dicom+json", ...body.HttpHeaders },
    }).catch(() => {
      throw new OrthancError("NetworkProtocol");
    });
    if (answer.status === 404) throw new OrthancError("UnknownResource");
    if (!answer.ok) throw new OrthancError("NetworkProtocol");
    return answer;
  };

  route(app, base, {
    GET: (c) => {
      if (c.req.query("expand") === undefined) return pluginJson(servers.names());
      return pluginJson(
        Object.fromEntries(servers.names().map((n) => [n, serverJson(servers.require(n))])),
      );
    },
  });
  route(app, `${base}/:id`, {
    GET: (c) => {
      const server = servers.require(idParam(c));
      const operations = ["get", "retrieve", "stow", "wado", "qido"];
      if (server.properties.HasDelete === "1") operations.push("delete");
      return pluginJson(operations);
    },
    PUT: async (c) => {
      servers.set(idParam(c), parseServer(await jsonBody(c)));
      return new Response("{}", { headers: { "Content-Type": "application/json" } });
    },
    DELETE: (c) => {
      if (!servers.delete(idParam(c))) {
        throw new OrthancError("ParameterOutOfRange", `Unknown DICOMweb server: ${idParam(c)}`);
      }
      return new Response("{}", { headers: { "Content-Type": "application/json" } });
    },
  });
  route(app, `${base}/:id/stow`, {
    POST: async (c) => {
      const body = await jsonBody(c);
      if (!isJsonObject(body) || !Array.isArray(body.Resources)) {
        throw badFormat(RESOURCES_EXPECTED);
      }
      const ids = body.Resources.map((id) => {
        const r = typeof id === "string" ? deps.core.resources.lookup(id) : undefined;
        if (!r) throw new OrthancError("UnknownResource");
        return r.publicId;
      });
      const server = servers.get(idParam(c));
      // The plugin's job fails on an unknown server, which its synchronous answer reports so.
      if (!server) throw new OrthancError("Plugin", "Error encountered within the plugin engine");
      const params = { server: serverObjectForm(server), serverName: idParam(c), resources: ids };
      return await runJob(STOW_JOB, params, body);
    },
  });
  route(app, `${base}/:id/retrieve`, {
    POST: async (c) => {
      const body = checked(RetrieveBody, await jsonBody(c)) as JsonObject & {
        Resources: unknown[];
      };
      const resources: WadoResource[] = body.Resources.map((item) => checked(WadoItem, item));
      const server = servers.get(idParam(c));
      if (!server) throw new OrthancError("Plugin", "Error encountered within the plugin engine");
      const paths = resources.map(wadoPath);
      return await runJob(RETRIEVE_JOB, { server: serverObjectForm(server), paths }, body);
    },
  });
  // A retrieve of one WADO-RS URI, which the plugin always runs asynchronously.
  route(app, `${base}/:id/wado`, {
    POST: async (c) => {
      const body = checked(ProxyBody, await jsonBody(c));
      const server = servers.require(idParam(c));
      const params = { server: serverObjectForm(server), paths: [uriPath(body)] };
      return await runJob(RETRIEVE_JOB, params, { ...body, Asynchronous: true });
    },
  });
  route(app, `${base}/:id/delete`, {
    POST: async (c) => {
      const name = idParam(c);
      const server = servers.require(name);
      if (server.properties.HasDelete !== "1") {
        throw badFormat(
          `Cannot delete on DICOMweb server, check out property "HasDelete": ${name}`,
        );
      }
      const body = checked(DeleteBody, await jsonBody(c));
      const path = wadoPath(deletedResource(body));
      const answer = await requestPeer(server, deps.config, { method: "DELETE", path }).catch(
        () => {
          throw new OrthancError("NetworkProtocol");
        },
      );
      await answer.arrayBuffer();
      if (!answer.ok) throw new OrthancError("NetworkProtocol");
      return pluginJson({});
    },
  });
  route(app, `${base}/:id/get`, {
    POST: async (c) => {
      const body = checked(ProxyBody, await jsonBody(c));
      const answer = await proxied(servers.require(idParam(c)), body);
      const type = answer.headers.get("content-type");
      return new Response(await answer.arrayBuffer(), {
        headers: type ? { "Content-Type": type } : {},
      });
    },
  });
  route(app, `${base}/:id/qido`, {
    POST: async (c) => {
      const body = checked(ProxyBody, await jsonBody(c));
      const answer = await proxied(servers.require(idParam(c)), body);
      const text = await answer.text();
      let json: JsonValue;
      try {
        json = text.trim() ? JSON.parse(text) : [];
      } catch {
        throw new OrthancError("NetworkProtocol");
      }
      return pluginJson(simplifiedQido(json));
    },
  });
  return app;
}
