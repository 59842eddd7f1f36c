// Routes declared per path with one handler per method, so that a known path with an unknown
// method answers 405 with an Allow header, as Orthanc does.
import type { Context, Hono } from "hono";
import type { AppEnv } from "./context.ts";

export type Handler = (c: Context<AppEnv>) => Response | Promise<Response>;
export type Methods = Partial<Record<"GET" | "POST" | "PUT" | "DELETE", Handler>>;

// Orthanc lists allowed methods in this order.
const ORDER = ["GET", "POST", "PUT", "DELETE"] as const;

export function route(app: Hono<AppEnv>, path: string, methods: Methods): void {
  const allow = ORDER.filter((m) => methods[m]).join(",");
  app.all(path, (c) => {
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    const handler = methods[method as keyof Methods];
    if (!handler) return new Response(null, { status: 405, headers: { Allow: allow } });
    return handler(c);
  });
}
