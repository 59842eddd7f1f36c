// Ingest on PostgreSQL with 1, 2 and 3 Pharos nodes (one database, one storage folder), beside
// single-node Pharos on SQLite and Orthanc 1.10.1 with its PostgreSQL plugin (orthanc-postgresql),
// in one run, on one generated corpus and one PostgreSQL cluster started for the run.
//
//   bun bench/scale-out.ts [--count 1000] [--concurrency 4] [--runs 1] [--workdir DIR]
//
// Each node gets its share of the corpus and `concurrency` clients; instances/s is the whole
// corpus over the wall time of the slowest node's share.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freshDatabase } from "../test/support/postgresql.ts";
import { type Corpus, generateCorpus } from "./dicom-corpus.ts";
import { runIngest } from "./ingest.ts";
import { positiveInt } from "./lib/args.ts";
import {
  killIfRunning,
  type ServerProcess,
  spawnServer,
  stopServer,
  waitUntilReady,
} from "./lib/process.ts";
import { baseConfig, defaultPharosCommand } from "./lib/servers.ts";

const ORTHANC_POSTGRESQL = "/usr/share/orthanc/plugins/libOrthancPostgreSQLIndex.so";

type Kind = "pharos-sqlite" | "pharos-postgresql" | "orthanc-postgresql";

interface Setup {
  label: string;
  kind: Kind;
  nodes: number;
}

interface Measured {
  label: string;
  instancesPerSecond: number;
  failures: number;
  stored?: number;
}

/** A node's command and configuration: its own folder; the database and storage of its setup. */
function node(kind: Kind, dir: string, shared: string, uri: string) {
  const config = baseConfig(dir, "Bench");
  if (kind === "orthanc-postgresql") {
    config.Plugins = [ORTHANC_POSTGRESQL];
    config.PostgreSQL = { EnableIndex: true, EnableStorage: false, ConnectionUri: uri };
    return { command: [process.env.ORTHANC_BIN ?? "Orthanc"], config };
  }
  if (kind === "pharos-postgresql") {
    config.PostgreSQL = { EnableIndex: true, ConnectionUri: uri, Lock: false };
    config.StorageDirectory = shared;
  }
  return { command: defaultPharosCommand(), config };
}

async function measure(setup: Setup, corpus: Corpus, concurrency: number): Promise<Measured> {
  const uri = setup.kind === "pharos-sqlite" ? "" : freshDatabase();
  const root = mkdtempSync(join(workDir, "bench-scale-out-"));
  const shared = join(root, "shared-storage");
  mkdirSync(shared);
  const running: { server: ServerProcess; url: string }[] = [];
  try {
    for (let i = 0; i < setup.nodes; i++) {
      const dir = join(root, `node-${i}`);
      mkdirSync(dir);
      const { command, config } = node(setup.kind, dir, shared, uri);
      const configPath = join(dir, "config.json");
      writeFileSync(configPath, JSON.stringify(config, null, 2));
      const url = `http://127.0.0.1:${config.HttpPort}`;
      const server = spawnServer([...command, configPath], join(dir, "server.log"));
      running.push({ server, url });
      await waitUntilReady(server, url, {});
    }
    const shares = running.map((_, i) =>
      corpus.instances.filter((_, k) => k % running.length === i)
    );
    const started = performance.now();
    const results = await Promise.all(
      running.map((r, i) => runIngest({ url: r.url, instances: shares[i]!, concurrency })),
    );
    const wallSeconds = (performance.now() - started) / 1000;
    const statistics = await (await fetch(`${running[0]!.url}/statistics`)).json();
    for (const r of running) await stopServer(r.server);
    return {
      label: setup.label,
      instancesPerSecond: corpus.instances.length / wallSeconds,
      failures: results.reduce((sum, r) => sum + r.failures, 0),
      stored: statistics.CountInstances,
    };
  } finally {
    for (const r of running) await killIfRunning(r.server);
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "4" },
    runs: { type: "string", default: "1" },
    workdir: { type: "string", default: tmpdir() },
    keep: { type: "boolean", default: false },
  },
});
const count = positiveInt(values.count, "--count");
const concurrency = positiveInt(values.concurrency, "--concurrency");
const runs = positiveInt(values.runs, "--runs");
const workDir = values.workdir!;
const keep = values.keep!;

const setups: Setup[] = [
  { label: "Pharos, SQLite, 1 node", kind: "pharos-sqlite", nodes: 1 },
  { label: "Pharos, PostgreSQL, 1 node", kind: "pharos-postgresql", nodes: 1 },
  { label: "Pharos, PostgreSQL, 2 nodes", kind: "pharos-postgresql", nodes: 2 },
  { label: "Pharos, PostgreSQL, 3 nodes", kind: "pharos-postgresql", nodes: 3 },
  { label: "Orthanc 1.10.1 + PostgreSQL plugin, 1 node", kind: "orthanc-postgresql", nodes: 1 },
];

console.log(
  `Ingest of ${count} instances, ${concurrency} clients per node, median of ${runs}` +
    " run(s), on a PostgreSQL cluster started for the run",
);
const table: Measured[][] = setups.map(() => []);
for (let run = 0; run < runs; run++) {
  // Each run uses a fresh corpus (new UIDs), and the setups take turns within it.
  const corpus = generateCorpus({ count });
  for (const [i, setup] of setups.entries()) {
    table[i]!.push(await measure(setup, corpus, concurrency));
  }
}
console.log("| setup | instances/s | failures | stored |");
console.log("| --- | ---: | ---: | ---: |");
for (const measured of table) {
  const sorted = [...measured].sort((a, b) => a.instancesPerSecond - b.instancesPerSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  console.log(
    `| ${median.label} | ${median.instancesPerSecond.toFixed(0)} | ${median.failures} | ${
      median.stored ?? "?"
    } |`,
  );
}
