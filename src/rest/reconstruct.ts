// The routes that go back to the stored files: /{level}/{id}/reconstruct and /tools/reconstruct
// (the index rebuilt from them, src/server/reconstruct.ts), /tools/invalidate-tags, and
// /instances/{id}/export (a file written where the server runs, only when
// RestApiWriteToFileSystemEnabled allows it, as Orthanc 1.12).
import { writeFile } from "node:fs/promises";
import { type Context, Hono } from "hono";
import { LEVEL_PATH, LEVELS } from "../dicom/levels.ts";
import { BareStatusError, OrthancError } from "../server/errors.ts";
import type { ReconstructOptions } from "../server/reconstruct.ts";
import { isJsonObject } from "./body.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { jsonResponse, textResponse } from "./json.ts";
import { idParam } from "./params.ts";
import { route } from "./router.ts";

/**
 * ReconstructFiles (Orthanc 1.11) and LimitToThisLevelMainDicomTags (1.12) in an optional JSON
 * body. Orthanc 1.10.1 reads no body here, so text that is not a JSON object is taken as no
 * option rather than refused.
 */
async function reconstructOptions(c: Context<AppEnv>): Promise<ReconstructOptions> {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    return {};
  }
  if (!isJsonObject(body)) return {};
  const option = (name: string) => {
    const value = body[name];
    if (value === undefined) return false;
    if (typeof value !== "boolean") {
      throw new OrthancError("BadFileFormat", `Boolean value expected in field: ${name}`);
    }
    return value;
  };
  return {
    files: option("ReconstructFiles"),
    thisLevelOnly: option("LimitToThisLevelMainDicomTags"),
  };
}

export function reconstructRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { reconstruction } = deps.core;
  for (const level of LEVELS) {
    route(app, `/${LEVEL_PATH[level]}/:id/reconstruct`, {
      POST: async (c) => {
        const resource = deps.core.resource(idParam(c), level);
        await reconstruction.resource(resource, await reconstructOptions(c));
        return textResponse("");
      },
    });
  }
  route(app, "/tools/reconstruct", {
    POST: async (c) => {
      // Per resource only: the whole index is always rebuilt from every file.
      const { files } = await reconstructOptions(c);
      await reconstruction.all({ files });
      return textResponse("");
    },
  });
  route(app, "/tools/invalidate-tags", {
    POST: async () => {
      await reconstruction.invalidateTags();
      return textResponse("");
    },
  });
  route(app, "/instances/:id/export", {
    POST: async (c) => {
      // Checked before anything else: a server that does not allow it says nothing more.
      if (!deps.config.RestApiWriteToFileSystemEnabled) throw new BareStatusError(403);
      const instance = deps.core.resource(idParam(c), "Instance");
      const target = await c.req.text();
      const bytes = await deps.core.dicomBytes(instance);
      try {
        await writeFile(target, bytes);
      } catch {
        throw new OrthancError("CannotWriteFile");
      }
      return jsonResponse({});
    },
  });
  return app;
}
