// Ingest on a freshly started server with an empty folder. Runs are repeated
// and the median kept: a single 2-second pass on this machine can swing by a
// factor of two between runs.
import type { Corpus } from "../dicom-corpus.ts";
import { type IngestResult, runIngest } from "../ingest.ts";
import {
  assertNothingListening,
  cpuSeconds,
  killIfRunning,
  residentBytes,
  spawnServer,
  stopServer,
  tail,
  waitUntilReady,
} from "./process.ts";
import type { ServerUnderTest } from "./servers.ts";

export interface IngestRun {
  result: IngestResult;
  /** Undefined when the server did not survive the ingest. */
  rssAfterBytes?: number;
  /** The server's CPU seconds (all threads) from ready to the ingest's end, per instance. */
  cpuPerInstance?: number;
  /** CountInstances from /statistics after the ingest, to catch "Success" without storage. */
  storedInstances?: number;
  /** A crash, lost instances or a failed shutdown, kept apart so the upload figures still show. */
  problem?: string;
}

export interface IngestSeries {
  /** The run with the median throughput; its latencies and RSS are reported as they are. */
  median: IngestRun;
  runs: IngestRun[];
  /** Failed uploads over all runs. */
  failures: number;
  /** First problem of any run. */
  problem?: string;
}

export function summarizeIngest(runs: IngestRun[]): IngestSeries {
  const byThroughput = [...runs].sort(
    (a, b) => a.result.instancesPerSecond - b.result.instancesPerSecond,
  );
  return {
    median: byThroughput[Math.floor((byThroughput.length - 1) / 2)]!,
    runs,
    failures: runs.reduce((sum, r) => sum + r.result.failures, 0),
    problem: runs.find((r) => r.problem)?.problem,
  };
}

export async function ingestOnFreshServer(
  server: ServerUnderTest,
  corpus: Corpus,
  concurrency: number,
): Promise<IngestRun> {
  const target = server.launch();
  try {
    await assertNothingListening(target.url);
    const proc = spawnServer(target.command, target.logPath);
    try {
      await waitUntilReady(proc, target.url, {});
      const cpuBefore = cpuSeconds(proc.proc.pid);
      const result = await runIngest({ url: target.url, instances: corpus.instances, concurrency });
      if (proc.proc.exitCode !== null || proc.proc.signalCode !== null) {
        const how = proc.proc.exitCode ?? proc.proc.signalCode;
        return { result, problem: `server exited (${how}) during ingest\n${tail(target.logPath)}` };
      }
      // Read straight after the last answer: what the server holds on to once the load is over.
      const rssAfterBytes = residentBytes(proc.proc.pid);
      const storedInstances = await countInstances(target.url);
      const cpuPerInstance = (cpuSeconds(proc.proc.pid) - cpuBefore) / corpus.instances.length;
      const problem = storedInstances === corpus.instances.length
        ? undefined
        : `/statistics counts ${storedInstances} instances after uploading ${corpus.instances.length}`;
      try {
        await stopServer(proc);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { result, rssAfterBytes, cpuPerInstance, storedInstances, problem: message };
      }
      return { result, rssAfterBytes, cpuPerInstance, storedInstances, problem };
    } finally {
      await killIfRunning(proc);
    }
  } finally {
    target.cleanup?.();
  }
}

async function countInstances(url: string): Promise<number | undefined> {
  try {
    const statistics: unknown = await (await fetch(`${url}/statistics`)).json();
    const count = typeof statistics === "object" && statistics !== null &&
        "CountInstances" in statistics
      ? statistics.CountInstances
      : undefined;
    return typeof count === "number" ? count : undefined;
  } catch {
    return undefined;
  }
}
