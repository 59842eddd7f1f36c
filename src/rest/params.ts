// Path parameters of the routes. Handlers are typed without their route's pattern, so hono gives
// a parameter as possibly absent; a route always binds its own, and "" (which no id, label or
// name matches) only stands for the case the types cannot exclude.
import type { Context } from "hono";
import type { AppEnv } from "./context.ts";

export function param(c: Context<AppEnv>, name: string): string {
  return c.req.param(name) ?? "";
}

/** The `:id` of /{level}/:id/…, /jobs/:id, /modalities/:id… */
export function idParam(c: Context<AppEnv>): string {
  return param(c, "id");
}
