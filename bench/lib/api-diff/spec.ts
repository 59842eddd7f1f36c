// The operations of Orthanc's OpenAPI contract, and which of them Orthanc 1.10.1 itself serves.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface Operation {
  method: Method;
  /** Path template as the contract writes it, e.g. "/instances/{id}/frames/{frame}". */
  path: string;
}

export const operationKey = (op: Operation): string => `${op.method} ${op.path}`;

const METHODS: readonly Method[] = ["GET", "POST", "PUT", "DELETE"];

function pathsOf(document: unknown): Record<string, Record<string, unknown>> {
  if (typeof document !== "object" || document === null || !("paths" in document)) {
    throw new Error("not an OpenAPI document: no paths");
  }
  return document.paths as Record<string, Record<string, unknown>>;
}

/** Every operation of the document, in its order (paths, then methods as listed). */
export function loadOperations(specPath: string): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(pathsOf(JSON.parse(readFileSync(specPath, "utf8"))))) {
    for (const method of Object.keys(item)) {
      const upper = method.toUpperCase() as Method;
      if (METHODS.includes(upper)) out.push({ method: upper, path });
    }
  }
  return out;
}

// Orthanc 1.10.1 documents its trailing wildcard "/instances/{id}/content/{...}" without the
// wildcard; the 1.12 contract names it {path}. Same route, two spellings.
const ALIASES: Record<string, string> = {
  "GET /instances/{id}/content": "GET /instances/{id}/content/{path}",
};

/**
 * The routes the Orthanc binary serves, from its own `--openapi` dump. Routes whose
 * documentation needs a network example are left out of that file and only named in the log
 * ("Ignoring URI without API documentation"), so both are read. Takes ~10 s offline.
 */
export async function orthancRoutes(bin: string): Promise<Set<string>> {
  const dir = mkdtempSync(join(tmpdir(), "api-diff-openapi-"));
  try {
    const file = join(dir, "openapi.json");
    const proc = Bun.spawn([bin, `--openapi=${file}`], { stdout: "pipe", stderr: "pipe" });
    const [out, err] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    if ((await proc.exited) !== 0) throw new Error(`${bin} --openapi failed\n${err.slice(-2000)}`);
    const routes = new Set<string>();
    for (const [path, item] of Object.entries(pathsOf(JSON.parse(readFileSync(file, "utf8"))))) {
      for (const method of Object.keys(item)) routes.add(`${method.toUpperCase()} ${path}`);
    }
    for (const m of `${out}\n${err}`.matchAll(/without API documentation: (\w+) (\S+)/g)) {
      routes.add(`${m[1]} ${m[2]}`);
    }
    for (const [old, now] of Object.entries(ALIASES)) if (routes.has(old)) routes.add(now);
    return routes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
