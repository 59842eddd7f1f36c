// The request path as Orthanc's HTTP server sees it. CivetWeb collapses repeated slashes before
// Orthanc splits the path into its components, which drops a trailing slash: `//studies//x/`
// routes as `/studies/x`, while error answers show the path with its trailing slash.
import { getPath } from "hono/utils/url";

function collapseSlashes(path: string): string {
  return path.replace(/\/{2,}/g, "/");
}

/** The decoded path, repeated slashes collapsed: the "Uri" of Orthanc's error answers. */
export function requestUri(request: Request): string {
  return collapseSlashes(getPath(request));
}

/** The path the routes are matched against (Hono's getPath): no trailing slash. */
export function routingPath(request: Request): string {
  const uri = requestUri(request);
  return uri.length > 1 && uri.endsWith("/") ? uri.slice(0, -1) : uri;
}
