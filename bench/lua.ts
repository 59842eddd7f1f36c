// Lua scripting's cost, beside Orthanc 1.10.1 in the same run: ingest without any script and with
// a no-op OnStoredInstance (each stored instance then crosses into the Lua context), as rates
// and as the server's CPU time per instance (which a shared host's load hardly moves, unlike the
// rates), and POST /tools/execute-script round trips per second from one client.
//
//   bun bench/lua.ts [--count 1000] [--concurrency 4] [--runs 3] [--seconds 3]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateCorpus } from "./dicom-corpus.ts";
import { positiveInt } from "./lib/args.ts";
import { ingestOnFreshServer, type IngestRun, summarizeIngest } from "./lib/fresh-ingest.ts";
import { killIfRunning, spawnServer, stopServer, waitUntilReady } from "./lib/process.ts";
import {
  defaultPharosCommand,
  orthanc,
  pharos,
  type ServerUnderTest,
  versionLine,
} from "./lib/servers.ts";
import { formatNumber } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "4" },
    runs: { type: "string", default: "3" },
    seconds: { type: "string", default: "3" },
  },
});
const count = positiveInt(values.count, "count");
const concurrency = positiveInt(values.concurrency, "concurrency");
const runs = positiveInt(values.runs, "runs");
const seconds = positiveInt(values.seconds, "seconds");

const scripts = mkdtempSync(join(tmpdir(), "bench-lua-"));
const noop = join(scripts, "noop.lua");
writeFileSync(noop, "function OnStoredInstance(instanceId, tags, metadata, origin)\nend\n");

function servers(config: Record<string, unknown>): ServerUnderTest[] {
  const options = { keep: false, config, workDir: tmpdir() };
  return [orthanc(options), pharos(defaultPharosCommand(), options)];
}

/**
 * The median ingest rate of each server, their runs alternated: on a shared host the load drifts,
 * and runs taken one series after the other would measure the drift.
 */
async function ingest(servers: ServerUnderTest[]): Promise<{ rate: number; cpu: number }[]> {
  const done: IngestRun[][] = servers.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [s, server] of servers.entries()) {
      const corpus = generateCorpus({ count });
      done[s]!.push(await ingestOnFreshServer(server, corpus, concurrency));
    }
  }
  return servers.map((server, s) => {
    const series = summarizeIngest(done[s]!);
    if (series.problem) console.error(`${server.label}: ${series.problem}`);
    const cpu = done[s]!.map((r) => r.cpuPerInstance ?? NaN).sort((a, b) => a - b);
    return {
      rate: series.median.result.instancesPerSecond,
      cpu: cpu[Math.floor((cpu.length - 1) / 2)]!,
    };
  });
}

async function roundTrips(server: ServerUnderTest): Promise<number> {
  const target = server.launch();
  const proc = spawnServer(target.command, target.logPath);
  try {
    await waitUntilReady(proc, target.url, {});
    const end = performance.now() + seconds * 1000;
    let done = 0;
    while (performance.now() < end) {
      const response = await fetch(`${target.url}/tools/execute-script`, {
        method: "POST",
        body: "print(1)",
      });
      if ((await response.text()) !== "1\n") throw new Error(`${server.label}: bad answer`);
      done++;
    }
    await stopServer(proc);
    return done / seconds;
  } finally {
    await killIfRunning(proc);
    target.cleanup?.();
  }
}

const plain = servers({});
const scripted = servers({ LuaScripts: [noop] });
const executing = servers({ ExecuteLuaEnabled: true });
console.log(`${count} instances, ${concurrency} clients, median of ${runs} runs`);
for (let i = 0; i < plain.length; i++) {
  const [bare, scriptedRun] = await ingest([plain[i]!, scripted[i]!]);
  const without = bare!.rate;
  const withScript = scriptedRun!.rate;
  const cpuMore = ((scriptedRun!.cpu - bare!.cpu) / bare!.cpu) * 100;
  const trips = await roundTrips(executing[i]!);
  const slower = ((without - withScript) / without) * 100;
  console.log(
    `${versionLine(plain[i]!)}: ingest ${formatNumber(without)}/s without script, ` +
      `${formatNumber(withScript)}/s with a no-op OnStoredInstance (${
        slower.toFixed(1)
      } % slower); CPU per instance ${(bare!.cpu * 1000).toFixed(2)} ms without, ` +
      `${(scriptedRun!.cpu * 1000).toFixed(2)} ms with (${cpuMore.toFixed(1)} % more); ` +
      `execute-script ${formatNumber(trips)} round trips/s`,
  );
}
rmSync(scripts, { recursive: true, force: true });
