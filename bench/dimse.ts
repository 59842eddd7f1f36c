// DICOM network benchmarks, Pharos beside Orthanc 1.10.1 (same run, same corpus):
//  - receive: storescu sends N instances in one association (fresh storage each time), with
//    TCP_NODELAY=1 and without, then in 4 parallel associations (4 storescu, N/4 each); then the
//    same one association to DCMTK's storescp --ignore, which stores nothing: what storescu and
//    the protocol alone allow, the ceiling of any SCP here;
//  - send: POST /modalities/storescp/store (Synchronous) of the same N instances to storescp;
//  - find: C-FIND latency at study level (findscu, one association per query) on an index
//    filled directly with S studies (Pharos only: Orthanc's index cannot be filled that way).
//
//   bun bench/dimse.ts [--n=500] [--studies=5000] [--runs=20] [--parts=receive,send,find]
//                      [--binary] [--no-orthanc]
//
// The corpus is one sample copied N times with new SOPInstanceUIDs (dcmodify -gin).
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { orthancIds } from "../src/dicom/identifiers.ts";
import { SqliteIndex } from "../src/index/sqlite/database.ts";
import { Metadata } from "../src/server/model.ts";

const root = resolve(import.meta.dir, "..");
const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=");
    return [k!, v ?? "true"] as const;
  }),
);
const N = Number(args.get("n") ?? 500);
const STUDIES = Number(args.get("studies") ?? 5000);
const RUNS = Number(args.get("runs") ?? 20);
const PARTS = new Set((args.get("parts") ?? "receive,send,find").split(","));
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

/** Waits until a C-ECHO to the port succeeds. */
function echoed(port: number, env: Record<string, string>, what: string): Promise<void> {
  return until(
    () =>
      Promise.resolve(
        Bun.spawnSync(["echoscu", "-aec", "BENCH", "127.0.0.1", String(port)], { env })
          .exitCode === 0,
      ),
    what,
  );
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

async function run(
  server: Server,
  nodelay: boolean,
  associations = 1,
): Promise<{ seconds: number; stored: number; cpuSeconds: number }> {
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
    await echoed(dicom, env, "DICOM port");
    const shares = Array.from(
      { length: associations },
      (_, k) => files.filter((_, i) => i % associations === k),
    );
    const cpuBefore = cpuSecondsOf(proc.pid);
    const started = performance.now();
    const senders = shares.map((share) =>
      Bun.spawn(["storescu", "-aec", "BENCH", "127.0.0.1", String(dicom), ...share], {
        env,
        stdout: "ignore",
        stderr: "pipe",
      })
    );
    for (const sender of senders) {
      if (await sender.exited !== 0) {
        throw new Error(
          `storescu failed: ${(await new Response(sender.stderr).text()).slice(0, 500)}`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpuSecondsOf(proc.pid) - cpuBefore;
    const stats = await (await fetch(`http://127.0.0.1:${http}/statistics`)).json();
    return { seconds, stored: stats.CountInstances, cpuSeconds };
  } finally {
    proc.kill();
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** User and system CPU seconds a process has used so far (Linux /proc). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime, fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

if (PARTS.has("receive")) {
  console.log(`C-STORE, storescu → SCP: ${N} instances, ${(bytes / 1e6).toFixed(1)} MB`);
  console.log(
    "| server | associations | TCP_NODELAY | seconds | instances/s | MB/s | server CPU ms/instance | stored |",
  );
  console.log("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const [associations, nodelay] of [[1, true], [1, false], [4, true]] as const) {
    for (const server of servers) {
      const { seconds, stored, cpuSeconds } = await run(server, nodelay, associations);
      console.log(
        `| ${server.label} | ${associations} | ${nodelay ? "1" : "unset"} | ${
          seconds.toFixed(2)
        } | ${(N / seconds).toFixed(0)} | ${(bytes / 1e6 / seconds).toFixed(1)} | ${
          (cpuSeconds * 1000 / N).toFixed(2)
        } | ${stored} |`,
      );
    }
  }
}

if (PARTS.has("receive")) {
  const port = freePort();
  const env = { ...process.env, TCP_NODELAY: "1" } as Record<string, string>;
  const scp = Bun.spawn(["storescp", "--ignore", "-aet", "BENCH", String(port)], {
    stdout: "ignore",
    stderr: "ignore",
    env,
  });
  try {
    await echoed(port, env, "storescp");
    const started = performance.now();
    const sender = Bun.spawn(["storescu", "-aec", "BENCH", "127.0.0.1", String(port), ...files], {
      env,
      stdout: "ignore",
      stderr: "ignore",
    });
    if (await sender.exited !== 0) throw new Error("storescu to storescp --ignore failed");
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `| storescp --ignore (stores nothing) | 1 | 1 | ${seconds.toFixed(2)} | ${
        (N / seconds).toFixed(0)
      } | ${(bytes / 1e6 / seconds).toFixed(1)} | | |`,
    );
  } finally {
    scp.kill();
    await scp.exited;
  }
}

/** Starts a server on a fresh folder; `fill` may prepare its index folder first. */
async function startServer(
  server: Server,
  extra: Record<string, unknown>,
  fill?: (indexDir: string) => void,
): Promise<{ http: string; dicom: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(work, "run-"));
  mkdirSync(join(dir, "db"));
  fill?.(join(dir, "db"));
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
      ...extra,
    }),
  );
  const proc = Bun.spawn([...server.command, join(dir, "config.json")], {
    cwd: dir,
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${http}`;
  await until(async () => (await fetch(`${url}/system`)).ok, server.label);
  return {
    http: url,
    dicom,
    async stop() {
      proc.kill();
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (PARTS.has("send")) {
  const scpDir = mkdtempSync(join(work, "storescp-"));
  const scpPort = freePort();
  const env = { ...process.env, TCP_NODELAY: "1" } as Record<string, string>;
  const scp = Bun.spawn(["storescp", "-aet", "STORESCP", "+B", "-od", scpDir, String(scpPort)], {
    stdout: "ignore",
    stderr: "ignore",
    env,
  });
  await until(
    () =>
      Promise.resolve(
        Bun.spawnSync(["echoscu", "-aec", "STORESCP", "127.0.0.1", String(scpPort)], { env })
          .exitCode === 0,
      ),
    "storescp",
  );
  console.log(
    `\nC-STORE SCU, POST /modalities/storescp/store (Synchronous) → storescp +B: ${N} instances`,
  );
  console.log("| server | seconds | instances/s | MB/s | received |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const server of servers) {
    const s = await startServer(server, {
      DicomModalities: { storescp: ["STORESCP", "127.0.0.1", scpPort] },
    });
    try {
      let study = "";
      for (const f of files) {
        const r = await fetch(`${s.http}/instances`, { method: "POST", body: Bun.file(f) });
        study = (await r.json()).ParentStudy;
      }
      for (const f of readdirSync(scpDir)) rmSync(join(scpDir, f));
      const started = performance.now();
      const r = await fetch(`${s.http}/modalities/storescp/store`, {
        method: "POST",
        body: JSON.stringify({ Resources: [study], Synchronous: true }),
      });
      const seconds = (performance.now() - started) / 1000;
      if (!r.ok) throw new Error(`store failed: ${await r.text()}`);
      const received = readdirSync(scpDir).length;
      console.log(
        `| ${server.label} | ${seconds.toFixed(2)} | ${(N / seconds).toFixed(0)} | ${
          (bytes / 1e6 / seconds).toFixed(1)
        } | ${received} |`,
      );
    } finally {
      await s.stop();
    }
  }
  scp.kill();
  await scp.exited;
}

/** An index with `count` patients of one study each, written directly (as bench/find.ts). */
function fillIndex(indexDir: string, count: number): void {
  const index = new SqliteIndex(join(indexDir, "pharos-index.sqlite"));
  const family = ["SMITH", "JONES", "MARTIN", "DUBOIS", "MULLER", "ROSSI", "GARCIA", "SATO"];
  for (let s = 0; s < count;) {
    index.transaction(() => {
      for (let b = 0; b < 1000 && s < count; b++, s++) {
        const pid = `PID${String(s).padStart(8, "0")}`;
        const studyUid = `2.25.1${String(s).padStart(9, "0")}`;
        const ids = orthancIds({
          patientId: pid,
          studyInstanceUid: studyUid,
          seriesInstanceUid: "",
          sopInstanceUid: "",
        });
        const p = index.createResource("Patient", ids.patient, null);
        const tags: [number, string][] = [
          [0x00100010, `${family[s % family.length]}${Math.floor(s / 8)}^ANNA`],
          [0x00100020, pid],
        ];
        for (const [tag, v] of tags) index.setMainTag(p, tag, v);
        const st = index.createResource("Study", ids.study, p);
        for (const [tag, v] of tags) index.setMainTag(st, tag, v);
        const day = new Date(Date.UTC(2005, 0, 1) + (s * 86_400_000 * 3) % (20 * 365 * 86_400_000));
        index.setMainTag(st, 0x00080020, day.toISOString().slice(0, 10).replace(/-/g, ""));
        index.setMainTag(st, 0x00080050, `ACC${String(s).padStart(8, "0")}`);
        index.setMainTag(st, 0x0020000d, studyUid);
        index.setMetadata(st, Metadata.LastUpdate, "20260101T000000");
      }
    });
  }
  index.close();
}

if (PARTS.has("find")) {
  const pharos = servers[0]!;
  const s = await startServer(pharos, {
    DicomModalities: { findscu: ["FINDSCU", "127.0.0.1", 1] },
  }, (dir) => fillIndex(dir, STUDIES));
  const queries: [string, string[]][] = [
    ["AccessionNumber exact", ["AccessionNumber=ACC00001234"]],
    ["PatientName wildcard", ["PatientName=MARTIN1*"]],
    ["StudyDate range (1 month)", ["StudyDate=20100101-20100131"]],
  ];
  console.log(
    `\nC-FIND at study level, findscu (one association per query, process start included), ` +
      `${STUDIES} studies, ${RUNS} runs, ${pharos.label}`,
  );
  console.log("| query | answers | median ms | p95 ms |");
  console.log("| --- | ---: | ---: | ---: |");
  const env = { ...process.env, TCP_NODELAY: "1" } as Record<string, string>;
  try {
    for (const [label, keys] of queries) {
      const samples: number[] = [];
      let answers = 0;
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        const r = Bun.spawnSync([
          "findscu",
          "-v",
          "-S",
          "-aet",
          "FINDSCU",
          "-aec",
          "BENCH",
          "-k",
          "QueryRetrieveLevel=STUDY",
          "-k",
          "StudyInstanceUID",
          "-k",
          "PatientName",
          ...keys.flatMap((k) => ["-k", k]),
          "127.0.0.1",
          String(s.dicom),
        ], { env });
        samples.push(performance.now() - t);
        answers = (r.stderr.toString().match(/Find Response: \d+ \(Pending\)/g) ?? []).length;
      }
      samples.sort((a, b) => a - b);
      const at = (q: number) =>
        samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
      console.log(`| ${label} | ${answers} | ${at(0.5).toFixed(1)} | ${at(0.95).toFixed(1)} |`);
    }
  } finally {
    await s.stop();
  }
}
rmSync(work, { recursive: true, force: true });
