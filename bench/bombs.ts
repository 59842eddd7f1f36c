// Peak memory of Orthanc 1.10.1 and Pharos on three small uploads that inflate to a lot (issue
// 17's memory bombs): a 1 MB ZIP holding 1 GiB of zeros, a 65 KB ZIP holding 64 MiB, a 522 KB
// file in the deflated transfer syntax whose dataset inflates to 512 MiB (a valid dataset, then
// zeros), and a 1 MB gzip-encoded body of 1 GiB of zeros. Each bomb goes to a fresh server; the figure is the server's peak resident size
// (VmHWM) after the upload, beside its peak before it.
//
//   bun bench/bombs.ts [--pharos "<command>"]
import { crc32, createDeflateRaw, gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { deflatedZeroRun } from "../test/support/hostile-dicom.ts";
import { makeZip } from "../test/support/zip.ts";
import { killIfRunning, spawnServer, stopServer, waitUntilReady } from "./lib/process.ts";
import { defaultPharosCommand, orthanc, pharos, type ServerUnderTest } from "./lib/servers.ts";

/** A ZIP with one deflated entry of `size` zero bytes, deflated as a stream. */
async function zeroZip(size: number): Promise<Uint8Array> {
  const deflate = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on("data", (c: Buffer) => parts.push(c));
  const done = new Promise((resolve) => deflate.on("end", resolve));
  const chunk = Buffer.alloc(1 << 20);
  let crc = 0;
  for (let written = 0; written < size; written += chunk.length) {
    deflate.write(chunk);
    crc = crc32(chunk, crc);
  }
  deflate.end();
  await done;
  const zip = makeZip([{ name: "zeros.dcm", data: new Uint8Array(Buffer.concat(parts)) }]);
  // makeZip writes stored entries: declare this one deflated, with its real size.
  const view = new DataView(zip.buffer);
  let central = 0;
  while (view.getUint32(central, true) !== 0x02014b50) central++;
  for (const [at, shift] of [[0, 0], [central, 2]] as const) {
    view.setUint16(at + 8 + shift, 8, true);
    view.setUint32(at + 14 + shift, crc, true);
    view.setUint32(at + 22 + shift, size >= 2 ** 32 ? 0xffffffff : size, true);
  }
  return zip;
}

function peakMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function measure(server: ServerUnderTest, body: Uint8Array, headers: HeadersInit) {
  const launch = server.launch();
  const running = spawnServer(launch.command, launch.logPath);
  try {
    await waitUntilReady(running, launch.url, {});
    const before = peakMiB(running.proc.pid);
    const res = await fetch(`${launch.url}/instances`, { method: "POST", body, headers });
    await res.arrayBuffer();
    const after = peakMiB(running.proc.pid);
    await stopServer(running);
    return { status: res.status, before, after };
  } catch (error) {
    await killIfRunning(running);
    return { status: `failed: ${String(error).split("\n")[0]}`, before: NaN, after: NaN };
  } finally {
    launch.cleanup?.();
  }
}

const args = process.argv.slice(2);
const pharosAt = args.indexOf("--pharos");
const pharosCommand = pharosAt >= 0 ? args[pharosAt + 1]!.split(" ") : defaultPharosCommand();
const options = { keep: false, config: {}, workDir: tmpdir() };
const servers = [orthanc(options), pharos(pharosCommand, options)];
/** A gzip member of `size` zero bytes (sent with Content-Encoding: gzip). */
function zeroGzip(size: number): Promise<Uint8Array> {
  return Promise.resolve(new Uint8Array(gzipSync(new Uint8Array(size), { level: 9 })));
}

const GZIP = { "Content-Encoding": "gzip" };
const bombs: [string, () => Promise<Uint8Array>, HeadersInit][] = [
  ["ZIP, 1 GiB of zeros", () => zeroZip(1 << 30), {}],
  ["ZIP, 64 MiB of zeros", () => zeroZip(64 << 20), {}],
  ["deflated dataset, 512 MiB", () => Promise.resolve(deflatedZeroRun(512 << 20).bytes), {}],
  ["gzip body, 1 GiB of zeros", () => zeroGzip(1 << 30), GZIP],
];

console.log("| bomb | size | Orthanc 1.10.1 | Pharos |");
console.log("|---|---|---|---|");
for (const [name, make, headers] of bombs) {
  const body = await make();
  const cells: string[] = [];
  for (const server of servers) {
    const r = await measure(server, body, headers);
    cells.push(`${r.status}, peak ${r.after.toFixed(0)} MiB (${r.before.toFixed(0)} before)`);
  }
  console.log(`| ${name} | ${(body.length / 1024).toFixed(0)} KiB | ${cells.join(" | ")} |`);
}
