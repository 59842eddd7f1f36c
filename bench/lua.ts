// Lua scripting's cost, beside Orthanc 1.10.1 in the same run: ingest without any script and with
// a no-op OnStoredInstance (each stored instance then crosses into the Lua context), and
// POST /tools/execute-script round trips per second from one client.
//
//   bun bench/lua.ts [--count 1000] [--concurrency 4] [--runs 3] [--seconds 3]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateCorpus } from "./dicom-corpus.ts";
import { positiveInt } from "./lib/args.ts";
import { ingestOnFreshServer, summarizeIngest } from "./lib/fresh-ingest.ts";
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

async function ingest(server: ServerUnderTest): Promise<number> {
  const done = [];
  for (let i = 0; i < runs; i++) {
    const corpus = generateCorpus({ count });
    done.push(await ingestOnFreshServer(server, corpus, concurrency));
  }
  const series = summarizeIngest(done);
  if (series.problem) console.error(`${server.label}: ${series.problem}`);
  return series.median.result.instancesPerSecond;
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
  const without = await ingest(plain[i]!);
  const withScript = await ingest(scripted[i]!);
  const trips = await roundTrips(executing[i]!);
  const slower = ((without - withScript) / without) * 100;
  console.log(
    `${versionLine(plain[i]!)}: ingest ${formatNumber(without)}/s without script, ` +
      `${formatNumber(withScript)}/s with a no-op OnStoredInstance (${
        slower.toFixed(1)
      } % slower); ` +
      `execute-script ${formatNumber(trips)} round trips/s`,
  );
}
rmSync(scripts, { recursive: true, force: true });
