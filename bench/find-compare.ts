// Query latency of Orthanc 1.10.1 and Pharos on the same data, loaded through each one's REST
// API in the same run.
//
//   bun bench/find-compare.ts [--count 5000] [--runs 30]
//
// The corpus (bench/dicom-corpus.ts) spreads the instances over count/20 patients, one study
// each, two series per study. Loading is what limits N here (Orthanc ingests a few hundred
// instances per second); bench/find.ts measures Pharos alone at 100,000 and 1,000,000.
import { parseArgs } from "node:util";
import { generateCorpus } from "./dicom-corpus.ts";
import { positiveInt } from "./lib/args.ts";
import { killIfRunning, spawnServer, stopServer, waitUntilReady } from "./lib/process.ts";
import { defaultPharosCommand, orthanc, pharos, type ServerUnderTest } from "./lib/servers.ts";
import { median, percentile } from "./lib/stats.ts";

const { values } = parseArgs({
  options: { count: { type: "string", default: "5000" }, runs: { type: "string", default: "30" } },
});
const count = positiveInt(values.count, "count");
const runs = positiveInt(values.runs, "runs");
const corpus = generateCorpus({
  count,
  patients: Math.max(1, Math.floor(count / 20)),
  studiesPerPatient: 1,
});
const options = { keep: false, config: { SyncStorageArea: false }, workDir: "/tmp" };

type Query = { label: string; body: (i: number) => unknown };
const pick = (i: number) => corpus.instances[(i * 7919) % corpus.instances.length]!;
const QUERIES: Query[] = [
  {
    label: "study: PatientID exact",
    body: (i) => ({ Level: "Study", Query: { PatientID: pick(i).patientId } }),
  },
  {
    label: "study: StudyInstanceUID exact",
    body: (i) => ({ Level: "Study", Query: { StudyInstanceUID: pick(i).studyInstanceUid } }),
  },
  {
    label: "instance: SOPInstanceUID exact",
    body: (i) => ({ Level: "Instance", Query: { SOPInstanceUID: pick(i).sopInstanceUid } }),
  },
  {
    label: "series: PatientID + Modality",
    body: (i) => ({ Level: "Series", Query: { PatientID: pick(i).patientId, Modality: "MR" } }),
  },
  {
    label: "study: PatientName wildcard (all)",
    body: () => ({ Level: "Study", Query: { PatientName: "BRA*" } }),
  },
  {
    label: "study: page of 50",
    body: (i) => ({ Level: "Study", Query: {}, Since: (i * 13) % 100, Limit: 50 }),
  },
];

async function measure(
  server: ServerUnderTest,
): Promise<Map<string, { median: number; p99: number }>> {
  const launch = server.launch();
  const proc = spawnServer(launch.command, launch.logPath);
  try {
    await waitUntilReady(proc, launch.url, {});
    let next = 0;
    const client = async () => {
      while (next < corpus.instances.length) {
        const res = await fetch(`${launch.url}/instances`, {
          method: "POST",
          body: corpus.instances[next++]!.bytes,
        });
        if (res.status !== 200) throw new Error(`${server.label}: upload answered ${res.status}`);
        await res.arrayBuffer();
      }
    };
    await Promise.all([client(), client(), client(), client()]);
    const out = new Map<string, { median: number; p99: number }>();
    for (const q of QUERIES) {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const res = await fetch(`${launch.url}/tools/find`, {
          method: "POST",
          body: JSON.stringify(q.body(i)),
        });
        await res.arrayBuffer();
        samples.push(performance.now() - t);
        if (res.status !== 200) {
          throw new Error(`${server.label}: ${q.label} answered ${res.status}`);
        }
      }
      out.set(q.label, { median: median(samples), p99: percentile(samples, 99) });
    }
    await stopServer(proc);
    return out;
  } finally {
    await killIfRunning(proc);
    launch.cleanup?.();
  }
}

const orthancFigures = await measure(orthanc(options));
const pharosFigures = await measure(pharos(defaultPharosCommand(), options));
console.log(
  `${count} instances (${count / 20} studies), ${runs} runs per query, same run, loopback HTTP`,
);
console.log("| query | Orthanc 1.10.1 median / p99 (ms) | Pharos median / p99 (ms) |");
console.log("| --- | ---: | ---: |");
for (const q of QUERIES) {
  const o = orthancFigures.get(q.label)!;
  const p = pharosFigures.get(q.label)!;
  console.log(
    `| ${q.label} | ${o.median.toFixed(2)} / ${o.p99.toFixed(2)} | ${p.median.toFixed(2)} / ${
      p.p99.toFixed(2)
    } |`,
  );
}
