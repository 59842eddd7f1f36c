// /modalities (configuration and REST-defined), the SCU operations on a modality (echo, store,
// query, move, find-*), /tools/dicom-echo, and the SCP's transfer syntax settings in /tools.
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { LEVEL_PATH } from "../dicom/levels.ts";
import type { Resource } from "../server/model.ts";
import { parseModality } from "../dimse/modalities.ts";
import { expandTransferSyntaxes } from "../dimse/policy.ts";
import {
  echoOn,
  findOn,
  findWorklistOn,
  moveOn,
  requestCommitmentOn,
  storeFileTo,
} from "../dimse/client.ts";
import { answerJson, findAnswerJson, parseLevel, tagOf } from "../dimse/identifiers.ts";
import { FIND_OPTIONAL_KEYS, FIND_REQUIRED, FIND_TEMPLATES } from "../dimse/query-keys.ts";
import type { Level } from "../dicom/levels.ts";
import { formatTag, type Tag, Tags } from "../dicom/tag.ts";
import { dimseInstanceOf, loadInstance } from "../dimse/instances.ts";
import { instancesBelow } from "../server/job-targets.ts";
import type { CommittedInstance } from "../dimse/storage-commitment.ts";
import { generateUid } from "../dicom/uid.ts";
import { compareUids } from "../dicom/uids.ts";
import type { DimseInstance } from "../dimse/types.ts";
import { NotFoundWithoutBody, OrthancError } from "../server/errors.ts";
import { runAsJob } from "./dicom-jobs.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import {
  anyJson,
  DICOM_NETWORK_JSON,
  FIND_TEMPLATE_JSON,
  isJsonObject,
  JSON_OR_TEXT,
  jsonObject,
  MODALITY_JSON,
  parseBoolean,
  readBody,
} from "./body.ts";
import { jsonResponse, textResponse } from "./json.ts";
import { queryRoutes } from "./queries.ts";
import { route } from "./router.ts";
import { idParam } from "./params.ts";

// The bodies' schemas. Most only say what the top level is: the fields are then checked one by
// one, in the order and words of Orthanc, interleaved with the lookups they lead to.
const MUST_BE_OBJECT = "The body must be a JSON object";
/** A modality's definition: parseModality checks it (both forms). */
const ModalityBody = anyJson;
/** One or more resources: an id (JSON or bare), a list of ids, or {"Resources": […], options}. */
const StoreBody = anyJson;
const RetrieveBody = jsonObject(MUST_BE_OBJECT);
const MOVE_FIELDS = "Must provide a JSON body containing fields Resources and Level";
const MoveBody = jsonObject(MOVE_FIELDS);
/** /move: text that is not JSON gets the message of a body without its fields. */
const MOVE_JSON = {
  ...DICOM_NETWORK_JSON,
  notJson: { kind: "BadFileFormat", details: MOVE_FIELDS },
} as const;
const WorklistBody = jsonObject(MUST_BE_OBJECT);
const CommitmentBody = jsonObject("Must provide a JSON object with a list of resources");
const TransferSyntaxesBody = z.union([z.string(), z.array(z.string())], {
  error: "Expected a list of transfer syntaxes",
});

function asObject(value: JsonValue): JsonObject {
  if (!isJsonObject(value)) throw new OrthancError("BadFileFormat", MUST_BE_OBJECT);
  return value;
}

const OPERATIONS = [
  "configuration",
  "echo",
  "find",
  "find-instance",
  "find-patient",
  "find-series",
  "find-study",
  "find-worklist",
  "get",
  "move",
  "query",
  "storage-commitment",
  "store",
  "store-straight",
];

function resourcesOf(deps: RestDependencies, body: JsonValue): Resource[] {
  const ids = typeof body === "string"
    ? [body]
    : Array.isArray(body)
    ? body
    : (asObject(body).Resources as JsonValue) ?? [];
  if (!Array.isArray(ids)) {
    throw new OrthancError("BadFileFormat", 'Field "Resources" must be an array');
  }
  return ids.map((id) => {
    const r = typeof id === "string" ? deps.core.resources.lookup(id.trim()) : undefined;
    if (!r) throw new OrthancError("UnknownResource", `Unknown resource: ${String(id)}`);
    return r;
  });
}

/** Orthanc's identifiers: five groups of eight hexadecimal digits (a SHA-1). */
const ORTHANC_ID = /^[0-9a-f]{8}(-[0-9a-f]{8}){4}$/;

/**
 * The resources of a C-STORE, which Orthanc checks more strictly than the others: a body that is
 * not JSON must be an identifier, the list one of strings, every string an identifier (all
 * checked before any is looked up), and an unknown one is a 404 without details.
 */
function resourcesToSend(deps: RestDependencies, body: JsonValue): Resource[] {
  if (typeof body === "string" && !ORTHANC_ID.test(body.trim())) {
    throw new OrthancError("BadFileFormat", "Must provide a JSON value");
  }
  const ids = typeof body === "string"
    ? [body]
    : Array.isArray(body)
    ? body
    : (asObject(body).Resources as JsonValue) ?? [];
  if (!Array.isArray(ids)) {
    throw new OrthancError("BadFileFormat", 'Field "Resources" must be an array');
  }
  if (!ids.every((id) => typeof id === "string")) {
    throw new OrthancError(
      "BadFileFormat",
      "Resources to be exported must be specified as a JSON array of strings",
    );
  }
  const invalid = ids.find((id) => !ORTHANC_ID.test(id.trim()));
  if (invalid !== undefined) {
    throw new OrthancError(
      "BadFileFormat",
      `This string is not a valid Orthanc identifier: ${invalid}`,
    );
  }
  return ids.map((id) => {
    const r = deps.core.resources.lookup(id.trim());
    if (!r) throw new OrthancError("UnknownResource");
    return r;
  });
}

/** Orthanc answers a successful echo with "{}" as a buffer, labelled without a charset. */
function echoAnswer(): Response {
  return textResponse("{}", "application/json");
}

export function modalityRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { network } = deps;
  const { config } = deps;
  const registry = network.modalities;

  route(app, "/modalities", {
    GET: (c) => {
      if (c.req.query("expand") === undefined) return jsonResponse(registry.names());
      return jsonResponse(
        Object.fromEntries(registry.entries().map(([n, m]) => [n, m as unknown as JsonObject])),
      );
    },
  });
  route(app, "/modalities/:id", {
    GET: (c) => {
      // Orthanc answers nothing for an unknown modality: a bare 404.
      if (!registry.get(idParam(c))) throw new NotFoundWithoutBody();
      return jsonResponse(OPERATIONS);
    },
    PUT: async (c) => {
      registry.set(idParam(c), parseModality(await readBody(c, MODALITY_JSON, ModalityBody)));
      return textResponse("");
    },
    DELETE: (c) => {
      if (!registry.delete(idParam(c))) {
        throw new OrthancError(
          "InexistentItem",
          `Unknown DICOM modality with symbolic name: ${(idParam(c))}`,
        );
      }
      return textResponse("");
    },
  });
  route(app, "/modalities/:id/configuration", {
    GET: (c) => jsonResponse(network.modality(idParam(c)) as unknown as JsonObject),
  });
  route(app, "/modalities/:id/echo", {
    POST: async (c) => {
      const modality = network.modality(idParam(c));
      await echoOn(network, modality);
      return echoAnswer();
    },
  });
  route(app, "/tools/dicom-echo", {
    POST: async (c) => {
      const modality = parseModality(await readBody(c, DICOM_NETWORK_JSON, ModalityBody));
      await echoOn(network, modality);
      return echoAnswer();
    },
  });
  route(app, "/modalities/:id/store", {
    POST: async (c) => {
      const modality = network.modality(idParam(c));
      // As in Orthanc, a body that is not JSON is the identifier of one resource.
      const body = await readBody(c, JSON_OR_TEXT, StoreBody);
      const resources = resourcesToSend(deps, body);
      // Orthanc logs the export when it is asked for, under the modality's symbolic name.
      if (config.LogExportedResources) {
        deps.core.changes.logExportedResources(resources, idParam(c));
      }
      const options = typeof body === "object" && body && !Array.isArray(body) ? body : {};
      const synchronous = options.Synchronous !== false && options.Asynchronous !== true;
      const originatorAet = typeof options.MoveOriginatorAet === "string"
        ? options.MoveOriginatorAet
        : undefined;
      const originatorId = typeof options.MoveOriginatorID === "number"
        ? options.MoveOriginatorID
        : 0;
      const content: JsonObject = {
        Description: "REST API",
        FailedInstancesCount: 0,
        InstancesCount: 0,
        LocalAet: modality.LocalAet || config.DicomAet,
        ParentResources: resources.map((r) => r.publicId),
        RemoteAet: modality.AET,
      };
      return runAsJob(deps, "DicomModalityStore", synchronous, content, {
        modality,
        resources: resources.map((r) => r.publicId),
        moveOriginator: originatorAet ? { aet: originatorAet, messageId: originatorId } : undefined,
        permissive: options.Permissive === true,
      });
    },
  });
  /** The body of /move and /get: a level and a list of identifiers to retrieve. */
  const retrieveRequest = async (c: Context<AppEnv>) => {
    const modality = network.modality(idParam(c));
    const body = await readBody(c, DICOM_NETWORK_JSON, RetrieveBody);
    const level = parseLevel(body.Level);
    const list = body.Resources;
    if (!Array.isArray(list)) {
      throw new OrthancError("BadFileFormat", 'Field "Resources" must be an array');
    }
    const queries = list.map((keys) => asObject(keys) as Record<string, string>);
    return { modality, body, level, list, queries };
  };
  // Orthanc 1.10.1 runs this C-MOVE at once, whatever the body asks, and answers {}.
  route(app, "/modalities/:id/move", {
    POST: async (c) => {
      const modality = network.modality(idParam(c));
      const body = await readBody(c, MOVE_JSON, MoveBody);
      if (typeof body.Level !== "string" || !Array.isArray(body.Resources)) {
        throw new OrthancError("BadFileFormat", MOVE_FIELDS);
      }
      const level = parseLevel(body.Level);
      const keys = body.Resources.map((r) => {
        if (!isJsonObject(r)) throw new OrthancError("BadFileFormat");
        return r as Record<string, string>;
      });
      const target = typeof body.TargetAet === "string" ? body.TargetAet : config.DicomAet;
      for (const k of keys) await moveOn(network, modality, level, k, target);
      return textResponse("{}", "application/json");
    },
  });
  route(app, "/modalities/:id/get", {
    POST: async (c) => {
      const { modality, body, level, list, queries } = await retrieveRequest(c);
      const synchronous = body.Synchronous !== false && body.Asynchronous !== true;
      const content: JsonObject = {
        Description: "REST API",
        LocalAet: modality.LocalAet || config.DicomAet,
        Query: list,
        RemoteAet: modality.AET,
      };
      return runAsJob(deps, "DicomGetScu", synchronous, content, {
        modality,
        level,
        queries,
        permissive: body.Permissive === true,
      });
    },
  });
  route(app, "/modalities/:id/storage-commitment", {
    POST: async (c) => {
      const body = await readBody(c, DICOM_NETWORK_JSON, CommitmentBody);
      if (body.Resources === undefined && body.DicomInstances === undefined) {
        throw new OrthancError(
          "BadFileFormat",
          'Empty storage commitment request, one of these fields is mandatory: "Resources", "DicomInstances"',
        );
      }
      const instances: CommittedInstance[] = [];
      if (body.Resources !== undefined) {
        if (!Array.isArray(body.Resources)) {
          throw new OrthancError(
            "BadFileFormat",
            'The "Resources" field must provide an array of Orthanc resources',
          );
        }
        for (const r of resourcesOf(deps, body.Resources)) {
          for (const instance of instancesBelow(deps.core, [r])) {
            const loaded = await loadInstance(deps.core, instance);
            instances.push({
              sopClassUid: loaded.sopClassUid,
              sopInstanceUid: loaded.sopInstanceUid,
            });
          }
        }
      }
      if (body.DicomInstances !== undefined) {
        const list = body.DicomInstances;
        if (!Array.isArray(list)) {
          throw new OrthancError("BadFileFormat", 'The "DicomInstances" field must be an array');
        }
        for (const item of list) {
          const o = item && typeof item === "object" && !Array.isArray(item) ? item : undefined;
          if (typeof o?.SOPClassUID !== "string" || typeof o.SOPInstanceUID !== "string") {
            throw new OrthancError(
              "BadFileFormat",
              'Each item of "DicomInstances" must contain the "SOPClassUID" and "SOPInstanceUID" fields',
            );
          }
          instances.push({ sopClassUid: o.SOPClassUID, sopInstanceUid: o.SOPInstanceUID });
        }
      }
      const modality = network.modality(idParam(c));
      const timeout = typeof body.Timeout === "number" && body.Timeout >= 0
        ? body.Timeout
        : undefined;
      const transactionUid = generateUid("instance");
      // The report exists (Pending) before the request goes out, as in Orthanc.
      network.commitments.add(transactionUid, modality.AET);
      try {
        await requestCommitmentOn(network, modality, transactionUid, instances, timeout);
      } catch (error) {
        network.commitments.delete(transactionUid);
        throw error;
      }
      return jsonResponse({ ID: transactionUid, Path: `/storage-commitment/${transactionUid}` });
    },
  });
  const noTransaction = (uid: string) =>
    new OrthancError("InexistentItem", `No storage commitment transaction with UID: ${uid}`);
  route(app, "/storage-commitment/:id", {
    GET: (c) => {
      const report = network.commitments.json(idParam(c));
      if (!report) throw noTransaction(idParam(c));
      return jsonResponse(report);
    },
  });
  // Deletes here what the remote modality committed to keep: only after a report of success.
  route(app, "/storage-commitment/:id/remove", {
    POST: async (c) => {
      const uid = idParam(c);
      const committed = network.commitments.committed(uid);
      if (committed === undefined) throw noTransaction(uid);
      if (committed === null) {
        throw new OrthancError(
          "BadSequenceOfCalls",
          `Cannot remove DICOM instances after failure in storage commitment transaction: ${uid}`,
        );
      }
      for (const { sopInstanceUid } of committed) {
        for (const r of deps.core.resources.lookupIdentifier(sopInstanceUid)) {
          if (r.level === "Instance") await deps.core.delete(r.publicId, "Instance");
        }
      }
      return new Response("{}", { headers: { "Content-Type": "application/json" } });
    },
  });
  route(app, "/modalities/:id/store-straight", {
    POST: async (c) => {
      const modality = network.modality(idParam(c));
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const instance = instanceOfFile(bytes);
      await storeFileTo(network, modality, instance);
      return jsonResponse({
        SOPClassUID: instance.sopClassUid,
        SOPInstanceUID: instance.sopInstanceUid,
      });
    },
  });
  // The deprecated find-*: the level's template, filled from the body, normalized; a body
  // without the identifiers the level needs gets Orthanc's empty 400.
  for (
    const [path, level] of [
      ["find-patient", "Patient"],
      ["find-study", "Study"],
      ["find-series", "Series"],
      ["find-instance", "Instance"],
    ] as const
  ) {
    route(app, `/modalities/:id/${path}`, {
      POST: async (c) => {
        const modality = network.modality(idParam(c));
        const body = await readBody(c, FIND_TEMPLATE_JSON, anyJson);
        const query = isJsonObject(body) ? findTemplateQuery(level, body) : undefined;
        if (!query) return new Response(null, { status: 400 });
        const answers = await findOn(network, modality, level, query);
        return jsonResponse(
          answers.map((a) => simplified(findAnswerJson(a, deps.core.defaultEncoding))),
        );
      },
    });
  }

  // The deprecated hierarchical find: the matching patients, each with its matching studies, each
  // with its matching series.
  route(app, "/modalities/:id/find", {
    POST: async (c) => {
      const modality = network.modality(idParam(c));
      const body = await readBody(c, FIND_TEMPLATE_JSON, anyJson);
      if (!isJsonObject(body)) return new Response(null, { status: 400 });
      const find = async (level: Level, query: Record<string, string>) =>
        (await findOn(network, modality, level, query)).map((a) =>
          simplified(findAnswerJson(a, deps.core.defaultEncoding))
        );
      const patients = await find("Patient", queryOf(templateValues("Patient", body)));
      for (const patient of patients) {
        const studies = await find(
          "Study",
          childQuery("Study", body, patient, [PATIENT_ID]),
        );
        for (const study of studies) {
          study.Series = await find(
            "Series",
            childQuery("Series", body, study, [PATIENT_ID, STUDY_UID]),
          );
        }
        patient.Studies = studies;
      }
      return jsonResponse(patients);
    },
  });

  route(app, "/modalities/:id/find-worklist", {
    POST: async (c) => {
      const modality = network.modality(idParam(c));
      const body = await readBody(c, DICOM_NETWORK_JSON, WorklistBody);
      // Orthanc 1.12 reads {"Query": {...}, "Full"/"Short"}; 1.10 reads the query itself.
      const wrapped = body.Query !== undefined && typeof body.Query === "object";
      const query = wrapped ? asObject(body.Query as JsonValue) : body;
      const format = !wrapped
        ? "simplify"
        : body.Full === true
        ? "full"
        : body.Short === true
        ? "short"
        : "simplify";
      const answers = await findWorklistOn(network, modality, query);
      return jsonResponse(answers.map((a) => answerJson(a, deps.core.defaultEncoding, format)));
    },
  });

  // Orthanc lists the transfer syntaxes in the order of their UIDs' numeric components.
  const acceptedSyntaxes = () => jsonResponse([...network.acceptedSyntaxes].sort(compareUids));
  route(app, "/tools/accepted-transfer-syntaxes", {
    GET: acceptedSyntaxes,
    PUT: async (c) => {
      const body = await readBody(c, DICOM_NETWORK_JSON, TransferSyntaxesBody);
      const patterns = typeof body === "string" ? [body] : body;
      network.acceptedSyntaxes = expandTransferSyntaxes(patterns);
      return acceptedSyntaxes();
    },
  });
  route(app, "/tools/unknown-sop-class-accepted", {
    GET: () => textResponse(network.unknownSopClassAccepted ? "1" : "0"),
    PUT: async (c) => {
      network.unknownSopClassAccepted = parseBoolean(await c.req.text());
      return textResponse("");
    },
  });

  app.route("/", queryRoutes(deps));
  void LEVEL_PATH;
  return app;
}

/** The dataset of a Part 10 file as it travels (the bytes after the meta header). */
function instanceOfFile(bytes: Uint8Array): DimseInstance {
  let instance: DimseInstance;
  try {
    instance = dimseInstanceOf(bytes);
  } catch {
    throw new OrthancError("BadFileFormat", "Cannot parse an invalid DICOM file");
  }
  if (!instance.sopClassUid || !instance.sopInstanceUid) {
    throw new OrthancError("InexistentTag", "The file has no SOP class or instance UID");
  }
  return instance;
}

function simplified(full: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const entry of Object.values(full)) {
    const { Name, Value } = entry as { Name: string; Value: JsonValue };
    out[Name] = Value;
  }
  return out;
}

/** A level's find template, with the values of the body's keys it keeps. */
function templateValues(level: Level, body: JsonObject): Map<Tag, string> {
  const values = new Map<Tag, string>(FIND_TEMPLATES[level].map((t) => [t, ""]));
  for (const [key, value] of Object.entries(body)) {
    const tag = tagOf(key);
    if (values.has(tag) || FIND_OPTIONAL_KEYS[level].includes(tag)) {
      values.set(tag, typeof value === "string" ? value : JSON.stringify(value));
    }
  }
  return values;
}

const queryOf = (values: Map<Tag, string>) =>
  Object.fromEntries([...values].map(([tag, value]) => [formatTag(tag), value]));

/** The query of a find-* route, undefined when the body lacks the identifiers it needs. */
function findTemplateQuery(level: Level, body: JsonObject): Record<string, string> | undefined {
  const values = templateValues(level, body);
  const given = (tag: Tag) => (values.get(tag) ?? "").length > 2;
  if (!FIND_REQUIRED[level].every((anyOf) => anyOf.some(given))) return undefined;
  return queryOf(values);
}

/**
 * The query of one step of the hierarchical /find: the level's template and the body, with the
 * identifiers of the parent answer over them (as Orthanc copies them, when the answer has them).
 */
function childQuery(
  level: Level,
  body: JsonObject,
  parent: JsonObject,
  identifiers: [Tag, string][],
) {
  const values = templateValues(level, body);
  for (const [tag, name] of identifiers) {
    const value = parent[name];
    if (typeof value === "string") values.set(tag, value);
  }
  return queryOf(values);
}

const PATIENT_ID: [Tag, string] = [Tags.PatientId, "PatientID"];
const STUDY_UID: [Tag, string] = [Tags.StudyInstanceUid, "StudyInstanceUID"];
