// Boolean GET arguments as Orthanc reads them: "true" or "1", "false" or "0", and a bare or empty
// argument as true; anything else is a 400. Orthanc compares the argument as it came, undecoded,
// and the last occurrence wins.
import type { Context } from "hono";
import { OrthancError } from "../server/errors.ts";
import type { AppEnv } from "./context.ts";

export function booleanQuery(c: Context<AppEnv>, name: string, fallback: boolean): boolean {
  const search = new URL(c.req.url).search.slice(1);
  let value: string | undefined;
  for (const part of search ? search.split("&") : []) {
    const eq = part.indexOf("=");
    if ((eq < 0 ? part : part.slice(0, eq)) === name) value = eq < 0 ? "" : part.slice(eq + 1);
  }
  if (value === undefined) return fallback;
  if (value === "" || value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new OrthancError(
    "ParameterOutOfRange",
    `Expected a Boolean for GET argument "${name}", found: ${value}`,
  );
}
