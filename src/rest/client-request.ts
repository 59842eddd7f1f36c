// What Orthanc's HTTP server (CivetWeb, then Orthanc's HttpServer) does to a client's request
// before its REST API sees it: methods CivetWeb does not know refused with its text page, repeated
// slashes collapsed, the PUT/DELETE faking of clients that can only send GET and POST
// (X-HTTP-Method-Override on any request, `?_method=` on a GET), and a bare 400 for a known
// method Orthanc does not serve. The plugins' in-process calls do not come this way, as in
// Orthanc.
import type { Hono } from "hono";
import type { AppEnv } from "./context.ts";

const CIVETWEB_METHODS = new Set([
  "GET",
  "POST",
  "PUT",
  "DELETE",
  "HEAD",
  "OPTIONS",
  "CONNECT",
  "PATCH",
  "PROPFIND",
  "MKCOL",
  "PROPPATCH",
  "LOCK",
  "UNLOCK",
  "REPORT",
]);
const REST_METHODS = new Set(["GET", "POST", "PUT", "DELETE"]);
// Methods Orthanc hands to its WebDAV buckets (a bare 404 where there is none).
const WEBDAV_METHODS = new Set([
  "OPTIONS",
  "PROPFIND",
  "HEAD",
  "PROPPATCH",
  "LOCK",
  "UNLOCK",
  "MKCOL",
]);

function civetWebRefusal(): Response {
  return new Response("Error 400: Bad Request\nBad request", {
    status: 400,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

/** The faked method, "" when there is none, undefined when it is neither PUT nor DELETE. */
function fakedMethod(request: Request, url: URL): string | undefined {
  const header = request.headers.get("x-http-method-override");
  const faked = header !== null
    ? header
    : request.method === "GET"
    ? url.searchParams.get("_method") ?? ""
    : "";
  if (faked === "") return "";
  const upper = faked.toUpperCase();
  return upper === "PUT" || upper === "DELETE" ? upper : undefined;
}

export function serveClient(
  app: Hono<AppEnv>,
  request: Request,
  env: AppEnv["Bindings"],
): Response | Promise<Response> {
  if (!CIVETWEB_METHODS.has(request.method)) return civetWebRefusal();
  const url = new URL(request.url);
  const faked = fakedMethod(request, url);
  if (faked === undefined) return new Response(null, { status: 400 });
  if (faked === "" && !REST_METHODS.has(request.method) && !WEBDAV_METHODS.has(request.method)) {
    return new Response(null, { status: 400 });
  }
  const path = url.pathname.replace(/\/{2,}/g, "/");
  if (faked === "" && path === url.pathname) return app.fetch(request, env);
  url.pathname = path;
  const method = faked || request.method;
  const withBody = method === "POST" || method === "PUT";
  return app.fetch(
    new Request(url, {
      method,
      headers: request.headers,
      body: withBody ? request.body : null,
    }),
    env,
  );
}
