// A resource as answers show it: its description in the asked format, plus RequestedTags.
import type { Context } from "hono";
import type { Tag } from "../dicom/tag.ts";
import type { JsonObject, TagsFormat } from "../dicom/tags-json.ts";
import type { Resource } from "../index/database.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { requestedTags, requestedTagsArgument } from "./requested-tags.ts";
import { resourceJson } from "./resource-json.ts";

export interface Rendering {
  format: TagsFormat;
  requested?: Tag[];
}

export async function describe(
  deps: RestDependencies,
  r: Resource,
  rendering: Rendering,
): Promise<JsonObject> {
  const out = resourceJson(deps, r, rendering.format);
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
