// A resource as answers show it: its description in the asked format, plus RequestedTags.
import type { Context } from "hono";
import type { Tag } from "../dicom/tag.ts";
import type { JsonObject, TagsFormat } from "../dicom/tags-json.ts";
import type { Resource } from "../server/model.ts";
import { CONTENT_TYPE_NAMES, METADATA_NAMES } from "../server/model.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { requestedTags, requestedTagsArgument } from "./requested-tags.ts";
import { resourceJson } from "./resource-json.ts";

export const RESPONSE_CONTENT = [
  "MainDicomTags",
  "Metadata",
  "Children",
  "Parent",
  "Labels",
  "Status",
  "IsStable",
  "IsProtected",
  "Attachments",
] as const;
export type ResponsePart = (typeof RESPONSE_CONTENT)[number];

export interface Rendering {
  format: TagsFormat;
  requested?: Tag[];
  /** Orthanc 1.12.5's ResponseContent: only these parts (with ID and Type). */
  parts?: ResponsePart[];
}

/** The keys of a resource description that each part of ResponseContent keeps. */
const PART_KEYS: Record<ResponsePart, string[]> = {
  MainDicomTags: ["MainDicomTags", "PatientMainDicomTags"],
  Metadata: [],
  Children: ["Studies", "Series", "Instances"],
  Parent: ["ParentPatient", "ParentStudy", "ParentSeries"],
  Labels: ["Labels"],
  Status: ["Status"],
  IsStable: ["IsStable"],
  IsProtected: [],
  Attachments: [],
};

function selectParts(
  deps: RestDependencies,
  r: Resource,
  full: JsonObject,
  parts: ResponsePart[],
): JsonObject {
  const resources = deps.core.resources;
  const out: JsonObject = { ID: full.ID!, Type: full.Type! };
  for (const part of parts) {
    for (const key of PART_KEYS[part]) if (key in full) out[key] = full[key]!;
    if (part === "Metadata") {
      const metadata: JsonObject = {};
      for (const [type, value] of resources.metadata(r.internalId)) {
        metadata[METADATA_NAMES[type] ?? String(type)] = value;
      }
      out.Metadata = metadata;
    }
    if (part === "IsProtected" && r.level === "Patient") {
      out.IsProtected = resources.isProtected(r.internalId);
    }
    if (part === "Attachments") {
      out.Attachments = resources.attachments(r.internalId).map((a) => ({
        ContentType: a.contentType,
        Name: CONTENT_TYPE_NAMES[a.contentType] ?? String(a.contentType),
        Uuid: a.uuid,
        UncompressedSize: a.uncompressedSize,
        CompressedSize: a.compressedSize,
        UncompressedMD5: a.uncompressedMd5,
        CompressedMD5: a.compressedMd5,
      }));
    }
  }
  return out;
}

export async function describe(
  deps: RestDependencies,
  r: Resource,
  rendering: Rendering,
): Promise<JsonObject> {
  const full = resourceJson(deps, r, rendering.format);
  const out = rendering.parts ? selectParts(deps, r, full, rendering.parts) : full;
  if (rendering.requested) {
    out.RequestedTags = await requestedTags(deps, r, rendering.requested, rendering.format);
  }
  return out;
}

/** ?full, ?short and ?requested-tags= of GET routes (names are the default format). */
export function renderingOf(c: Context<AppEnv>): Rendering {
  const format: TagsFormat = c.req.query("full") !== undefined
    ? "full"
    : c.req.query("short") !== undefined
    ? "short"
    : "simplify";
  return {
    format,
    requested: requestedTagsArgument(c.req.query("requested-tags") ?? c.req.query("requestedTags")),
  };
}
