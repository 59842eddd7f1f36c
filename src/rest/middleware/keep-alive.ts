// KeepAlive: false closes the connection after every answer, as Orthanc's HTTP server does when
// keep-alive is disabled (clients behind some proxies need it).
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";

export function closeConnections(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    // A copy: some answers (files, plugin responses) come with headers that cannot be changed.
    const closing = new Response(c.res.body, c.res);
    closing.headers.set("Connection", "close");
    c.res = closing;
  };
}
