// POST /tools/execute-script: the body, whatever its content type, runs in the Lua context; the
// answer is what the script printed, as text/plain. Without ExecuteLuaEnabled, Orthanc 1.10.1's
// bare 403; a script's error is its error JSON (2031) with Lua's message in the details.
import { Hono } from "hono";
import { BareStatusError } from "../server/errors.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { route } from "./router.ts";

export function luaRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  route(app, "/tools/execute-script", {
    POST: async (c) => {
      if (!deps.config.ExecuteLuaEnabled || !deps.lua) throw new BareStatusError(403);
      const source = new Uint8Array(await c.req.arrayBuffer());
      const output = await deps.lua.execute(source);
      return new Response(output, { headers: { "content-type": "text/plain" } });
    },
  });
  return app;
}
