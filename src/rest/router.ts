// Routes declared per path with one handler per method, so that a known path with an unknown
// method answers 405 with an Allow header, as Orthanc does. The methods Orthanc keeps for its
// WebDAV buckets (HEAD, OPTIONS, PROPFIND…) get its bare 404 on the REST routes.
import type { Context, Hono } from "hono";
import type { AppEnv } from "./context.ts";

export type Handler = (c: Context<AppEnv>) => Response | Promise<Response>;
export type Methods = Partial<Record<"GET" | "POST" | "PUT" | "DELETE", Handler>>;

// Orthanc lists allowed methods in this order.
const ORDER = ["GET", "POST", "PUT", "DELETE"] as const;

export function isRestMethod(method: string): method is keyof Methods {
  return (ORDER as readonly string[]).includes(method);
}

export function route(app: Hono<AppEnv>, path: string, methods: Methods): void {
  const allow = ORDER.filter((m) => methods[m]).join(",");
  app.all(path, (c) => {
    const method = c.req.method;
    if (!isRestMethod(method)) return new Response(null, { status: 404 });
    const handler = methods[method];
    if (!handler) return new Response(null, { status: 405, headers: { Allow: allow } });
    return handler(c);
  });
}
