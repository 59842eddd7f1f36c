// Study archives of Orthanc 1.10.1 and Pharos in the same run: GET /studies/{id}/archive of one
// generated study, in MiB/s and time to the first byte (median of the runs), beside the speed of
// `cat` reading the same stored files, and the growth of the server's RSS while it streams.
//
//   bun bench/archives.ts [--megabytes 100] [--runs 3] [--only orthanc|pharos]
//
// The study is one sample (Brainix, uncompressed MR) copied under new SOP instance UIDs until it
// weighs --megabytes; `--megabytes 2048` gives the 2 GB archive of the memory figure.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { positiveInt } from "./lib/args.ts";
import { createPatcher } from "./lib/dicom-patch.ts";
import { tagOf } from "./lib/dicom-walk.ts";
import {
  killIfRunning,
  residentBytes,
  spawnServer,
  stopServer,
  waitUntilReady,
} from "./lib/process.ts";
import { defaultPharosCommand, orthanc, pharos, type ServerUnderTest } from "./lib/servers.ts";
import { formatNumber, median } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    megabytes: { type: "string", default: "100" },
    runs: { type: "string", default: "3" },
    only: { type: "string" },
  },
});
const megabytes = positiveInt(values.megabytes, "megabytes");
const runs = positiveInt(values.runs, "runs");
const MiB = 1024 * 1024;
const samples = resolve(import.meta.dir, "../../shared/dicom-samples");
const template = readFileSync(join(samples, "Brainix/Epi/IM-0001-0022.dcm"));
const patch = createPatcher(template, [tagOf(0x0002, 0x0003), tagOf(0x0008, 0x0018)]);
const count = Math.ceil((megabytes * MiB) / template.length);
const options = { keep: false, config: { SyncStorageArea: false }, workDir: "/tmp" };

interface Figures {
  mibPerSecond: number;
  firstByteMs: number;
  archiveBytes: number;
  rssGrowthMiB: number;
  catMibPerSecond: number;
}

async function upload(url: string): Promise<string> {
  let next = 0;
  let study = "";
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const uid = `1.2.826.0.1.3680043.8.498.${Date.now() % 100000}.${i}`;
      const r = await fetch(`${url}/instances`, { method: "POST", body: patch([uid, uid]) });
      if (r.status !== 200) throw new Error(`upload refused: ${r.status}`);
      study = ((await r.json()) as { ParentStudy: string }).ParentStudy;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return study;
}

async function download(url: string, pid: number): Promise<Omit<Figures, "catMibPerSecond">> {
  const rssBefore = residentBytes(pid);
  let rssPeak = rssBefore;
  const start = performance.now();
  const r = await fetch(url);
  if (r.status !== 200) throw new Error(`archive answered ${r.status}`);
  const reader = r.body!.getReader();
  let firstByteMs = 0;
  let bytes = 0;
  let samplesTaken = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes === 0) firstByteMs = performance.now() - start;
    bytes += value.length;
    if (++samplesTaken % 64 === 0) rssPeak = Math.max(rssPeak, residentBytes(pid));
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    mibPerSecond: bytes / MiB / seconds,
    firstByteMs,
    archiveBytes: bytes,
    rssGrowthMiB: (rssPeak - rssBefore) / MiB,
  };
}

/** `cat` of every stored file of the server's storage folder, as the disk gives them. */
function catSpeed(storage: string): number {
  const start = performance.now();
  const cat = Bun.spawnSync([
    "sh",
    "-c",
    `find "${storage}" -type f -print0 | xargs -0 cat | wc -c`,
  ]);
  const bytes = Number(cat.stdout.toString().trim());
  return bytes / MiB / ((performance.now() - start) / 1000);
}

async function measure(server: ServerUnderTest): Promise<Figures> {
  const launch = server.launch();
  const proc = spawnServer(launch.command, launch.logPath);
  try {
    await waitUntilReady(proc, launch.url, {});
    const study = await upload(launch.url);
    const passes: Omit<Figures, "catMibPerSecond">[] = [];
    for (let run = 0; run < runs; run++) {
      passes.push(await download(`${launch.url}/studies/${study}/archive`, proc.proc.pid));
      console.error(
        `${server.label} run ${run + 1}: ${formatNumber(passes.at(-1)!.mibPerSecond)} MiB/s`,
      );
    }
    const storage = join(launch.logPath, "..", "storage");
    return {
      mibPerSecond: median(passes.map((p) => p.mibPerSecond)),
      firstByteMs: median(passes.map((p) => p.firstByteMs)),
      archiveBytes: passes[0]!.archiveBytes,
      rssGrowthMiB: Math.max(...passes.map((p) => p.rssGrowthMiB)),
      catMibPerSecond: median(Array.from({ length: runs }, () => catSpeed(storage))),
    };
  } finally {
    await stopServer(proc).catch(() => killIfRunning(proc));
    launch.cleanup?.();
  }
}

const servers = [orthanc(options), pharos(defaultPharosCommand(), options)].filter((s) =>
  values.only === undefined || s.label.toLowerCase() === values.only
);
const results = new Map<string, Figures>();
for (const server of servers) results.set(server.label, await measure(server));

console.log(
  `Study archive: ${count} instances, ${
    formatNumber((count * template.length) / MiB)
  } MiB, ${runs} runs (median)\n`,
);
console.log(
  "| server | archive MiB/s | first byte (ms) | `cat` MiB/s | archive / cat | RSS growth (MiB) |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const [label, f] of results) {
  console.log(
    `| ${label} | ${formatNumber(f.mibPerSecond)} | ${formatNumber(f.firstByteMs)} | ${
      formatNumber(f.catMibPerSecond)
    } | ${formatNumber((100 * f.mibPerSecond) / f.catMibPerSecond, 0)} % | ${
      formatNumber(f.rssGrowthMiB)
    } |`,
  );
}
const o = results.get("Orthanc");
const p = results.get("Pharos");
if (o && p) console.log(`\nPharos / Orthanc: ${formatNumber(p.mibPerSecond / o.mibPerSecond)}×`);
