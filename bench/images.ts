// Frame rendering of Orthanc 1.10.1 and Pharos on the same sample files, in the same run:
// requests/s and latency of the image routes with 4 clients on loopback HTTP.
//
//   bun bench/images.ts [--requests 400] [--runs 3]
//
// The files are uncompressed and RLE samples, which both servers decode themselves (Pharos's
// compressed syntaxes need a plugin decoder, see docs/plugins.md).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { positiveInt } from "./lib/args.ts";
import { killIfRunning, spawnServer, stopServer, waitUntilReady } from "./lib/process.ts";
import { defaultPharosCommand, orthanc, pharos, type ServerUnderTest } from "./lib/servers.ts";
import { median, percentile } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "400" },
    runs: { type: "string", default: "3" },
  },
});
const requests = positiveInt(values.requests, "requests");
const runs = positiveInt(values.runs, "runs");
const samples = resolve(import.meta.dir, "../../shared/dicom-samples");
const FILES = {
  "MR 256×256 16-bit": "Brainix/Epi/IM-0001-0022.dcm",
  "512×358 16-bit, deflated": "TransferSyntaxes/1.2.840.10008.1.2.1.99.dcm",
  "RGB 256×120": "TransferSyntaxes/1.2.840.10008.1.2.1.dcm",
  "256×1024 16-bit, RLE": "TransferSyntaxes/1.2.840.10008.1.2.5.dcm",
};
const ROUTES = ["preview", "image-uint16", "numpy"];
const options = { keep: false, config: { SyncStorageArea: false }, workDir: "/tmp" };

interface Figure {
  perSecond: number;
  p50: number;
  p99: number;
}

async function measure(server: ServerUnderTest): Promise<Map<string, Figure>> {
  const launch = server.launch();
  const proc = spawnServer(launch.command, launch.logPath);
  const out = new Map<string, Figure>();
  try {
    await waitUntilReady(proc, launch.url, {});
    for (const [label, file] of Object.entries(FILES)) {
      const res = await fetch(`${launch.url}/instances`, {
        method: "POST",
        body: readFileSync(join(samples, file)),
      });
      const id = (await res.json() as { ID: string }).ID;
      for (const route of ROUTES) {
        const path = `/instances/${id}/${route}`;
        const first = await fetch(`${launch.url}${path}`);
        await first.arrayBuffer();
        // A route a server does not answer (RGB has no image-uint16) is left out of the table.
        if (first.status !== 200) continue;
        const passes: Figure[] = [];
        for (let run = 0; run < runs; run++) {
          const latencies: number[] = [];
          let next = 0;
          const client = async () => {
            while (next++ < requests) {
              const t = performance.now();
              const r = await fetch(`${launch.url}${path}`);
              await r.arrayBuffer();
              latencies.push(performance.now() - t);
              if (r.status !== 200) throw new Error(`${server.label} ${path}: ${r.status}`);
            }
          };
          const started = performance.now();
          await Promise.all([client(), client(), client(), client()]);
          passes.push({
            perSecond: requests / ((performance.now() - started) / 1000),
            p50: median(latencies),
            p99: percentile(latencies, 99),
          });
        }
        passes.sort((a, b) => a.perSecond - b.perSecond);
        out.set(`${label} | ${route}`, passes[Math.floor(passes.length / 2)]!);
      }
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
console.log(`${requests} requests per pass, 4 clients, median pass of ${runs}, same run`);
console.log("| file | route | Orthanc 1.10.1 req/s (p50 / p99 ms) | Pharos req/s (p50 / p99 ms) |");
console.log("| --- | --- | ---: | ---: |");
const cell = (f: Figure | undefined) =>
  f ? `${f.perSecond.toFixed(0)} (${f.p50.toFixed(1)} / ${f.p99.toFixed(1)})` : "—";
for (const key of new Set([...orthancFigures.keys(), ...pharosFigures.keys()])) {
  console.log(`| ${key} | ${cell(orthancFigures.get(key))} | ${cell(pharosFigures.get(key))} |`);
}
