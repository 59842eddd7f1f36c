// What plugins cost: ingest with a no-op incoming-HTTP-request filter and with a no-op
// on-stored-instance callback against no plugin at all, and requests/s of a trivial plugin
// route against a built-in route; each plugin in-process and isolated in its worker
// (PluginsIsolation "Worker"), in one run.
//
//   bun bench/plugins.ts [--count 500] [--concurrency 4] [--runs 3] [--requests 5000]
//                        [--work-dir /dev/shm] [-- <pharos command…>]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateCorpus } from "./dicom-corpus.ts";
import { positiveInt } from "./lib/args.ts";
import { ingestOnFreshServer, type IngestRun, summarizeIngest } from "./lib/fresh-ingest.ts";
import {
  assertNothingListening,
  killIfRunning,
  spawnServer,
  stopServer,
  waitUntilReady,
} from "./lib/process.ts";
import { defaultPharosCommand, pharos } from "./lib/servers.ts";
import { formatNumber, median, percentile } from "./lib/stats.ts";

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: {
    count: { type: "string", default: "500" },
    concurrency: { type: "string", default: "4" },
    runs: { type: "string", default: "3" },
    requests: { type: "string", default: "5000" },
    "work-dir": { type: "string", default: tmpdir() },
  },
  allowPositionals: true,
});
const count = positiveInt(values.count, "count");
const concurrency = positiveInt(values.concurrency, "concurrency");
const runs = positiveInt(values.runs, "runs");
const requests = positiveInt(values.requests, "requests");
const workDir = values["work-dir"]!;
const command = positionals.length > 0 ? positionals : defaultPharosCommand();

// The plugins under measurement, written as a user would: plain files beside the config.
const pluginDir = mkdtempSync(join(tmpdir(), "bench-plugins-"));
const PLUGINS = {
  filter: `export default { name: "noop-filter", initialize(host) {
  host.onIncomingHttpRequest(() => true);
} };\n`,
  stored: `export default { name: "noop-stored", initialize(host) {
  host.onStoredInstance(() => {});
} };\n`,
  route: `export default { name: "ping", initialize(host) {
  host.rest.register("/bench/ping", () => new Response("pong"));
} };\n`,
};
for (const [name, text] of Object.entries(PLUGINS)) {
  writeFileSync(join(pluginDir, `${name}.mjs`), text);
}
const plugin = (name: keyof typeof PLUGINS) => join(pluginDir, `${name}.mjs`);

/**
 * Ingest for each configuration, interleaved run by run and in reverse order every other round
 * (A B C D, D C B A, …), so that neither a neighbour's load on this small machine nor the disk
 * slowing down as the run goes on lands on one configuration only.
 */
interface Setup {
  label: string;
  plugins: string[];
  /** The plugins (by file name) run in a worker. */
  isolated?: (keyof typeof PLUGINS)[];
}

function isolation(setup: Setup): Record<string, string> {
  return Object.fromEntries((setup.isolated ?? []).map((name) => [name, "Worker"]));
}

async function ingestAll(configs: Setup[]): Promise<number[]> {
  const corpus = generateCorpus({ count });
  const results = configs.map(() => [] as IngestRun[]);
  for (let i = 0; i < runs; i++) {
    const order = [...configs.entries()];
    if (i % 2 === 1) order.reverse();
    for (const [k, c] of order) {
      const server = pharos(command, {
        keep: false,
        config: { Plugins: c.plugins, PluginsIsolation: isolation(c) },
        workDir,
      });
      const run = await ingestOnFreshServer(server, corpus, concurrency);
      if (run.problem) throw new Error(`${c.label}: ${run.problem}`);
      results[k]!.push(run);
    }
  }
  return configs.map((c, k) => {
    const series = summarizeIngest(results[k]!);
    const r = series.median.result;
    console.log(
      `${c.label.padEnd(34)} ${formatNumber(r.instancesPerSecond).padStart(8)} inst/s  p50 ${
        formatNumber(r.p50Ms, 2)
      } ms  p99 ${formatNumber(r.p99Ms, 2)} ms  (runs: ${
        series.runs.map((x) => formatNumber(x.result.instancesPerSecond)).join(", ")
      })`,
    );
    return r.instancesPerSecond;
  });
}

/** Requests/s of GET `path` from `concurrency` keep-alive clients, with latency percentiles. */
async function hammer(
  url: string,
  path: string,
): Promise<{ rps: number; p50: number; p99: number }> {
  let next = 0;
  const latencies: number[] = [];
  const worker = async () => {
    while (next++ < requests) {
      const t = performance.now();
      const res = await fetch(`${url}${path}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
      latencies.push(performance.now() - t);
    }
  };
  // Warm-up, then the measured pass.
  for (let i = 0; i < 200; i++) await (await fetch(`${url}${path}`)).arrayBuffer();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - started;
  return {
    rps: requests / (ms / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function routes(setup: Setup, paths: string[]): Promise<void> {
  const { label, plugins } = setup;
  const target = pharos(command, {
    keep: false,
    config: { Plugins: plugins, PluginsIsolation: isolation(setup) },
    workDir,
  }).launch();
  try {
    await assertNothingListening(target.url);
    const proc = spawnServer(target.command, target.logPath);
    try {
      await waitUntilReady(proc, target.url, {});
      for (const path of paths) {
        const rps: number[] = [];
        let last = { rps: 0, p50: 0, p99: 0 };
        for (let i = 0; i < runs; i++) {
          last = await hammer(target.url, path);
          rps.push(last.rps);
        }
        console.log(
          `${`${label}: GET ${path}`.padEnd(44)} ${
            formatNumber(median(rps), 0).padStart(7)
          } req/s` +
            `  p50 ${formatNumber(last.p50, 3)} ms  p99 ${formatNumber(last.p99, 3)} ms`,
        );
      }
      await stopServer(proc);
    } finally {
      await killIfRunning(proc);
    }
  } finally {
    target.cleanup?.();
  }
}

try {
  console.log(
    `Pharos: ${
      command.join(" ")
    }\ningest: ${count} instances, ${concurrency} clients, median of ${runs}`,
  );
  const setups: Setup[] = [
    { label: "no plugin", plugins: [] },
    { label: "no-op incoming-request filter", plugins: [plugin("filter")] },
    { label: "no-op on-stored callback", plugins: [plugin("stored")] },
    { label: "both", plugins: [plugin("filter"), plugin("stored")] },
    { label: "filter, isolated", plugins: [plugin("filter")], isolated: ["filter"] },
    { label: "on-stored, isolated", plugins: [plugin("stored")], isolated: ["stored"] },
  ];
  const [base, ...others] = await ingestAll(setups) as [number, ...number[]];
  const delta = (x: number) => `${formatNumber(((x - base) / base) * 100)} %`;
  console.log(
    `overhead vs no plugin: ${
      others.map((x, i) => `${setups[i + 1]!.label} ${delta(x)}`).join(", ")
    }`,
  );
  console.log(`\nrequests: ${requests} per pass, ${concurrency} clients, median of ${runs}`);
  await routes({ label: "no plugin", plugins: [] }, ["/tools/now"]);
  await routes({ label: "ping plugin", plugins: [plugin("route")] }, ["/tools/now", "/bench/ping"]);
  await routes(
    { label: "ping plugin, isolated", plugins: [plugin("route")], isolated: ["route"] },
    ["/bench/ping"],
  );
} finally {
  rmSync(pluginDir, { recursive: true, force: true });
}
