// /patients/{id}/protected: a protected patient is never recycled.
import { Hono } from "hono";
import { OrthancError } from "../server/errors.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { textResponse } from "./json.ts";
import { route } from "./router.ts";
import { idParam } from "./params.ts";

function parseBoolean(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === "1" || t === "true") return true;
  if (t === "0" || t === "false") return false;
  throw new OrthancError("BadFileFormat", "Boolean value expected");
}

export function protectionRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { core } = deps;
  route(app, "/patients/:id/protected", {
    GET: (c) => {
      const patient = core.resource(idParam(c), "Patient");
      return textResponse(core.protection.isProtected(patient) ? "1" : "0");
    },
    PUT: async (c) => {
      const patient = core.resource(idParam(c), "Patient");
      const value = parseBoolean(await c.req.text());
      core.protection.set(patient, value);
      return textResponse("");
    },
  });
  return app;
}
