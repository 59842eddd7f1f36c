// Uploads a generated corpus with POST /instances from several concurrent
// keep-alive clients and reports throughput and latency.
//
//   bun bench/ingest.ts --url http://127.0.0.1:8042 [--count 1000] [--concurrency 4] [--auth user:pass]
import { parseArgs } from "node:util";
import { positiveInt } from "./lib/args.ts";
import { type CorpusInstance, generateCorpus } from "./dicom-corpus.ts";
import { basicAuth } from "./lib/process.ts";
import { formatNumber, percentile } from "./lib/stats.ts";

export interface IngestOptions {
  url: string;
  instances: readonly CorpusInstance[];
  concurrency: number;
  headers?: Record<string, string>;
}

export interface IngestResult {
  count: number;
  failures: number;
  /** Failure messages with how often each occurred, most frequent first. */
  failureSummary: { message: string; count: number }[];
  bytes: number;
  wallMs: number;
  instancesPerSecond: number;
  megabytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export async function runIngest(options: IngestOptions): Promise<IngestResult> {
  const { instances } = options;
  const headers = { "Content-Type": "application/dicom", ...options.headers };
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  let next = 0;

  // Each worker is one client: it waits for its answer before sending again,
  // and Bun's fetch reuses that client's connection between requests.
  const worker = async () => {
    while (next < instances.length) {
      const instance = instances[next++]!;
      const started = performance.now();
      const problem = await upload(options.url, instance, headers);
      latencies.push(performance.now() - started);
      if (problem) failures.set(problem, (failures.get(problem) ?? 0) + 1);
    }
  };

  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, instances.length) }, worker),
  );
  const wallMs = performance.now() - started;

  const bytes = instances.reduce((sum, i) => sum + i.bytes.length, 0);
  return {
    count: instances.length,
    failures: [...failures.values()].reduce((a, b) => a + b, 0),
    failureSummary: [...failures].map(([message, count]) => ({ message, count })).sort((a, b) =>
      b.count - a.count
    ),
    bytes,
    wallMs,
    instancesPerSecond: instances.length / (wallMs / 1000),
    megabytesPerSecond: bytes / 1e6 / (wallMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** Sends one instance; returns undefined on success, else what went wrong. */
async function upload(
  url: string,
  instance: CorpusInstance,
  headers: Record<string, string>,
): Promise<string | undefined> {
  let status = 0;
  let body = "";
  try {
    const res = await fetch(`${url}/instances`, { method: "POST", body: instance.bytes, headers });
    status = res.status;
    body = await res.text();
  } catch (error) {
    return `request failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (status !== 200) return `HTTP ${status}: ${body.slice(0, 200)}`;
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return `HTTP 200 with a body that is not JSON: ${body.slice(0, 200)}`;
  }
  const answerStatus = typeof answer === "object" && answer !== null && "Status" in answer
    ? answer.Status
    : undefined;
  return answerStatus === "Success"
    ? undefined
    : `HTTP 200 with Status ${JSON.stringify(answerStatus)}`;
}

export function printIngest(result: IngestResult, log: (line: string) => void = console.log): void {
  log(
    `${result.count} instances, ${formatNumber(result.bytes / 1e6)} MB in ${
      formatNumber(result.wallMs / 1000, 2)
    } s: ` +
      `${formatNumber(result.instancesPerSecond)} instances/s, ${
        formatNumber(result.megabytesPerSecond)
      } MB/s, ` +
      `latency p50 ${formatNumber(result.p50Ms)} ms, p99 ${formatNumber(result.p99Ms)} ms`,
  );
  if (result.failures > 0) {
    log(`${result.failures} of ${result.count} uploads failed:`);
    for (const { message, count } of result.failureSummary.slice(0, 5)) {
      log(`  ${count}× ${message}`);
    }
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      count: { type: "string", default: "1000" },
      concurrency: { type: "string", default: "4" },
      auth: { type: "string" },
      source: { type: "string" },
    },
  });
  if (!values.url) {
    console.error(
      "usage: bun bench/ingest.ts --url http://127.0.0.1:PORT [--count 1000] [--concurrency 4] [--auth user:pass]",
    );
    process.exit(2);
  }
  const corpus = generateCorpus({
    count: positiveInt(values.count, "count"),
    source: values.source,
  });
  const result = await runIngest({
    url: values.url.replace(/\/$/, ""),
    instances: corpus.instances,
    concurrency: positiveInt(values.concurrency, "concurrency"),
    headers: basicAuth(values.auth),
  });
  printIngest(result);
  process.exit(result.failures === 0 ? 0 : 1);
}
