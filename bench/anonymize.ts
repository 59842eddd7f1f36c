// Anonymization of one study of N instances (generated from one sample with new UIDs), on
// Orthanc 1.10.1 and Pharos started side by side on fresh folders: POST /studies/{id}/anonymize
// synchronously, then again as a job (Asynchronous, polled until it succeeds). Prints instances/s
// and the peak resident memory during each operation (sampled every 20 ms), with the ratio.
//
//   bun bench/anonymize.ts [--count 1000] [--runs 1] [--workdir DIR] [--pharos "<command>"] [--keep]
import { tmpdir } from "node:os";
import { parseArgs } from "node:util";
import { generateCorpus } from "./dicom-corpus.ts";
import { runIngest } from "./ingest.ts";
import { positiveInt } from "./lib/args.ts";
import {
  killIfRunning,
  residentBytes,
  type ServerProcess,
  spawnServer,
  stopServer,
  waitUntilReady,
} from "./lib/process.ts";
import { defaultPharosCommand, orthanc, pharos, versionLine } from "./lib/servers.ts";
import { formatNumber, median } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "1000" },
    runs: { type: "string", default: "1" },
    workdir: { type: "string", default: tmpdir() },
    pharos: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const count = positiveInt(values.count, "count");
const runs = positiveInt(values.runs, "runs");
const options = { keep: values.keep, config: {}, workDir: values.workdir };
const servers = [
  orthanc(options),
  pharos(values.pharos ? values.pharos.split(" ") : defaultPharosCommand(), options),
];

interface Measure {
  instancesPerSecond: number;
  peakRssBytes: number;
}

interface Running {
  label: string;
  url: string;
  proc: ServerProcess;
  study: string;
  cleanup?: () => void;
}

/** Runs `operation` while sampling the process's RSS; the elapsed seconds and the peak. */
async function measured(
  pid: number,
  operation: () => Promise<void>,
): Promise<{ seconds: number; peak: number }> {
  let peak = residentBytes(pid);
  const timer = setInterval(() => (peak = Math.max(peak, residentBytes(pid))), 20);
  const start = performance.now();
  try {
    await operation();
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds, peak: Math.max(peak, residentBytes(pid)) };
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: "POST", body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function instancesOf(url: string, path: string): Promise<number> {
  const res = await fetch(`${url}${path}/instances`);
  return ((await res.json()) as unknown[]).length;
}

async function anonymizeSync(server: Running): Promise<Measure> {
  let path = "";
  const { seconds, peak } = await measured(server.proc.proc.pid, async () => {
    const answer = await post(`${server.url}/studies/${server.study}/anonymize`, {});
    path = String(answer.Path);
  });
  await check(server, path);
  return { instancesPerSecond: count / seconds, peakRssBytes: peak };
}

async function anonymizeJob(server: Running): Promise<Measure> {
  let path = "";
  const { seconds, peak } = await measured(server.proc.proc.pid, async () => {
    const { ID } = await post(`${server.url}/studies/${server.study}/anonymize`, {
      Asynchronous: true,
    });
    for (;;) {
      const job = await (await fetch(`${server.url}/jobs/${ID}`)).json() as {
        State: string;
        Content: { Path?: string };
      };
      if (job.State === "Success") {
        path = String(job.Content.Path);
        return;
      }
      if (job.State === "Failure") throw new Error(`${server.label}: job ${ID} failed`);
      await Bun.sleep(20);
    }
  });
  await check(server, path);
  return { instancesPerSecond: count / seconds, peakRssBytes: peak };
}

async function check(server: Running, path: string): Promise<void> {
  const found = await instancesOf(server.url, path);
  if (found !== count) throw new Error(`${server.label}: ${path} holds ${found} of ${count}`);
}

async function start(index: number): Promise<Running> {
  const server = servers[index]!;
  const target = server.launch();
  const proc = spawnServer(target.command, target.logPath);
  await waitUntilReady(proc, target.url, {});
  return { label: server.label, url: target.url, proc, study: "", cleanup: target.cleanup };
}

const corpus = generateCorpus({ count, patients: 1, studiesPerPatient: 1, seriesPerStudy: 1 });
console.error(`${count} instances, ${formatNumber(corpus.totalBytes / 2 ** 20)} MiB`);
const running: Running[] = [];
const results = new Map<string, { sync: Measure[]; job: Measure[] }>();
try {
  for (let i = 0; i < servers.length; i++) running.push(await start(i));
  for (const server of running) {
    const ingest = await runIngest({
      url: server.url,
      instances: corpus.instances,
      concurrency: 4,
    });
    if (ingest.failures > 0) throw new Error(`${server.label}: ${ingest.failures} uploads failed`);
    server.study = ((await (await fetch(`${server.url}/studies`)).json()) as string[])[0]!;
    results.set(server.label, { sync: [], job: [] });
  }
  // The servers take turns, so that a slow spell of the shared machine hits both.
  for (let run = 0; run < runs; run++) {
    for (const server of running) {
      const sync = await anonymizeSync(server);
      results.get(server.label)!.sync.push(sync);
      console.error(`${server.label} sync: ${formatNumber(sync.instancesPerSecond)} inst/s`);
    }
    for (const server of running) {
      const job = await anonymizeJob(server);
      results.get(server.label)!.job.push(job);
      console.error(`${server.label} job: ${formatNumber(job.instancesPerSecond)} inst/s`);
    }
  }
  for (const server of running) {
    await stopServer(server.proc);
    server.cleanup?.();
  }
} finally {
  for (const server of running) await killIfRunning(server.proc);
}

const summary = (measures: Measure[]) => ({
  rate: median(measures.map((m) => m.instancesPerSecond)),
  peak: Math.max(...measures.map((m) => m.peakRssBytes)),
});
const mib = (bytes: number) => formatNumber(bytes / 2 ** 20, 0);
const [o, p] = [results.get("Orthanc")!, results.get("Pharos")!];
console.log(`Anonymize a ${count}-instance study (median of ${runs} run(s))\n`);
console.log(`${servers.map(versionLine).join(" vs ")}\n`);
console.log(
  "| mode | Orthanc inst/s | Pharos inst/s | ratio | Orthanc peak RSS MiB | Pharos peak RSS MiB |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const mode of ["sync", "job"] as const) {
  const [a, b] = [summary(o[mode]), summary(p[mode])];
  console.log(
    `| ${mode} | ${formatNumber(a.rate)} | ${formatNumber(b.rate)} | ${
      formatNumber(b.rate / a.rate, 2)
    }× | ${mib(a.peak)} | ${mib(b.peak)} |`,
  );
}
