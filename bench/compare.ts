// Side-by-side benchmark of real Orthanc and Pharos in one run: start-up,
// idle memory, then ingest of a generated corpus on a fresh storage folder.
//
//   bun bench/compare.ts [--pharos "<command>"] [--count 1000] [--concurrency 4] [--runs 5]
//     [--ingest-runs 3] [--workdir DIR] [--only orthanc|pharos] [--keep] [--no-fsync]
import { cpus, tmpdir } from "node:os";
import { parseArgs } from "node:util";
import { type Corpus, generateCorpus } from "./dicom-corpus.ts";
import { printIngest } from "./ingest.ts";
import { positiveInt } from "./lib/args.ts";
import { ingestOnFreshServer, type IngestRun, summarizeIngest } from "./lib/fresh-ingest.ts";
import {
  defaultPharosCommand,
  orthanc,
  pharos,
  type ServerUnderTest,
  versionLine,
} from "./lib/servers.ts";
import { formatNumber } from "./lib/stats.ts";
import {
  describeStartupRun,
  MIB,
  type StartupRun,
  startupRun,
  summarizeStartup,
} from "./startup.ts";

interface Plan {
  corpus: Corpus;
  concurrency: number;
  startupRuns: number;
  ingestRuns: number;
}

/** A server under test and what has been measured of it so far. */
interface Contender {
  server: ServerUnderTest;
  /** Column header: the server's own `--version` line. */
  label: string;
  startup: StartupRun[];
  ingest: IngestRun[];
  /** Set at the first failed run; the server then sits out the remaining runs. */
  error?: string;
}

/**
 * Runs one measurement per server per round, alternating servers, so that a
 * slow spell of the machine (it is a shared VM) hits both rather than one.
 */
async function rounds(
  contenders: readonly Contender[],
  count: number,
  what: string,
  measure: (contender: Contender) => Promise<void>,
): Promise<void> {
  for (let round = 1; round <= count; round++) {
    for (const contender of contenders) {
      if (contender.error) continue;
      try {
        await measure(contender);
      } catch (error) {
        contender.error = `${what} run ${round}: ${messageOf(error)}`;
        console.error(`${contender.server.label} failed, ${contender.error}`);
      }
    }
  }
}

async function benchmark(contenders: readonly Contender[], plan: Plan): Promise<void> {
  console.error(`\n## start-up, ${plan.startupRuns} runs each`);
  await rounds(contenders, plan.startupRuns, "start-up", async (c) => {
    const run = await startupRun(c.server.launch());
    c.startup.push(run);
    console.error(`${c.server.label}: ${describeStartupRun(run)}`);
  });
  const count = plan.corpus.instances.length;
  console.error(
    `\n## ingest of ${count} instances, ${plan.concurrency} clients, ${plan.ingestRuns} runs each`,
  );
  await rounds(contenders, plan.ingestRuns, "ingest", async (c) => {
    const run = await ingestOnFreshServer(c.server, plan.corpus, plan.concurrency);
    c.ingest.push(run);
    printIngest(run.result, (line) => console.error(`${c.server.label}: ${line}`));
    if (run.cpuPerInstance !== undefined) {
      console.error(
        `${c.server.label}: server CPU ${fmt(run.cpuPerInstance * 1000, 2)} ms/instance`,
      );
    }
    if (run.problem) console.error(run.problem);
  });
}

function table(contenders: readonly Contender[], plan: Plan): string {
  const startup = (
    c: Contender,
  ) => (c.startup.length > 0 ? summarizeStartup(c.startup) : undefined);
  const ingest = (c: Contender) => (c.ingest.length > 0 ? summarizeIngest(c.ingest) : undefined);
  const rows: [string, (c: Contender) => string][] = [
    [`startup, median of ${plan.startupRuns} (ms)`, (c) => fmt(startup(c)?.readyMs, 0)],
    ["idle RSS (MiB)", (c) => fmt(mib(startup(c)?.idleRssBytes))],
    ["shutdown after SIGTERM (ms)", (c) => fmt(startup(c)?.shutdownMs, 0)],
    [
      `ingest, median of ${plan.ingestRuns} (instances/s)`,
      (c) => fmt(ingest(c)?.median.result.instancesPerSecond),
    ],
    ["ingest (MB/s)", (c) => fmt(ingest(c)?.median.result.megabytesPerSecond)],
    ["server CPU per instance, median (ms)", (c) => fmt(medianCpuMs(c.ingest), 2)],
    ["request latency p50 (ms)", (c) => fmt(ingest(c)?.median.result.p50Ms)],
    ["request latency p99 (ms)", (c) => fmt(ingest(c)?.median.result.p99Ms)],
    ["RSS after ingest (MiB)", (c) => fmt(mib(ingest(c)?.median.rssAfterBytes))],
    ["failed uploads, all runs", (c) => String(ingest(c)?.failures ?? "—")],
    ["instances in /statistics", (c) => String(ingest(c)?.median.storedInstances ?? "—")],
  ];
  const header = ["", ...contenders.map((c) => c.label)];
  const lines = [
    header,
    header.map((_, i) => (i === 0 ? "---" : "---:")),
    ...rows.map(([name, cell]) => [name, ...contenders.map(cell)]),
  ];
  return lines.map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** Prints what went wrong under the table; true if anything did. */
function printFailures(contenders: readonly Contender[]): boolean {
  let failed = false;
  for (const c of contenders) {
    const problem = c.error ?? c.ingest.find((run) => run.problem)?.problem;
    const uploadFailures = c.ingest.flatMap((run) => run.result.failureSummary);
    if (!problem && uploadFailures.length === 0) continue;
    failed = true;
    console.log(`\n${c.label}: ${problem ?? "some uploads failed"}`);
    for (const { message, count } of uploadFailures.slice(0, 5)) {
      console.log(`  ${count}× ${message}`);
    }
  }
  return failed;
}

/** The server's CPU (all threads) per instance over the runs, in ms: steadier than throughput. */
function medianCpuMs(runs: readonly IngestRun[]): number | undefined {
  const cpu = runs.flatMap((r) => r.cpuPerInstance === undefined ? [] : [r.cpuPerInstance * 1000])
    .sort((a, b) => a - b);
  return cpu.length === 0 ? undefined : cpu[Math.floor((cpu.length - 1) / 2)];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function mib(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : bytes / MIB;
}

function fmt(value: number | undefined, digits = 1): string {
  return value === undefined ? "—" : formatNumber(value, digits);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      pharos: { type: "string" },
      count: { type: "string", default: "1000" },
      concurrency: { type: "string", default: "4" },
      runs: { type: "string", default: "5" },
      "ingest-runs": { type: "string", default: "3" },
      workdir: { type: "string", default: tmpdir() },
      only: { type: "string" },
      keep: { type: "boolean", default: false },
      "no-fsync": { type: "boolean", default: false },
    },
  });
  const count = positiveInt(values.count, "count");
  // Split on blanks only: paths with spaces are not supported in --pharos.
  const pharosCommand = values.pharos ? values.pharos.trim().split(/\s+/) : defaultPharosCommand();
  // Orthanc fsyncs every stored file by default (SyncStorageArea); this evens the field.
  const config = values["no-fsync"] ? { SyncStorageArea: false } : {};
  const launchOptions = { keep: values.keep, config, workDir: values.workdir };
  const servers = [orthanc(launchOptions), pharos(pharosCommand, launchOptions)].filter(
    (s) => !values.only || s.label.toLowerCase() === values.only.toLowerCase(),
  );
  if (servers.length === 0) {
    console.error(`--only must be "orthanc" or "pharos", got ${JSON.stringify(values.only)}`);
    process.exit(2);
  }

  const plan: Plan = {
    corpus: generateCorpus({ count }),
    concurrency: positiveInt(values.concurrency, "concurrency"),
    startupRuns: positiveInt(values.runs, "runs"),
    ingestRuns: positiveInt(values["ingest-runs"], "ingest-runs"),
  };
  const megabytes = formatNumber(plan.corpus.totalBytes / 1e6);
  console.error(`corpus: ${count} instances, ${megabytes} MB, from ${plan.corpus.source}`);
  console.error(`Pharos command: ${pharosCommand.join(" ")} <config.json>`);
  const contenders: Contender[] = servers.map((server) => ({
    server,
    label: versionLine(server),
    startup: [],
    ingest: [],
  }));
  await benchmark(contenders, plan);

  const instanceKb = formatNumber(plan.corpus.totalBytes / count / 1e3);
  const fsync = values["no-fsync"] ? "SyncStorageArea false" : "default storage sync";
  const today = new Date().toISOString().slice(0, 10);
  console.log(`\n${count} instances of ${instanceKb} kB, ${plan.concurrency} concurrent clients,`);
  console.log(
    `${cpus().length} CPUs, Bun ${Bun.version}, data in ${values.workdir}, ${fsync}, ${today}\n`,
  );
  console.log(table(contenders, plan));
  process.exit(printFailures(contenders) ? 1 : 0);
}
