// Startup time, idle memory and shutdown time of a server, over several runs.
//
//   bun bench/startup.ts --url http://127.0.0.1:8042 [--runs 5] [--auth user:pass] -- <command...>
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { positiveInt } from "./lib/args.ts";
import {
  assertNothingListening,
  basicAuth,
  killIfRunning,
  type Launch,
  residentBytes,
  spawnServer,
  stopServer,
  waitUntilReady,
} from "./lib/process.ts";
import { formatNumber, median } from "./lib/stats.ts";

export interface StartupRun {
  readyMs: number;
  idleRssBytes: number;
  shutdownMs: number;
}

export interface StartupResult {
  runs: StartupRun[];
  readyMs: number;
  idleRssBytes: number;
  shutdownMs: number;
}

/** How long the server sits idle after answering /system before its memory is read. */
export const IDLE_SETTLE_MS = 2000;

export async function measureStartup(launch: () => Launch, runs = 5): Promise<StartupResult> {
  const results: StartupRun[] = [];
  for (let run = 0; run < runs; run++) results.push(await startupRun(launch()));
  return summarizeStartup(results);
}

/** One start-up measurement; the launch's folder is cleaned up whatever happens. */
export async function startupRun(target: Launch): Promise<StartupRun> {
  try {
    return await measureOnce(target);
  } finally {
    target.cleanup?.();
  }
}

export function summarizeStartup(runs: StartupRun[]): StartupResult {
  return {
    runs,
    readyMs: median(runs.map((r) => r.readyMs)),
    idleRssBytes: median(runs.map((r) => r.idleRssBytes)),
    shutdownMs: median(runs.map((r) => r.shutdownMs)),
  };
}

async function measureOnce(target: Launch): Promise<StartupRun> {
  await assertNothingListening(target.url);
  const server = spawnServer(target.command, target.logPath);
  try {
    const readyMs = await waitUntilReady(server, target.url, target.headers ?? {});
    // A deliberate pause, not a readiness wait: idle memory is read once
    // start-up work done in the background (caches, timers) has settled.
    await Bun.sleep(IDLE_SETTLE_MS);
    const idleRssBytes = residentBytes(server.proc.pid);
    const shutdownMs = await stopServer(server);
    return { readyMs, idleRssBytes, shutdownMs };
  } finally {
    await killIfRunning(server);
  }
}

export const MIB = 1024 * 1024;

/** One line per run, the same line compare.ts prints. */
export function describeStartupRun(run: StartupRun): string {
  const rss = formatNumber(run.idleRssBytes / MIB);
  return `ready ${formatNumber(run.readyMs)} ms, idle RSS ${rss} MiB, ` +
    `shutdown ${formatNumber(run.shutdownMs)} ms`;
}

function printStartup(result: StartupResult): void {
  result.runs.forEach((run, i) => console.log(`run ${i + 1}: ${describeStartupRun(run)}`));
  console.log(`median of ${result.runs.length}: ${describeStartupRun(result)}`);
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    options: {
      url: { type: "string" },
      runs: { type: "string", default: "5" },
      auth: { type: "string" },
    },
    allowPositionals: true,
  });
  if (!values.url || positionals.length === 0) {
    console.error(
      "usage: bun bench/startup.ts --url http://127.0.0.1:PORT [--runs 5] [--auth user:pass] -- <command...>",
    );
    process.exit(2);
  }
  const url = values.url.replace(/\/$/, "");
  // The command is the caller's, so its data folder is reused between runs;
  // only the log goes to a scratch folder.
  const scratch = mkdtempSync(join(tmpdir(), "pharos-startup-"));
  try {
    const result = await measureStartup(
      () => ({
        command: positionals,
        url,
        headers: basicAuth(values.auth),
        logPath: join(scratch, "server.log"),
      }),
      positiveInt(values.runs, "runs"),
    );
    printStartup(result);
  } catch (error) {
    // The message already carries the server's log tail; a stack trace would only bury it.
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
