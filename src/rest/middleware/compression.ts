// HttpCompressionEnabled: gzip for JSON answers of 1 KiB or more, when the client accepts it.
// Files, text and small answers go as they are (and keep their strong ETags).
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";

const THRESHOLD = 1024;

export function compressJson(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const accepts = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
    const type = c.res.headers.get("content-type") ?? "";
    const partial = c.res.status === 206;
    if (
      !accepts || partial || !type.startsWith("application/json") ||
      c.res.headers.has("content-encoding")
    ) return;
    const body = new Uint8Array(await c.res.arrayBuffer());
    const headers = new Headers(c.res.headers);
    if (body.length < THRESHOLD) {
      c.res = new Response(body, { status: c.res.status, headers });
      return;
    }
    headers.set("Content-Encoding", "gzip");
    headers.append("Vary", "Accept-Encoding");
    headers.delete("Content-Length");
    c.res = new Response(Bun.gzipSync(body), { status: c.res.status, headers });
  };
}
