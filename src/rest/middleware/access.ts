// Who may call the REST API: RemoteAccessAllowed (else loopback clients only) and, with
// AuthenticationEnabled, HTTP basic authentication against RegisteredUsers, unless a plugin's
// authorization callback trusts the request. Refusals are bare 403 and 401, as in Orthanc.
import type { MiddlewareHandler } from "hono";
import type { Configuration } from "../../config/schema.ts";
import type { AppEnv } from "../context.ts";
import { samePassword } from "./password.ts";

// A request with no client address (a plugin's internal call, app.fetch in-process) counts as
// local.
function isLoopback(address: string | undefined): boolean {
  if (!address) return true;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
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
  config: Configuration,
  trusted: ((request: Request) => boolean) | undefined,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!config.RemoteAccessAllowed && !isLoopback(c.env?.remoteAddress)) {
      return new Response(null, { status: 403 });
    }
    if (config.AuthenticationEnabled && !trusted?.(c.req.raw)) {
      const given = credentials(c.req.header("authorization"));
      if (!given || !isRegistered(config.RegisteredUsers, given)) {
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
