// /patients/{id}/protected: a protected patient is never recycled.
import { Hono } from "hono";
import { parseBoolean } from "./body.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { textResponse } from "./json.ts";
import { route } from "./router.ts";
import { idParam } from "./params.ts";

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
