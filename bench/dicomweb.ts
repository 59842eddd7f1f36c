// DICOMweb of Orthanc 1.10.1 with its DICOMweb plugin and of Pharos, on the same data loaded
// through each one's REST API in the same run.
//
//   bun bench/dicomweb.ts [--studies 10000] [--series 500] [--runs 20] [--frames 300]
//                         [--clients 8]
//
// QIDO-RS over `--studies` studies (one instance each, Brainix's first Flair image without its
// pixel data: QIDO-RS reads the index only, and 100,000 such files take 0.4 GB rather than 17),
// WADO-RS metadata of one series of `--series` instances (the first call, then warm calls), and
// WADO-RS frames per second (one frame of a random instance of that series per request, 4
// clients). Both servers are loaded the same way, through POST /instances from `--clients`
// clients at once, each file made just before it is sent (100,000 would not fit in memory).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type CorpusGenerator, corpusGenerator, DEFAULT_SOURCE } from "./dicom-corpus.ts";
import { parsePart10, tagOf } from "./lib/dicom-walk.ts";
import { positiveInt } from "./lib/args.ts";
import {
  cpuSeconds,
  killIfRunning,
  spawnServer,
  stopServer,
  waitUntilReady,
} from "./lib/process.ts";
import { defaultPharosCommand, orthanc, pharos, type ServerUnderTest } from "./lib/servers.ts";
import { median } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    studies: { type: "string", default: "10000" },
    series: { type: "string", default: "500" },
    runs: { type: "string", default: "20" },
    frames: { type: "string", default: "300" },
    clients: { type: "string", default: "8" },
  },
});
const studyCount = positiveInt(values.studies, "studies");
const seriesSize = positiveInt(values.series, "series");
const runs = positiveInt(values.runs, "runs");
const frameRequests = positiveInt(values.frames, "frames");
const uploadClients = positiveInt(values.clients, "clients");

/** The default source cut before its pixel data, in a temporary folder. */
function withoutPixelData(): { path: string; remove: () => void } {
  const bytes = readFileSync(DEFAULT_SOURCE);
  const pixels = parsePart10(bytes).elements.find((e) => e.tag === tagOf(0x7fe0, 0x0010))!;
  const dir = mkdtempSync(join(tmpdir(), "bench-dicomweb-"));
  const path = join(dir, "no-pixels.dcm");
  writeFileSync(path, bytes.subarray(0, pixels.offset));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const small = withoutPixelData();
const studies = corpusGenerator({
  count: studyCount,
  patients: studyCount,
  studiesPerPatient: 1,
  seriesPerStudy: 1,
  source: small.path,
});
const series = corpusGenerator({
  count: seriesSize,
  patients: 1,
  studiesPerPatient: 1,
  seriesPerStudy: 1,
});
const bigSeries = series.identifiers(0);
const seriesPath =
  `/dicom-web/studies/${bigSeries.studyInstanceUid}/series/${bigSeries.seriesInstanceUid}`;

const shared = { SyncStorageArea: false };
const PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

interface Figures {
  qido: Map<string, number>;
  metadataFirst: number;
  metadataWarm: number;
  framesPerSecond: number;
  /** Server CPU ms, steadier than times on a shared machine. */
  cpu: {
    ingestPerInstance: number;
    qidoPerRequest: number;
    metadataFirst: number;
    metadataWarm: number;
    perFrame: number;
  };
}

async function upload(url: string, corpus: CorpusGenerator, label: string): Promise<void> {
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < corpus.count) {
      const i = next++;
      const res = await fetch(`${url}/instances`, {
        method: "POST",
        body: corpus.instance(i).bytes,
      });
      if (res.status !== 200) throw new Error(`upload answered ${res.status}`);
      await res.arrayBuffer();
      if ((i + 1) % 10_000 === 0) {
        const seconds = (performance.now() - started) / 1000;
        console.error(`${label}: ${i + 1} instances loaded in ${seconds.toFixed(0)} s`);
      }
    }
  };
  await Promise.all(Array.from({ length: uploadClients }, client));
}

async function timed(url: string, accept?: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url, { headers: accept ? { Accept: accept } : {} });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - t;
}

const pick = (i: number) => studies.identifiers((i * 7919) % studies.count);
const QIDO: [string, (i: number) => string][] = [
  ["studies, first page of 100", () => "/dicom-web/studies?limit=100"],
  ["studies, page of 100 at an offset", (i) => `/dicom-web/studies?limit=100&offset=${i * 97}`],
  ["studies by PatientID", (i) => `/dicom-web/studies?PatientID=${pick(i).patientId}`],
  [
    "studies by StudyInstanceUID",
    (i) => `/dicom-web/studies?StudyInstanceUID=${pick(i).studyInstanceUid}`,
  ],
  ["series of a study", (i) => `/dicom-web/studies/${pick(i).studyInstanceUid}/series`],
];

async function measure(server: ServerUnderTest): Promise<Figures> {
  const launch = server.launch();
  const proc = spawnServer(launch.command, launch.logPath);
  try {
    await waitUntilReady(proc, launch.url, {});
    const cpuMs = () => cpuSeconds(proc.proc.pid) * 1000;
    await upload(launch.url, studies, server.label);
    let cpu = cpuMs();
    await upload(launch.url, series, server.label);
    const ingestPerInstance = (cpuMs() - cpu) / series.count;
    const qido = new Map<string, number>();
    cpu = cpuMs();
    for (const [label, path] of QIDO) {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) samples.push(await timed(`${launch.url}${path(i)}`));
      qido.set(label, median(samples));
    }
    const qidoPerRequest = (cpuMs() - cpu) / (QIDO.length * runs);
    cpu = cpuMs();
    const metadataFirst = await timed(`${launch.url}${seriesPath}/metadata`);
    const metadataFirstCpu = cpuMs() - cpu;
    const warm: number[] = [];
    cpu = cpuMs();
    for (let i = 0; i < Math.min(runs, 10); i++) {
      warm.push(await timed(`${launch.url}${seriesPath}/metadata`));
    }
    const metadataWarmCpu = (cpuMs() - cpu) / warm.length;
    let next = 0;
    const accept = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';
    const client = async () => {
      while (next < frameRequests) {
        const instance = series.identifiers((next++ * 31) % series.count);
        await timed(
          `${launch.url}${seriesPath}/instances/${instance.sopInstanceUid}/frames/1`,
          accept,
        );
      }
    };
    const t = performance.now();
    cpu = cpuMs();
    await Promise.all([client(), client(), client(), client()]);
    const framesPerSecond = frameRequests / ((performance.now() - t) / 1000);
    const perFrame = (cpuMs() - cpu) / frameRequests;
    await stopServer(proc);
    return {
      qido,
      metadataFirst,
      metadataWarm: median(warm),
      framesPerSecond,
      cpu: {
        ingestPerInstance,
        qidoPerRequest,
        metadataFirst: metadataFirstCpu,
        metadataWarm: metadataWarmCpu,
        perFrame,
      },
    };
  } finally {
    await killIfRunning(proc);
    launch.cleanup?.();
  }
}

const orthancFigures = await measure(
  orthanc({
    keep: false,
    workDir: "/tmp",
    config: { ...shared, Plugins: [PLUGIN], DicomWeb: { Enable: true } },
  }),
);
const pharosFigures = await measure(
  pharos(defaultPharosCommand(), { keep: false, workDir: "/tmp", config: shared }),
);
small.remove();

const ratio = (o: number, p: number) => `${(o / p).toFixed(1)}×`;
console.log(
  `${studyCount} studies + one series of ${seriesSize} instances (loaded by ${uploadClients} clients), ${runs} runs per query, same run, loopback HTTP`,
);
console.log("| measure | Orthanc 1.10.1 + DICOMweb 1.7 | Pharos | Pharos faster by |");
console.log("| --- | ---: | ---: | ---: |");
for (const [label] of QIDO) {
  const o = orthancFigures.qido.get(label)!;
  const p = pharosFigures.qido.get(label)!;
  console.log(
    `| QIDO-RS ${label} (median ms) | ${o.toFixed(2)} | ${p.toFixed(2)} | ${ratio(o, p)} |`,
  );
}
const o = orthancFigures;
const p = pharosFigures;
console.log(
  `| WADO-RS metadata, ${seriesSize} instances, first call (ms) | ${o.metadataFirst.toFixed(1)} | ${
    p.metadataFirst.toFixed(1)
  } | ${ratio(o.metadataFirst, p.metadataFirst)} |`,
);
console.log(
  `| WADO-RS metadata, ${seriesSize} instances, warm (median ms) | ${o.metadataWarm.toFixed(1)} | ${
    p.metadataWarm.toFixed(1)
  } | ${ratio(o.metadataWarm, p.metadataWarm)} |`,
);
console.log(
  `| WADO-RS frames/s (4 clients) | ${o.framesPerSecond.toFixed(0)} | ${
    p.framesPerSecond.toFixed(0)
  } | ${ratio(p.framesPerSecond, o.framesPerSecond)} |`,
);
console.log("| server CPU (ms) | Orthanc | Pharos | |");
console.log("| --- | ---: | ---: | ---: |");
const cpuRows: [string, keyof Figures["cpu"]][] = [
  [`ingest of the ${seriesSize}-instance series, per instance`, "ingestPerInstance"],
  ["QIDO-RS, per request", "qidoPerRequest"],
  ["WADO-RS metadata, first call", "metadataFirst"],
  ["WADO-RS metadata, warm call", "metadataWarm"],
  ["WADO-RS frames, per frame", "perFrame"],
];
for (const [label, key] of cpuRows) {
  console.log(
    `| ${label} | ${o.cpu[key].toFixed(2)} | ${p.cpu[key].toFixed(2)} | ${
      ratio(o.cpu[key], p.cpu[key])
    } |`,
  );
}
