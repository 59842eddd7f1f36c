// The import graph of src/: every relative import of every module, for the layering test and
// for `bun test/architecture/imports.ts` (prints the cycles and the forbidden edges).
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export const srcDir = resolve(import.meta.dir, "../../src");

/** Module path (relative to src/) → the modules it imports (type-only imports included). */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const glob = new Bun.Glob("**/*.ts");
  for (const file of glob.scanSync({ cwd: srcDir })) {
    const text = readFileSync(join(srcDir, file), "utf8");
    const targets = new Set<string>();
    for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/g)) {
      const target = relative(srcDir, resolve(dirname(join(srcDir, file)), m[1]!));
      if (target.endsWith(".ts")) targets.add(target);
    }
    for (const m of text.matchAll(/import\(\s*"(\.[^"]+\.ts)"\s*\)/g)) {
      targets.add(relative(srcDir, resolve(dirname(join(srcDir, file)), m[1]!)));
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** The strongly connected components of more than one module (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/**
 * The layering rules: a module under `from` may not import one under `to` (folders of src/).
 * Front ends reach the index only through src/server; src/server knows no front end; imaging
 * knows no plugin; the DICOM format knows nothing above it, and the editing engine only it;
 * the creating code only it, editing and imaging.
 */
export const FORBIDDEN: { from: string[]; to: string[]; except?: string[] }[] = [
  { from: ["rest", "dimse", "plugins", "webdav", "lua"], to: ["index"] },
  { from: ["imaging"], to: ["plugins"] },
  { from: ["server"], to: ["rest", "dimse", "plugins", "webdav", "lua", "web", "main.ts"] },
  // The web UI works over the REST API only: its server side takes no more than src/rest's routing.
  {
    from: ["web"],
    to: [
      "server",
      "index",
      "storage",
      "dicom",
      "dimse",
      "plugins",
      "webdav",
      "imaging",
      "editing",
      "lua",
      "main.ts",
    ],
  },
  // The index back-ends implement src/index/interface.ts over the server's domain model.
  {
    from: ["index"],
    to: ["server", "rest", "dimse", "plugins", "webdav", "imaging", "lua", "main.ts"],
    except: ["server/model.ts"],
  },
  {
    from: ["dicom", "storage"],
    to: [
      "server",
      "index",
      "rest",
      "dimse",
      "plugins",
      "webdav",
      "imaging",
      "editing",
      "creating",
      "lua",
      "main.ts",
    ],
  },
  // The editing engine stands on the DICOM format alone: bytes and a specification in, bytes out.
  {
    from: ["editing"],
    to: [
      "server",
      "index",
      "rest",
      "dimse",
      "plugins",
      "webdav",
      "imaging",
      "creating",
      "lua",
      "main.ts",
    ],
  },
  // Creating instances stands on the DICOM format, the editing engine's value encoders and the
  // image decoders: JSON and payloads in, bytes out.
  {
    from: ["creating"],
    to: ["server", "index", "rest", "dimse", "plugins", "webdav", "lua", "main.ts"],
  },
];

const top = (module: string) => module.split("/")[0]!;

export function forbiddenEdges(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const broken = FORBIDDEN.some((rule) =>
        rule.from.includes(top(from)) && rule.to.includes(top(to)) && !rule.except?.includes(to)
      );
      if (broken) out.push(`${from} → ${to}`);
    }
  }
  return out.sort();
}

if (import.meta.main) {
  const graph = importGraph();
  console.log("cycles:", JSON.stringify(cycles(graph), null, 1));
  console.log("forbidden:", forbiddenEdges(graph).join("\n"));
}
