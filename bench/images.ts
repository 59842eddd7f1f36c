// Frame rendering of Orthanc 1.10.1 (with its GDCM plugin when installed, for JPEG 2000) and
// Pharos on the same sample files, in the same run: requests/s and latency of the image routes
// with 4 clients on loopback HTTP, the same URL again and again, and "rendered, first": /rendered
// once on each of as many copies of the file as requests (new SOPInstanceUID, same pixels), as a
// viewer opening a series, after WARM_UP copies left out of the figures; Pharos's decode time of
// one frame; and the latency of /system while 8 clients hammer JPEG 2000 previews (decoding runs
// in Pharos's codec workers).
//
//   bun bench/images.ts [--requests 200] [--runs 3] [--load-seconds 5]
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { findElement, parseDicom } from "../src/dicom/parser.ts";
import { Tags } from "../src/dicom/tag.ts";
import { FrameDecoders } from "../src/imaging/decode.ts";
import { positiveInt } from "./lib/args.ts";
import {
  cpuSeconds,
  killIfRunning,
  spawnServer,
  stopServer,
  waitUntilReady,
} from "./lib/process.ts";
import {
  defaultPharosCommand,
  orthanc,
  ORTHANC_GDCM,
  pharos,
  type ServerUnderTest,
} from "./lib/servers.ts";
import { median, percentile } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "200" },
    runs: { type: "string", default: "3" },
    "load-seconds": { type: "string", default: "5" },
  },
});
const requests = positiveInt(values.requests, "requests");
const runs = positiveInt(values.runs, "runs");
const loadSeconds = positiveInt(values["load-seconds"], "load-seconds");
const samples = resolve(import.meta.dir, "../../shared/dicom-samples");
const FILES = {
  "MR 256×256 16-bit": "Brainix/Epi/IM-0001-0022.dcm",
  "256×1024 16-bit, RLE": "TransferSyntaxes/1.2.840.10008.1.2.5.dcm",
  "RGB 640×480, JPEG baseline": "TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm",
  "CT 512×512 12-bit, JPEG extended": "TransferSyntaxes/1.2.840.10008.1.2.4.51.dcm",
  "CT 512×400, JPEG lossless": "TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm",
  "CT 256×1024, JPEG-LS": "TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm",
  "CT 512×512, JPEG-LS near-lossless": "TransferSyntaxes/1.2.840.10008.1.2.4.81.dcm",
  "CT 256×1024, JPEG 2000 lossless": "TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm",
  "CT 512×512, JPEG 2000": "TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm",
};
const LOAD_FILE = "TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm";
const ROUTES = ["preview", "rendered"];
const options = { keep: false, config: { SyncStorageArea: false }, workDir: "/tmp" };

interface Figure {
  perSecond: number;
  p50: number;
  p99: number;
  /** The server's CPU time per request, all threads: steadier than req/s on shared cores. */
  cpuMs?: number;
}

/**
 * Steady state, not the warm-up: a codec worker runs a codec's first decodes in JavaScriptCore's
 * WebAssembly interpreter (the first JPEG 2000 frames of 256×1024 took 340, 320, 200… ms before
 * 15 to 20), once per worker and codec.
 */
const WARM_UP = 20;

/**
 * `count` copies of the file with SOPInstanceUIDs of the same length (the pixels untouched),
 * numbered from `first`.
 */
function copies(bytes: Uint8Array, count: number, first = 0): Uint8Array[] {
  const { dataset } = parseDicom(bytes);
  const sop = findElement(dataset, Tags.SopInstanceUid)!;
  const uid = new TextDecoder().decode(bytes.subarray(sop.offset, sop.offset + sop.length))
    .replace(/\0+$/, "");
  if (uid.length < 12) throw new Error(`${uid}: too short to vary`);
  const original = new TextEncoder().encode(uid);
  // The meta header's MediaStorageSOPInstanceUID and the dataset's SOPInstanceUID, before the
  // pixels.
  const end = findElement(dataset, Tags.PixelData)!.offset;
  const places: number[] = [];
  for (
    let at = bytes.indexOf(original[0]!);
    at >= 0 && at < end;
    at = bytes.indexOf(original[0]!, at + 1)
  ) {
    if (original.every((b, i) => bytes[at + i] === b)) places.push(at);
  }
  return Array.from({ length: count }, (_, n) => {
    const copy = bytes.slice();
    // A UUID-derived UID (2.25.…) of the same length, so that no offset moves.
    const variant = new TextEncoder().encode(
      `2.25.1${String(first + n).padStart(uid.length - 6, "0")}`,
    );
    for (const at of places) copy.set(variant, at);
    return copy;
  });
}

async function hammer(
  pid: number,
  urls: string | string[],
  clients: number,
  count: number,
): Promise<Figure> {
  const latencies: number[] = [];
  let next = 0;
  const client = async () => {
    while (next < count) {
      const url = typeof urls === "string" ? urls : urls[next]!;
      next++;
      const t = performance.now();
      const r = await fetch(url);
      await r.arrayBuffer();
      latencies.push(performance.now() - t);
      if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
    }
  };
  const started = performance.now();
  const cpu = cpuSeconds(pid);
  await Promise.all(Array.from({ length: clients }, client));
  return {
    perSecond: count / ((performance.now() - started) / 1000),
    p50: median(latencies),
    p99: percentile(latencies, 99),
    cpuMs: ((cpuSeconds(pid) - cpu) * 1000) / count,
  };
}

/** /system's latency while 8 clients ask for JPEG 2000 previews for `loadSeconds`. */
async function systemUnderLoad(base: string, id: string): Promise<Figure> {
  const until = performance.now() + loadSeconds * 1000;
  let previews = 0;
  const client = async () => {
    while (performance.now() < until) {
      await (await fetch(`${base}/instances/${id}/preview`)).arrayBuffer();
      previews++;
    }
  };
  const latencies: number[] = [];
  const probe = async () => {
    while (performance.now() < until) {
      const t = performance.now();
      await (await fetch(`${base}/system`)).arrayBuffer();
      latencies.push(performance.now() - t);
      await Bun.sleep(20);
    }
  };
  await Promise.all([...Array.from({ length: 8 }, client), probe()]);
  return {
    perSecond: previews / loadSeconds,
    p50: median(latencies),
    p99: percentile(latencies, 99),
  };
}

/**
 * Image requests left out of the figures, so that the first row does not pay for what a server
 * does once: Pharos starts its codec workers with the first image request, and they warm their
 * codecs up (imaging/wasm/warm-up.ts) while 4 clients keep them all busy.
 */
async function startUp(base: string, pid: number): Promise<void> {
  const bytes = new Uint8Array(readFileSync(join(samples, LOAD_FILE)));
  const res = await fetch(`${base}/instances`, { method: "POST", body: bytes });
  const { ID } = await res.json() as { ID: string };
  await hammer(pid, `${base}/instances/${ID}/preview`, 4, WARM_UP);
  await Bun.sleep(1000);
  await fetch(`${base}/instances/${ID}`, { method: "DELETE" });
}

async function measure(server: ServerUnderTest) {
  const launch = server.launch();
  const proc = spawnServer(launch.command, launch.logPath);
  const out = new Map<string, Figure>();
  try {
    await waitUntilReady(proc, launch.url, {});
    await startUp(launch.url, proc.proc.pid);
    const ids = new Map<string, string>();
    for (const [label, file] of Object.entries(FILES)) {
      const bytes = new Uint8Array(readFileSync(join(samples, file)));
      const upload = async (body: Uint8Array) => {
        const res = await fetch(`${launch.url}/instances`, { method: "POST", body });
        return (await res.json() as { ID: string }).ID;
      };
      const id = await upload(bytes);
      ids.set(file, id);
      for (const route of ROUTES) {
        const url = `${launch.url}/instances/${id}/${route}`;
        const first = await fetch(url);
        await first.arrayBuffer();
        // A route a server does not answer is left out of the table.
        if (first.status !== 200) continue;
        const passes: Figure[] = [];
        for (let run = 0; run < runs; run++) {
          passes.push(await hammer(proc.proc.pid, url, 4, requests));
        }
        passes.sort((a, b) => a.perSecond - b.perSecond);
        out.set(`${label} | ${route}`, passes[Math.floor(passes.length / 2)]!);
      }
      const firstPass = async (count: number, from: number) => {
        const urls: string[] = [];
        for (const copy of copies(bytes, count, from)) {
          urls.push(`${launch.url}/instances/${await upload(copy)}/rendered`);
        }
        const figure = await hammer(proc.proc.pid, urls, 4, count);
        for (const url of urls) {
          await fetch(url.slice(0, -"/rendered".length), { method: "DELETE" });
        }
        return figure;
      };
      // Every pass has copies of its own: the same bytes again would find their answers cached.
      await firstPass(WARM_UP, 0);
      const firsts: Figure[] = [];
      for (let run = 0; run < runs; run++) {
        firsts.push(await firstPass(requests, WARM_UP + run * requests));
      }
      firsts.sort((a, b) => a.perSecond - b.perSecond);
      out.set(`${label} | rendered, first`, firsts[Math.floor(firsts.length / 2)]!);
    }
    const load = await systemUnderLoad(launch.url, ids.get(LOAD_FILE)!);
    await stopServer(proc);
    return { routes: out, load };
  } finally {
    await killIfRunning(proc);
    launch.cleanup?.();
  }
}

/** Pharos's decode of one frame, in this process through the codec workers (median of 20 after WARM_UP). */
async function decodeTimes(): Promise<Map<string, number>> {
  const decoders = new FrameDecoders();
  const out = new Map<string, number>();
  for (const [label, file] of Object.entries(FILES)) {
    const bytes = new Uint8Array(readFileSync(join(samples, file)));
    const parsed = parseDicom(bytes);
    for (let i = 0; i < WARM_UP; i++) await decoders.decode(bytes, parsed, 0);
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await decoders.decode(bytes, parsed, 0);
      times.push(performance.now() - t);
    }
    out.set(label, median(times));
  }
  return out;
}

const reference = orthanc(options, existsSync(ORTHANC_GDCM) ? [ORTHANC_GDCM] : []);
const theirs = await measure(reference);
const ours = await measure(pharos(defaultPharosCommand(), options));
const decode = await decodeTimes();
console.log(`${requests} requests per pass, 4 clients, median pass of ${runs}, same run`);
console.log(
  `| file | route | ${reference.label} 1.10.1 req/s (p50 / p99 ms; CPU ms/req) | Pharos req/s (p50 / p99 ms; CPU ms/req) | Pharos decode ms |`,
);
console.log("| --- | --- | ---: | ---: | ---: |");
const cell = (f: Figure | undefined) =>
  f
    ? `${f.perSecond.toFixed(0)} (${f.p50.toFixed(1)} / ${f.p99.toFixed(1)}; ${
      f.cpuMs!.toFixed(1)
    })`
    : "—";
for (const key of new Set([...theirs.routes.keys(), ...ours.routes.keys()])) {
  const ms = decode.get(key.split(" | ")[0]!);
  console.log(
    `| ${key} | ${cell(theirs.routes.get(key))} | ${cell(ours.routes.get(key))} | ${
      ms === undefined ? "" : ms.toFixed(1)
    } |`,
  );
}
console.log(`\n/system under 8 clients on JPEG 2000 512×512 previews for ${loadSeconds} s:`);
console.log("| server | previews/s | /system p50 ms | /system p99 ms |");
console.log("| --- | ---: | ---: | ---: |");
for (const [label, { load }] of [[reference.label, theirs], ["Pharos", ours]] as const) {
  console.log(
    `| ${label} | ${load.perSecond.toFixed(1)} | ${load.p50.toFixed(1)} | ${load.p99.toFixed(1)} |`,
  );
}
// The codec pool's workers (the decode times above were measured in this process) would keep it
// alive.
process.exit(0);
