// POST /instances/{id}/modify and /anonymize: the request read as Orthanc reads it into a
// Modification (src/editing/), the edited file answered; nothing is stored, as in Orthanc 1.10.1.
import { type Context, Hono } from "hono";
import { charsetOfEncoding } from "../dicom/charsets.ts";
import type { EditItem, EditValue } from "../editing/editor.ts";
import { EditError } from "../editing/errors.ts";
import {
  applyModification,
  checkModification,
  type Modification,
  namesPatient,
} from "../editing/modification.ts";
import { parsePath } from "../editing/paths.ts";
import { DEFAULT_DICOM_VERSION } from "../editing/profiles.ts";
import { resolveTag } from "../dicom/dictionary.ts";
import type { Level } from "../dicom/levels.ts";
import { MODIFICATION_JOB, type ModificationJobParams } from "../server/modification-job.ts";
import { jsonResponse } from "./json.ts";
import { formatTag } from "../dicom/tag.ts";
import type { JsonValue } from "../dicom/tags-json.ts";
import { OrthancError } from "../server/errors.ts";
import { GlobalProperty } from "../server/model.ts";
import { anyJson, isJsonObject, readBody } from "./body.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { idParam } from "./params.ts";
import { route } from "./router.ts";

const EDIT_JSON = {
  notJson: { kind: "BadFileFormat" as const },
  refused: "BadFileFormat" as const,
};

function flag(body: Record<string, JsonValue>, name: string): boolean {
  const value = body[name];
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new OrthancError("BadFileFormat", `Member "${name}" should be a Boolean value`);
  }
  return value;
}

function tagList(body: Record<string, JsonValue>, name: string) {
  const value = body[name];
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new OrthancError("BadRequest");
  }
  return (value as string[]).map((text) => ({ path: parsePath(text), name: text }));
}

/** A Replace value: a string, null (an empty value), or items for a sequence. */
function editValue(value: JsonValue, tagText: string): EditValue {
  if (typeof value === "string") return value;
  if (value === null) return "";
  const tag = resolveTag(tagText.split(".").pop()!);
  const bad = () =>
    new OrthancError("BadParameterType", `Bad Parameter type for tag ${formatTag(tag ?? 0)}`);
  if (!Array.isArray(value)) throw bad();
  return value.map((item): EditItem => {
    if (!isJsonObject(item)) throw bad();
    return Object.entries(item).map(([key, v]) => {
      const inner = resolveTag(key);
      if (inner === undefined) throw new OrthancError("UnknownDicomTag");
      return { tag: inner, value: editValue(v, key) };
    });
  });
}

function replacements(body: Record<string, JsonValue>) {
  const value = body.Replace;
  if (value === undefined) return [];
  if (!isJsonObject(value)) throw new OrthancError("BadRequest");
  return Object.entries(value).map(([name, v]) => {
    const path = parsePath(name);
    return { path, name, value: editValue(v, name) };
  });
}

function readModification(
  body: Record<string, JsonValue>,
  anonymize: boolean,
  nextPatientName: () => string,
  level: Level,
): Modification {
  const removePrivateTags = flag(body, "RemovePrivateTags");
  const force = flag(body, "Force");
  const keepPrivateTags = flag(body, "KeepPrivateTags");
  const creator = body.PrivateCreator;
  if (creator !== undefined && typeof creator !== "string") {
    throw new OrthancError("BadFileFormat", "String value expected in field: PrivateCreator");
  }
  const modification: Modification = {
    level,
    replace: replacements(body),
    remove: tagList(body, "Remove"),
    keep: tagList(body, "Keep"),
    removePrivateTags,
    force,
  };
  if (anonymize) {
    const version = body.DicomVersion ?? DEFAULT_DICOM_VERSION;
    if (typeof version !== "string") {
      throw new OrthancError("BadFileFormat", "String value expected in field: DicomVersion");
    }
    modification.anonymization = { version, keepPrivateTags, patientName: "" };
  }
  checkModification(modification);
  // Orthanc numbers the name as it reads the request, before it looks the resource up.
  if (modification.anonymization && namesPatient(modification)) {
    modification.anonymization.patientName = nextPatientName();
  }
  return modification;
}

export function editingRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { properties } = deps.core;
  const defaultCharset = charsetOfEncoding(deps.core.defaultEncoding);

  /** Orthanc numbers anonymized patients with a counter kept in the index. */
  const nextPatientName = () => {
    const next = Number(properties.get(GlobalProperty.AnonymizationSequence) ?? "0") + 1;
    properties.set(GlobalProperty.AnonymizationSequence, String(next));
    return `Anonymized${next}`;
  };

  const edit = (anonymize: boolean) => async (c: Context<AppEnv>) => {
    const raw = await readBody(c, EDIT_JSON, anyJson);
    if (!isJsonObject(raw)) throw new OrthancError("BadFileFormat");
    let file: Uint8Array;
    try {
      const modification = readModification(raw, anonymize, nextPatientName, "Instance");
      const instance = deps.core.resource(idParam(c), "Instance");
      file = applyModification(await deps.core.dicomBytes(instance), modification, new Map(), {
        defaultCharset,
        reencodeText: false,
        ...(typeof raw.PrivateCreator === "string" ? { privateCreator: raw.PrivateCreator } : {}),
        trimTextPadding: true,
      });
    } catch (e) {
      if (e instanceof EditError) throw new OrthancError(e.kind, e.details);
      throw e;
    }
    return new Response(file, { headers: { "Content-Type": "application/dicom" } });
  };

  /** A patient, study or series: new resources stored by a ResourceModification job. */
  const editResource = (level: Level, anonymize: boolean) => async (c: Context<AppEnv>) => {
    const raw = await readBody(c, EDIT_JSON, anyJson);
    if (!isJsonObject(raw)) throw new OrthancError("BadFileFormat");
    const asynchronous = flag(raw, "Asynchronous") ||
      (raw.Synchronous !== undefined && !flag(raw, "Synchronous"));
    const priority = typeof raw.Priority === "number" ? raw.Priority : 0;
    let modification: Modification;
    try {
      modification = readModification(raw, anonymize, nextPatientName, level);
    } catch (e) {
      if (e instanceof EditError) throw new OrthancError(e.kind, e.details);
      throw e;
    }
    const resource = deps.core.resource(idParam(c), level);
    const params: ModificationJobParams = {
      level,
      resource: resource.publicId,
      modification,
      defaultCharset,
      keepSource: raw.KeepSource === undefined || flag(raw, "KeepSource"),
    };
    const job = deps.jobs.start(MODIFICATION_JOB, params as unknown as JsonValue, {}, priority);
    if (asynchronous) return jsonResponse({ ID: job.id, Path: `/jobs/${job.id}` });
    return jsonResponse(await deps.jobs.wait(job));
  };

  route(app, "/instances/:id/modify", { POST: edit(false) });
  route(app, "/instances/:id/anonymize", { POST: edit(true) });
  for (const level of ["Patient", "Study", "Series"] as const) {
    const path = { Patient: "patients", Study: "studies", Series: "series" }[level];
    route(app, `/${path}/:id/modify`, { POST: editResource(level, false) });
    route(app, `/${path}/:id/anonymize`, { POST: editResource(level, true) });
  }
  return app;
}
