// A real PostgreSQL cluster for the tests: initdb on a temporary folder, pg_ctl on a free port,
// started once per test process (bun test runs the files of a run in one) and stopped at its exit.
// Each caller gets a database of its own. PHAROS_TEST_INDEX=postgresql makes every test server
// (server.ts prepareServer) use one instead of SQLite, so that the suites run on both back-ends.
import { chownSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.ts";

export const onPostgreSQL = process.env.PHAROS_TEST_INDEX === "postgresql";

interface Cluster {
  dir: string;
  port: number;
  bin: string;
}

let cluster: Cluster | undefined;
let databases = 0;

function binaries(): string {
  const root = "/usr/lib/postgresql";
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => +b - +a);
  if (versions.length === 0) {
    throw new Error(`no PostgreSQL under ${root} (apt-get install postgresql)`);
  }
  return join(root, versions[0]!, "bin");
}

/** initdb and the server refuse root: as root, they run as the postgres account. */
function run(command: string[]): string {
  const asRoot = process.getuid?.() === 0;
  const argv = asRoot ? ["runuser", "-u", "postgres", "--", ...command] : command;
  const result = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) {
    throw new Error(`${command.join(" ")} failed: ${result.stderr.toString()}`);
  }
  return result.stdout.toString();
}

/** pg_ctl with the options of the tests' server: loopback, no durability (a test needs none). */
function pgCtlCommand(c: Cluster, action: "start" | "restart"): string[] {
  const options = `-p ${c.port} -k ${c.dir} -c listen_addresses=127.0.0.1 -c fsync=off ` +
    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
  const args = [join(c.bin, "pg_ctl"), "-D", join(c.dir, "data"), "-l", join(c.dir, "log")];
  return [...args, "-o", options, "-w", action];
}

/** The cluster of this test process, started at the first call. */
export function testCluster(): Cluster {
  if (cluster) return cluster;
  const dir = mkdtempSync(join(tmpdir(), "pharos-pg-"));
  if (process.getuid?.() === 0) {
    const owner = Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString().trim();
    chownSync(dir, Number(owner), -1);
  }
  const bin = binaries();
  // A watchdog rather than an exit handler: it stops the cluster however the test process ends.
  // Started first, and detached (the inner shell outlives the outer one), so that a test timeout,
  // which ends the subprocesses of its test, ends neither it nor a half-started cluster's care.
  const stop = [join(bin, "pg_ctl"), "-D", join(dir, "data"), "-m", "immediate", "stop"];
  const asUser = process.getuid?.() === 0 ? "runuser -u postgres -- " : "";
  const watch = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${asUser}${
    stop.join(" ")
  } >/dev/null 2>&1; rm -rf ${dir}`;
  Bun.spawnSync(["sh", "-c", 'nohup sh -c "$WATCH" >/dev/null 2>&1 &'], {
    env: { ...process.env, WATCH: watch },
  });
  run([
    join(bin, "initdb"),
    "-D",
    join(dir, "data"),
    "-U",
    "pharos",
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-locale",
    "-N",
  ]);
  const started: Cluster = { dir, port: freePort(), bin };
  run(pgCtlCommand(started, "start"));
  cluster = started;
  return started;
}

/** A new empty database in the test cluster: its connection URI. */
export function freshDatabase(): string {
  const c = testCluster();
  const name = `pharos_${process.pid}_${++databases}`;
  run([join(c.bin, "createdb"), "-h", "127.0.0.1", "-p", String(c.port), "-U", "pharos", name]);
  return `postgres://pharos@127.0.0.1:${c.port}/${name}`;
}

/** Restarts the test cluster (fault tests): every connection to it is cut. */
export function restartCluster(): void {
  run(pgCtlCommand(testCluster(), "restart"));
}

/** restartCluster, while the test process goes on (its requests keep coming during the restart). */
export async function restartClusterMeanwhile(): Promise<void> {
  const command = pgCtlCommand(testCluster(), "restart");
  const asRoot = process.getuid?.() === 0;
  const proc = Bun.spawn(asRoot ? ["runuser", "-u", "postgres", "--", ...command] : command, {
    stdout: "ignore",
    stderr: "pipe",
  });
  if (await proc.exited !== 0) {
    throw new Error(`pg_ctl restart failed: ${await new Response(proc.stderr).text()}`);
  }
}

/** The `PostgreSQL` section of a server's configuration on a fresh database. */
export function postgresqlSection(uri = freshDatabase()): Record<string, unknown> {
  return { EnableIndex: true, ConnectionUri: uri, Lock: false, MaximumConnectionRetries: 0 };
}
