// C-STORE throughput: storescu sends N instances in one association to Pharos and to Orthanc
// 1.10.1 (same run, same corpus, fresh storage each time), with TCP_NODELAY=1 and without.
//
//   bun bench/dimse.ts [--n=500] [--binary] [--no-orthanc]
//
// The corpus is one sample copied N times with new SOPInstanceUIDs (dcmodify -gin).
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=");
    return [k!, v ?? "true"] as const;
  }),
);
const N = Number(args.get("n") ?? 500);
const sample = resolve(root, "../shared/dicom-samples/Brainix/Flair/IM-0001-0001.dcm");

function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await Bun.sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const work = mkdtempSync(join(tmpdir(), "pharos-bench-dimse-"));
const corpus = join(work, "corpus");
mkdirSync(corpus);
for (let i = 0; i < N; i++) {
  copyFileSync(sample, join(corpus, `i${String(i).padStart(5, "0")}.dcm`));
}
const files = readdirSync(corpus).map((f) => join(corpus, f));
for (let i = 0; i < files.length; i += 200) {
  const r = Bun.spawnSync(["dcmodify", "-nb", "-gin", ...files.slice(i, i + 200)]);
  if (r.exitCode !== 0) throw new Error(`dcmodify failed: ${r.stderr.toString()}`);
}
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);

interface Server {
  label: string;
  command: string[];
}
const servers: Server[] = [{
  label: args.has("binary") ? "Pharos (dist/pharos)" : "Pharos (bun src/main.ts)",
  command: args.has("binary")
    ? [join(root, "dist/pharos")]
    : [process.execPath, join(root, "src/main.ts")],
}];
if (!args.has("no-orthanc") && Bun.which("Orthanc")) {
  servers.push({ label: "Orthanc 1.10.1", command: ["Orthanc"] });
}

async function run(server: Server, nodelay: boolean): Promise<{ seconds: number; stored: number }> {
  const dir = mkdtempSync(join(work, "run-"));
  const http = freePort();
  const dicom = freePort();
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      HttpPort: http,
      DicomPort: dicom,
      DicomAet: "BENCH",
      StorageDirectory: join(dir, "db"),
      IndexDirectory: join(dir, "db"),
      RemoteAccessAllowed: true,
      AuthenticationEnabled: false,
    }),
  );
  const proc = Bun.spawn([...server.command, join(dir, "config.json")], {
    cwd: dir,
    stdout: "ignore",
    stderr: "ignore",
  });
  try {
    await until(async () => (await fetch(`http://127.0.0.1:${http}/system`)).ok, server.label);
    const env: Record<string, string> = { ...process.env } as Record<string, string>;
    if (nodelay) env.TCP_NODELAY = "1";
    else delete env.TCP_NODELAY;
    await until(
      () =>
        Promise.resolve(
          Bun.spawnSync(["echoscu", "-aec", "BENCH", "127.0.0.1", String(dicom)], { env })
            .exitCode === 0,
        ),
      "DICOM port",
    );
    const started = performance.now();
    const r = Bun.spawnSync([
      "storescu",
      "-aec",
      "BENCH",
      "+sd",
      "127.0.0.1",
      String(dicom),
      corpus,
    ], { env });
    const seconds = (performance.now() - started) / 1000;
    if (r.exitCode !== 0) throw new Error(`storescu failed: ${r.stderr.toString().slice(0, 500)}`);
    const stats = await (await fetch(`http://127.0.0.1:${http}/statistics`)).json();
    return { seconds, stored: stats.CountInstances };
  } finally {
    proc.kill();
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `C-STORE, storescu → SCP, one association: ${N} instances, ${(bytes / 1e6).toFixed(1)} MB`,
);
console.log("| server | TCP_NODELAY | seconds | instances/s | MB/s | stored |");
console.log("| --- | --- | ---: | ---: | ---: | ---: |");
for (const nodelay of [true, false]) {
  for (const server of servers) {
    const { seconds, stored } = await run(server, nodelay);
    console.log(
      `| ${server.label} | ${nodelay ? "1" : "unset"} | ${seconds.toFixed(2)} | ${
        (N / seconds).toFixed(0)
      } | ${(bytes / 1e6 / seconds).toFixed(1)} | ${stored} |`,
    );
  }
}
rmSync(work, { recursive: true, force: true });
