// /webdav and /webdav/*: Orthanc's built-in share (src/webdav/share.ts) behind its WebDAV
// protocol code. A request the protocol does not answer goes on to the next routes.
import { type Context, Hono, type Next } from "hono";
import { answerDav } from "../webdav/protocol.ts";
import { orthancShare } from "../webdav/share.ts";
import type { AppEnv, RestDependencies } from "./context.ts";

const ROOT = "/webdav";

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export function webDavRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  if (!deps.config.WebDavEnabled) return app;
  const share = orthancShare(deps);
  const handler = async (c: Context<AppEnv>, next: Next) => {
    const uri = decodedPath(c.req.path);
    const path = uri.split("/").filter((s) => s !== "").slice(1);
    const describe = deps.config.HttpDescribeErrors;
    const response = await answerDav(share, c.req.raw, uri, ROOT, path, describe);
    if (response) return response;
    await next();
    return c.res;
  };
  app.all(ROOT, handler);
  app.all(`${ROOT}/*`, handler);
  return app;
}
