// The one reader of JSON request bodies. A route names how its family reads the text (Orthanc's
// readers differ: an empty body, text that is not JSON) and gives the zod schema of its body;
// every failure is the Orthanc error the route has always answered.
import type { Context } from "hono";
import { z } from "zod";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { type ErrorName, OrthancError } from "../server/errors.ts";
import type { AppEnv } from "./context.ts";

export interface BodyFormat {
  /** What a blank body stands for; without it, a blank body is parsed as JSON (and fails). */
  blank?: JsonValue;
  /** Text that is not JSON: this error, or "text" when the route takes the trimmed text itself. */
  notJson: { kind: ErrorName; details?: string } | "text";
  /** The error of a body the schema refuses; its details are the schema's first message. */
  refused: ErrorName;
}

/** /modalities and /queries: a blank body is {}, other text must be JSON. */
export const DICOM_NETWORK_JSON: BodyFormat = {
  blank: {},
  notJson: { kind: "BadFileFormat", details: "Cannot parse the JSON body" },
  refused: "BadFileFormat",
};

/**
 * The deprecated find routes of /modalities: whatever is not a JSON object (a blank body and text
 * that is not JSON included) gets the route's empty 400.
 */
export const FIND_TEMPLATE_JSON: BodyFormat = {
  notJson: "text",
  refused: "BadFileFormat",
};

/** PUT /modalities/{id}: text that is not JSON is refused without details, as in Orthanc. */
export const MODALITY_JSON: BodyFormat = {
  blank: {},
  notJson: { kind: "BadFileFormat" },
  refused: "BadFileFormat",
};

/** POST /modalities/{id}/query: anything but a JSON object is refused in one message. */
export const QUERY_JSON: BodyFormat = {
  blank: {},
  notJson: { kind: "BadFileFormat", details: "Must provide a JSON object" },
  refused: "BadFileFormat",
};

/** The routes that take either JSON or a bare identifier (store to a modality, retrieve). */
export const JSON_OR_TEXT: BodyFormat = { notJson: "text", refused: "BadFileFormat" };

/** /tools/find and /tools/count-resources. */
export const FIND_JSON: BodyFormat = {
  notJson: { kind: "BadRequest", details: "The body must contain a JSON object" },
  refused: "BadRequest",
};

/** A boolean body as Orthanc reads one (protection, unknown-sop-class-accepted). */
export function parseBoolean(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === "1" || t === "true") return true;
  if (t === "0" || t === "false") return false;
  throw new OrthancError("BadFileFormat", "Boolean value expected");
}

/** Any JSON value: the route checks the fields itself, in Orthanc's order and words. */
export const anyJson = z.custom<JsonValue>(() => true);

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON object, refused with Orthanc's message for anything else. */
export function jsonObject(message: string) {
  return z.custom<JsonObject>(isJsonObject, { error: message });
}

function parse(text: string, format: BodyFormat): unknown {
  if (format.blank !== undefined && text.trim() === "") return format.blank;
  // A bare identifier is taken trimmed, and so is the JSON that stands in its place.
  const source = format.notJson === "text" ? text.trim() : text;
  try {
    return JSON.parse(source);
  } catch {
    if (format.notJson === "text") return source;
    throw new OrthancError(format.notJson.kind, format.notJson.details);
  }
}

export async function readBody<S extends z.ZodType>(
  c: Context<AppEnv>,
  format: BodyFormat,
  schema: S,
): Promise<z.infer<S>> {
  const checked = schema.safeParse(parse(await c.req.text(), format));
  if (!checked.success) throw new OrthancError(format.refused, checked.error.issues[0]?.message);
  return checked.data;
}
