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
import { DEFAULT_DICOM_VERSION, profileOf } from "../editing/profiles.ts";
import { resolveTag } from "../dicom/dictionary.ts";
import type { Level } from "../dicom/levels.ts";
import { MODIFICATION_JOB, type ModificationJobParams } from "../server/modification-job.ts";
import { jsonResponse } from "./json.ts";
import { formatTag } from "../dicom/tag.ts";
import type { JsonValue } from "../dicom/tags-json.ts";
import { OrthancError } from "../server/errors.ts";
import { GlobalProperty } from "../server/model.ts";
import { TransferSyntax } from "../dicom/uids.ts";
import { anyJson, isJsonObject, readBody } from "./body.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { idParam } from "./params.ts";
import { route } from "./router.ts";

export const EDIT_JSON = {
  notJson: { kind: "BadFileFormat" as const },
  refused: "BadFileFormat" as const,
};

export function flag(body: Record<string, JsonValue>, name: string): boolean {
  const value = body[name];
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new OrthancError("BadFileFormat", `Member "${name}" should be a Boolean value`);
  }
  return value;
}

export function tagList(body: Record<string, JsonValue>, name: string) {
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

export function replacements(body: Record<string, JsonValue>) {
  const value = body.Replace;
  if (value === undefined) return [];
  if (!isJsonObject(value)) throw new OrthancError("BadRequest");
  return Object.entries(value).map(([name, v]) => {
    const path = parsePath(name);
    return { path, name, value: editValue(v, name) };
  });
}

export function readModification(
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
    // Refused with the request, even when the resources have no instance to anonymize.
    profileOf(version);
    modification.anonymization = { version, keepPrivateTags, patientName: "" };
  }
  checkModification(modification);
  // Orthanc numbers the name as it reads the request, before it looks the resource up.
  if (modification.anonymization && namesPatient(modification)) {
    modification.anonymization.patientName = nextPatientName();
  }
  return modification;
}

/**
 * Starts a job from a request's Asynchronous, Synchronous and Priority: answers its id at once,
 * or waits for it and answers its content, or the error it failed with, as Orthanc does.
 */
export async function runJob(
  deps: RestDependencies,
  type: string,
  params: JsonValue,
  body: Record<string, JsonValue>,
): Promise<Response> {
  const asynchronous = flag(body, "Asynchronous") ||
    (body.Synchronous !== undefined && !flag(body, "Synchronous"));
  const priority = typeof body.Priority === "number" ? body.Priority : 0;
  const job = deps.jobs.start(type, params, {}, priority);
  if (asynchronous) return jsonResponse({ ID: job.id, Path: `/jobs/${job.id}` });
  return jsonResponse(await deps.jobs.wait(job));
}

const KNOWN_SYNTAXES: ReadonlySet<string> = new Set(Object.values(TransferSyntax));

/**
 * Starts a ResourceModification job (a resource's modify/anonymize, or a bulk one) with the
 * request's options, answered as runJob answers.
 */
export function runModificationJob(
  deps: RestDependencies,
  target: Pick<
    ModificationJobParams,
    "level" | "resource" | "bulk" | "modification" | "defaultCharset"
  >,
  raw: Record<string, JsonValue>,
): Promise<Response> {
  const params: ModificationJobParams = {
    ...target,
    keepSource: raw.KeepSource === undefined || flag(raw, "KeepSource"),
    keepLabels: flag(raw, "KeepLabels"),
    transcode: transcodeField(raw, true),
    permissive: flag(raw, "Permissive"),
    ...(typeof raw.PrivateCreator === "string" ? { privateCreator: raw.PrivateCreator } : {}),
  };
  return runJob(deps, MODIFICATION_JOB, params as unknown as JsonValue, raw);
}

/**
 * The Transcode field: a transfer syntax Orthanc knows, whether or not it can write it. Orthanc
 * words an unknown one differently for an instance and for a job.
 */
export function transcodeField(
  body: Record<string, JsonValue>,
  job: boolean,
): string | undefined {
  const value = body.Transcode;
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new OrthancError("BadFileFormat", "String value expected in field: Transcode");
  }
  if (!KNOWN_SYNTAXES.has(value)) {
    throw job
      ? new OrthancError("BadFileFormat", `Unknown transfer syntax UID: ${value}`)
      : new OrthancError("ParameterOutOfRange", `Unknown transfer syntax: ${value}`);
  }
  return value;
}

/** Runs `read`, answering the editing engine's refusals as Orthanc's errors. */
export function orthancErrors<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof EditError) throw new OrthancError(e.kind, e.details);
    throw e;
  }
}

/** Orthanc numbers anonymized patients with a counter kept in the index. */
export function patientNamer(deps: RestDependencies): () => string {
  const { properties } = deps.core;
  return () => {
    const next = Number(properties.get(GlobalProperty.AnonymizationSequence) ?? "0") + 1;
    properties.set(GlobalProperty.AnonymizationSequence, String(next));
    return `Anonymized${next}`;
  };
}

export function editingRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const defaultCharset = charsetOfEncoding(deps.core.defaultEncoding);
  const nextPatientName = patientNamer(deps);

  const edit = (anonymize: boolean) => async (c: Context<AppEnv>) => {
    const raw = await readBody(c, EDIT_JSON, anyJson);
    if (!isJsonObject(raw)) throw new OrthancError("BadFileFormat");
    let file: Uint8Array;
    const transcode = transcodeField(raw, false);
    try {
      const modification = readModification(raw, anonymize, nextPatientName, "Instance");
      const instance = deps.core.resource(idParam(c), "Instance");
      file = applyModification(await deps.core.dicomBytes(instance), modification, new Map(), {
        defaultCharset,
        ...(typeof raw.PrivateCreator === "string" ? { privateCreator: raw.PrivateCreator } : {}),
        trimTextPadding: true,
      });
    } catch (e) {
      if (e instanceof EditError) throw new OrthancError(e.kind, e.details);
      throw e;
    }
    if (transcode) {
      const out = await deps.codecs.transcoders.transcode(file, [transcode]);
      if (!out) {
        throw new OrthancError(
          "InternalError",
          `Cannot transcode to transfer syntax: ${transcode}`,
        );
      }
      file = out;
    }
    return new Response(file, { headers: { "Content-Type": "application/dicom" } });
  };

  /** A patient, study or series: new resources stored by a ResourceModification job. */
  const editResource = (level: Level, anonymize: boolean) => async (c: Context<AppEnv>) => {
    const raw = await readBody(c, EDIT_JSON, anyJson);
    if (!isJsonObject(raw)) throw new OrthancError("BadFileFormat");
    const modification = orthancErrors(() =>
      readModification(raw, anonymize, nextPatientName, level)
    );
    const resource = deps.core.resource(idParam(c), level);
    return runModificationJob(
      deps,
      { level, resource: resource.publicId, modification, defaultCharset },
      raw,
    );
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
