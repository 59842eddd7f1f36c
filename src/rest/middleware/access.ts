// Who may call the REST API: RemoteAccessAllowed (else loopback clients only) and, with
// authentication enabled, HTTP basic authentication against the registered users, unless a
// plugin's token trusts the request (both as config/http-security.ts resolves them). Refusals are
// bare 403 and 401, as in Orthanc. A plugin's in-process call never went through Orthanc's HTTP
// server, so it skips both.
import type { MiddlewareHandler } from "hono";
import type { HttpSecurity } from "../../config/http-security.ts";
import type { AppEnv } from "../context.ts";
import { samePassword } from "./password.ts";

// A request whose client address is unknown is not known to be local, so it is not loopback.
function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

/** What the plugins tell about a request: in-process calls, and requests carrying a token. */
export interface RequestTrust {
  internal(request: Request): boolean;
  trusted(request: Request): boolean;
}

interface Credentials {
  user: string;
  password: string;
}

/** The credentials of a basic Authorization header; undefined when absent or malformed. */
function credentials(header: string | undefined): Credentials | undefined {
  if (!header?.startsWith("Basic ")) return undefined;
  let decoded: string;
  try {
    decoded = atob(header.slice(6).trim());
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  return colon < 0
    ? undefined
    : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function isRegistered(users: Record<string, string>, given: Credentials): boolean {
  // An unknown user costs a comparison too, so that the time does not tell which users exist.
  const known = Object.hasOwn(users, given.user);
  const matches = samePassword(given.password, known ? users[given.user]! : "");
  return known && matches;
}

export function accessControl(
  security: HttpSecurity,
  trust: RequestTrust | undefined,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (trust?.internal(c.req.raw)) return await next();
    if (!security.remoteAccessAllowed && !isLoopback(c.env?.remoteAddress)) {
      return new Response(null, { status: 403 });
    }
    if (security.authenticationEnabled && !trust?.trusted(c.req.raw)) {
      const given = credentials(c.req.header("authorization"));
      if (!given || !isRegistered(security.users, given)) {
        return new Response(null, {
          status: 401,
          headers: { "WWW-Authenticate": 'Basic realm="Orthanc Secure Area"' },
        });
      }
      c.set("username", given.user);
    }
    await next();
  };
}
