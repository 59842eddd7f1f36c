// The embedded web UI (issue 14): its files at /ui/app/, with ETags, and the redirections from
// / and Orthanc Explorer's page to it, as Orthanc sends its root to its explorer.
import { type Context, Hono } from "hono";
import type { AppEnv } from "../rest/context.ts";
import { route } from "../rest/router.ts";
import { requestUri } from "../rest/uri.ts";
import { buildClient } from "./bundle.ts";
import { embeddedFiles } from "./embedded.ts";
import type { WebFile } from "./files.ts";

interface Served extends WebFile {
  etag: string;
}

let served: Promise<Map<string, Served>> | undefined;

/** The UI's files with their ETags, built once per process (embedded in the executable). */
function files(): Promise<Map<string, Served>> {
  served ??= (async () => {
    const source = embeddedFiles ?? await buildClient();
    return new Map(
      Object.entries(source).map((
        [name, file],
      ) => [name, { ...file, etag: `"${Bun.hash(file.body).toString(36)}"` }]),
    );
  })();
  // A failed build is tried again by the next request rather than kept.
  served.catch(() => {
    served = undefined;
  });
  return served;
}

function redirect(location: string) {
  return () => new Response(null, { status: 301, headers: { Location: location } });
}

/** The page knows who is logged in, to offer a logout when the HTTP authentication is on. */
function page(file: Served, user: string | undefined): Served {
  if (!user) return file;
  const escaped = user.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const body = file.body.replace("<head>", `<head><meta name="pharos-user" content="${escaped}">`);
  return { ...file, body, etag: `"${Bun.hash(body).toString(36)}"` };
}

/** Compressed once per version of a page (one per logged-in user at most). */
const gzipped = new Map<string, Uint8Array>();

function gzip(file: Served): Uint8Array {
  const known = gzipped.get(file.etag);
  if (known) return known;
  const body = Bun.gzipSync(new TextEncoder().encode(file.body));
  if (gzipped.size >= 100) gzipped.clear();
  gzipped.set(file.etag, body);
  return body;
}

async function serve(c: Context<AppEnv>, name: string): Promise<Response> {
  const found = (await files()).get(name);
  if (!found) return new Response(null, { status: 404 });
  const file = name === "index.html" ? page(found, c.get("username")) : found;
  const headers: Record<string, string> = {
    ETag: file.etag,
    // The address does not change with the content: the browser asks again, and gets a 304.
    "Cache-Control": "no-cache",
    Vary: "Accept-Encoding",
  };
  if (c.req.header("If-None-Match") === file.etag) {
    return new Response(null, { status: 304, headers });
  }
  headers["Content-Type"] = file.type;
  if (/\bgzip\b/.test(c.req.header("Accept-Encoding") ?? "")) {
    return new Response(gzip(file), { headers: { ...headers, "Content-Encoding": "gzip" } });
  }
  return new Response(file.body, { headers });
}

/** With OrthancExplorerEnabled false, none of these paths exist (Orthanc then answers 404). */
export function webRoutes(enabled: boolean): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  if (!enabled) return app;
  route(app, "/", { GET: redirect("ui/app/") });
  route(app, "/app/explorer.html", { GET: redirect("../ui/app/") });
  // The router ignores a trailing slash; the page's relative links need it.
  route(app, "/ui/app", {
    GET: (c) => requestUri(c.req.raw).endsWith("/") ? serve(c, "index.html") : redirect("app/")(),
  });
  route(app, "/ui/app/:file", { GET: (c) => serve(c, c.req.param("file") ?? "") });
  return app;
}
