// /peers: the Orthanc peers (configuration and REST-defined), their configuration and /system,
// and sending to one: POST /peers/{id}/store as an OrthancPeerStore job, store-straight as is.
import { Hono } from "hono";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { requestPeer } from "../peers/client.ts";
import { parsePeer, peerConfigurationJson, peerContentJson } from "../peers/peer.ts";
import { PEER_STORE_JOB, peerStoreJobParams } from "../peers/store-job.ts";
import { NotFoundWithoutBody, OrthancError } from "../server/errors.ts";
import type { Resource } from "../server/model.ts";
import { anyJson, isJsonObject, JSON_OR_TEXT, readBody } from "./body.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { transcodeField } from "./editing.ts";
import { jsonResponse, textResponse } from "./json.ts";
import { idParam } from "./params.ts";
import { route } from "./router.ts";

const OPERATIONS = ["configuration", "store", "store-straight", "system"];

/** A peer's definition (either form): parsePeer checks it. */
const PeerBody = anyJson;
/** One or more resources: an id (JSON or bare), a list of ids, or {"Resources": […], options}. */
const StoreBody = anyJson;

/** Orthanc's identifiers: five groups of eight hexadecimal digits (a SHA-1). */
const ORTHANC_ID = /^[0-9a-f]{8}(-[0-9a-f]{8}){4}$/;

const badFormat = (details?: string) => new OrthancError("BadFileFormat", details);

/** The resources to send, checked in Orthanc's order and words. */
function resourcesToSend(deps: RestDependencies, body: JsonValue): Resource[] {
  if (typeof body === "string" && !ORTHANC_ID.test(body.trim())) {
    throw badFormat("Must provide a JSON value");
  }
  if (isJsonObject(body) && body.Resources === undefined) {
    throw badFormat('Missing field in JSON: "Resources"');
  }
  const ids = typeof body === "string"
    ? [body]
    : Array.isArray(body)
    ? body
    : isJsonObject(body)
    ? body.Resources
    : undefined;
  if (!Array.isArray(ids)) throw badFormat('JSON field "Resources" must contain an array');
  if (!ids.every((id) => typeof id === "string")) {
    throw badFormat("Resources to be exported must be specified as a JSON array of strings");
  }
  const invalid = ids.find((id) => !ORTHANC_ID.test(id.trim()));
  if (invalid !== undefined) {
    throw badFormat(`This string is not a valid Orthanc identifier: ${invalid}`);
  }
  return ids.map((id) => {
    const r = deps.core.resources.lookup(id.trim());
    if (!r) throw new OrthancError("UnknownResource");
    return r;
  });
}

function compressField(options: JsonObject): boolean {
  const value = options.Compress;
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw badFormat("Boolean value expected in field: Compress");
  return value;
}

export function peerRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { peers, config } = deps;

  route(app, "/peers", {
    GET: (c) => {
      if (c.req.query("expand") === undefined) return jsonResponse(peers.names());
      return jsonResponse(
        Object.fromEntries(peers.names().map((n) => [n, peerConfigurationJson(peers.require(n))])),
      );
    },
  });
  route(app, "/peers/:id", {
    GET: (c) => {
      // Orthanc answers nothing for an unknown peer: a bare 404.
      if (!peers.get(idParam(c))) throw new NotFoundWithoutBody();
      return jsonResponse(OPERATIONS);
    },
    PUT: async (c) => {
      let json: JsonValue;
      try {
        json = JSON.parse(await c.req.text());
      } catch {
        // Orthanc's answer to a definition that is not JSON: a bare 404.
        throw new NotFoundWithoutBody();
      }
      peers.set(idParam(c), parsePeer(PeerBody.parse(json)));
      return textResponse("");
    },
    DELETE: (c) => {
      if (!peers.delete(idParam(c))) {
        throw new OrthancError("InexistentItem", `Unknown Orthanc peer: ${idParam(c)}`);
      }
      return textResponse("");
    },
  });
  route(app, "/peers/:id/configuration", {
    GET: (c) => jsonResponse(peerConfigurationJson(peers.require(idParam(c)))),
  });
  route(app, "/peers/:id/system", {
    GET: async (c) => {
      const answer = await requestPeer(peers.require(idParam(c)), config, {
        method: "GET",
        path: "system",
      });
      const body = await answer.arrayBuffer();
      if (!answer.ok) throw new OrthancError("BadHttpStatusInRest");
      // The peer's answer, passed on as Orthanc does (labelled without a charset).
      return new Response(body, { headers: { "Content-Type": "application/json" } });
    },
  });
  route(app, "/peers/:id/store", {
    POST: async (c) => {
      const name = idParam(c);
      const peer = peers.require(name);
      // As in Orthanc, a body that is not JSON is the identifier of one resource.
      const body = await readBody(c, JSON_OR_TEXT, StoreBody);
      const resources = resourcesToSend(deps, body);
      const options = isJsonObject(body) ? body : {};
      const compress = compressField(options);
      const transcode = transcodeField(options, true);
      if (config.LogExportedResources) deps.core.changes.logExportedResources(resources, name);
      const ids = resources.map((r) => r.publicId);
      const content: JsonObject = {
        Compress: compress,
        Description: "REST API",
        FailedInstancesCount: 0,
        InstancesCount: 0,
        Peer: peerContentJson(peer),
        Size: "0",
        SizeMB: 0,
      };
      if (ids.length > 0) content.ParentResources = ids;
      if (transcode) content.Transcode = transcode;
      const priority = typeof options.Priority === "number" ? options.Priority : 0;
      const job = deps.jobs.start(
        PEER_STORE_JOB,
        peerStoreJobParams({ peer, resources: ids, compress, transcode }),
        content,
        priority,
      );
      const synchronous = options.Synchronous !== false && options.Asynchronous !== true;
      if (!synchronous) return jsonResponse({ ID: job.id, Path: `/jobs/${job.id}` });
      return jsonResponse(await deps.jobs.wait(job));
    },
  });
  route(app, "/peers/:id/store-straight", {
    POST: async (c) => {
      const name = idParam(c);
      const peer = peers.require(name);
      const answer = await requestPeer(peer, config, {
        method: "POST",
        path: "instances",
        body: new Uint8Array(await c.req.arrayBuffer()),
        headers: { "Content-Type": "application/dicom" },
      });
      const text = await answer.text();
      if (!answer.ok) {
        throw new OrthancError("NetworkProtocol", `Cannot send DICOM to remote peer: ${name}`);
      }
      try {
        return jsonResponse(JSON.parse(text) as JsonValue);
      } catch {
        throw new OrthancError("NetworkProtocol", `Cannot send DICOM to remote peer: ${name}`);
      }
    },
  });
  return app;
}
