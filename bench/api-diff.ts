// How many REST operations of Orthanc's API contract answer the same in Pharos as in Orthanc
// 1.10.1, measured on both servers in one run, on the same data and configuration.
//
//   bun bench/api-diff.ts [--pharos "<command>"] [--out report.json] [--keep]
//
// Counting rules (also printed with the results):
// - Every operation (method + path) of /work/shared/reference/orthanc-openapi-1.12.11.json is
//   listed once, GET apart from POST/PUT/DELETE.
// - "newer": Orthanc 1.10.1 does not serve the route (its own `--openapi` dump, documented or
//   not, says which routes it has). Still sent to both servers, for the record, but counted
//   apart: there is no 1.10.1 answer to agree with.
// - "unsafe": POST /tools/shutdown and POST /tools/reset are never sent (requests.ts, UNSAFE).
// - Every other operation gets one request, the same on both servers up to the ids each server
//   invents (jobs, queries), and is "same" when test/golden/compare.ts finds no difference
//   between the answers (status, content type, body keys and order, values after its
//   normalization), once volatile.ts has masked invented ids and clock readings. PNG and ZIP
//   answers are compared by their pixels and members; other binary answers by length and SHA-1.
//   When both answer 404, Pharos is asked the same path with a method the contract does not
//   define there (verdict.ts, probeMethod): 404 rather than 405 means Pharos lacks the route, and
//   the operation is "different" however alike the two 404s look.
// - Headline: "N of M the same" with M = operations compared (total − newer − unsafe).
//
// Order: set-up (uploads, a user metadata and attachment on each level, a finished archive job,
// a C-FIND query to the other server, a storage commitment), then every GET, then the mutating
// operations by phase (requests.ts, phaseOf), deletions of whole resources last. Each request
// goes to Orthanc, then the same to Pharos, before the next operation.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { GoldenEntry } from "../test/golden/replay.ts";
import { ScenarioSession } from "../test/golden/scenario.ts";
import { type Context, prepare, upload } from "./lib/api-diff/fixtures.ts";
import { portNames, type RunningServer, startPair, stopPair } from "./lib/api-diff/pair.ts";
import { markdown, tally } from "./lib/api-diff/report.ts";
import { buildRequest, phaseOf, UNSAFE } from "./lib/api-diff/requests.ts";
import {
  loadOperations,
  type Method,
  type Operation,
  operationKey,
  orthancRoutes,
} from "./lib/api-diff/spec.ts";
import { judge, needsRouteProbe, type Outcome, probeMethod } from "./lib/api-diff/verdict.ts";
import { maskEntry } from "./lib/api-diff/volatile.ts";
import { defaultPharosCommand, orthanc as orthancServer, versionLine } from "./lib/servers.ts";
import { pharos as pharosServer } from "./lib/servers.ts";

const SPEC = resolve(import.meta.dir, "../../shared/reference/orthanc-openapi-1.12.11.json");

const { values } = parseArgs({
  options: {
    pharos: { type: "string" },
    out: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const pharosCommand = values.pharos?.trim().split(/\s+/) ?? defaultPharosCommand();
const orthancBin = process.env.ORTHANC_BIN ?? "Orthanc";
const launchStub = { keep: false, config: {}, workDir: "/tmp" };

/** True when Pharos answers 404, not 405, to the path under a method it should not have. */
async function lacksRoute(url: string, path: string, defined: readonly Method[]): Promise<boolean> {
  const method = probeMethod(defined);
  if (!method) return false;
  const res = await fetch(url + path, { method, signal: AbortSignal.timeout(30_000) });
  await res.arrayBuffer();
  return res.status === 404;
}

/** Every resource id Orthanc holds after set-up: these stay as they are in the comparison. */
async function knownIds(server: RunningServer): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const level of ["patients", "studies", "series", "instances"]) {
    const list: unknown = await (await fetch(`${server.url}/${level}`)).json();
    if (Array.isArray(list)) { for (const id of list) if (typeof id === "string") ids.add(id); }
  }
  return ids;
}

async function send(
  op: Operation,
  ctx: Context,
  session: ScenarioSession,
  known: ReadonlySet<string>,
  display: string,
): Promise<GoldenEntry> {
  const entry = await session.request({ ...buildRequest(op, ctx), name: operationKey(op) });
  // The same request name and path on both sides, whatever ids each server invented.
  return maskEntry({ ...entry, path: display }, known, portNames(ctx.server));
}

const routesPromise = orthancRoutes(orthancBin);
const servers = await startPair(pharosCommand, values.keep);
const outcomes: Outcome[] = [];
let setupFailures: Record<string, string[]> = {};
try {
  const [o, p] = servers;
  const [uo, up] = [await upload(o), await upload(p)];
  const ctxO = await prepare(o, uo);
  const ctxP = await prepare(p, up);
  setupFailures = { Orthanc: ctxO.setupFailures, Pharos: ctxP.setupFailures };
  for (const [label, failures] of Object.entries(setupFailures)) {
    if (failures.length) console.error(`${label} set-up failures: ${failures.join("; ")}`);
  }
  const known = await knownIds(o);
  const sessionO = new ScenarioSession(o.url);
  const sessionP = new ScenarioSession(p.url);
  const routes = await routesPromise;
  const all = loadOperations(SPEC);
  const methodsOf = (path: string) => all.filter((op) => op.path === path).map((op) => op.method);
  const operations = all
    .map((op, index) => ({ op, index, phase: phaseOf(op) }))
    .sort((a, b) => a.phase - b.phase || a.index - b.index);
  for (const { op, phase } of operations) {
    const key = operationKey(op);
    if (UNSAFE[key]) {
      outcomes.push({
        operation: key,
        phase,
        verdict: "unsafe",
        note: UNSAFE[key],
        differences: [],
      });
      continue;
    }
    const display = buildRequest(op, ctxO).path;
    const orthanc = await send(op, ctxO, sessionO, known, display);
    const pharos = await send(op, ctxP, sessionP, known, display);
    if (!routes.has(key)) {
      outcomes.push({
        operation: key,
        phase,
        verdict: "newer",
        note: "not served by Orthanc 1.10.1",
        differences: [],
        orthanc,
        pharos,
      });
      continue;
    }
    const lacks = needsRouteProbe(orthanc, pharos) &&
      await lacksRoute(p.url, buildRequest(op, ctxP).path, methodsOf(op.path));
    outcomes.push({ operation: key, phase, ...judge(orthanc, pharos, lacks), orthanc, pharos });
    process.stderr.write(`${outcomes.at(-1)!.verdict.padEnd(9)} ${key}\n`);
  }
} finally {
  await stopPair(servers);
}

const heading = {
  orthanc: versionLine(orthancServer(launchStub)),
  pharos: `${versionLine(pharosServer(pharosCommand, launchStub))} (${pharosCommand.join(" ")})`,
};
console.log(markdown(outcomes, heading));
if (values.out) {
  const gets = outcomes.filter((o) => o.operation.startsWith("GET "));
  const mutating = outcomes.filter((o) => !o.operation.startsWith("GET "));
  writeFileSync(
    values.out,
    JSON.stringify(
      {
        ...heading,
        spec: SPEC,
        summary: { get: tally(gets), mutating: tally(mutating) },
        setupFailures,
        outcomes,
      },
      null,
      1,
    ),
  );
}
