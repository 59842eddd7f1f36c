// Spawning a server under measurement: readiness, memory and shutdown timing.
import { closeSync, openSync, readFileSync } from "node:fs";
import type { Subprocess } from "bun";

/** One way to start a server; made once per run so each run can get a fresh folder. */
export interface Launch {
  command: string[];
  url: string;
  headers?: Record<string, string>;
  logPath: string;
  cleanup?: () => void;
}

export interface ServerProcess {
  proc: Subprocess;
  /** performance.now() just before spawn, the zero of the startup clock. */
  spawnedAt: number;
  logPath: string;
}

/**
 * Starts a server with its output sent to a log file: a pipe nobody reads
 * would fill up and stall a chatty server mid-benchmark.
 */
export function spawnServer(command: readonly string[], logPath: string): ServerProcess {
  // One append-mode descriptor for both streams, so they interleave instead of overwriting each other.
  const log = openSync(logPath, "a");
  try {
    const spawnedAt = performance.now();
    const proc = Bun.spawn([...command], { stdout: log, stderr: log, stdin: "ignore" });
    return { proc, spawnedAt, logPath };
  } finally {
    closeSync(log);
  }
}

/**
 * Refuses to measure when something already answers at the URL: readiness
 * would then be that other server's, and uploads would land in it.
 */
export async function assertNothingListening(url: string): Promise<void> {
  try {
    await fetch(`${url}/system`, { keepalive: false, signal: AbortSignal.timeout(1000) });
  } catch (error) {
    // Refused is what we want; a listener that never answers is still in the way.
    if (!(error instanceof Error && error.name === "TimeoutError")) return;
  }
  throw new Error(`something already answers at ${url}; stop it or choose another port`);
}

export function basicAuth(userPass: string | undefined): Record<string, string> {
  return userPass ? { Authorization: `Basic ${btoa(userPass)}` } : {};
}

/**
 * Polls GET /system every `intervalMs` until it answers 200, returning the
 * elapsed milliseconds since spawn. Fails fast if the process dies first.
 */
export async function waitUntilReady(
  server: ServerProcess,
  url: string,
  headers: Record<string, string>,
  { intervalMs = 5, deadlineMs = 60_000 } = {},
): Promise<number> {
  const deadline = server.spawnedAt + deadlineMs;
  let exited = false;
  void server.proc.exited.then(() => (exited = true));
  while (performance.now() < deadline) {
    const attemptAt = performance.now();
    if (await answersSystem(url, headers)) return performance.now() - server.spawnedAt;
    if (exited) {
      throw new Error(
        `server exited with ${server.proc.exitCode} before answering /system\n${
          tail(server.logPath)
        }`,
      );
    }
    const wait = attemptAt + intervalMs - performance.now();
    if (wait > 0) await Bun.sleep(wait);
  }
  throw new Error(`no 200 from ${url}/system within ${deadlineMs} ms\n${tail(server.logPath)}`);
}

async function answersSystem(url: string, headers: Record<string, string>): Promise<boolean> {
  try {
    // No keep-alive: an idle pooled connection must not be what delays the
    // server's shutdown later on.
    const res = await fetch(`${url}/system`, {
      headers,
      keepalive: false,
      signal: AbortSignal.timeout(2000),
    });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Resident set size in bytes, from /proc/<pid>/status (Linux only). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/**
 * The CPU time a process has used, all its threads (ended ones too), in seconds: unlike wall time,
 * it hardly moves when other work shares the cores. /proc counts it in ticks of 1/100 s.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The fields after the command name, which may hold spaces, in parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Sends SIGTERM and returns the milliseconds until the process is gone. A
 * server that ignores it past the deadline is killed and reported as failed.
 */
export async function stopServer(server: ServerProcess, deadlineMs = 30_000): Promise<number> {
  const { proc } = server;
  if (proc.exitCode !== null || proc.signalCode !== null) {
    throw new Error(
      `server had already exited (${proc.exitCode ?? proc.signalCode})\n${tail(server.logPath)}`,
    );
  }
  const sentAt = performance.now();
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), deadlineMs);
  await proc.exited;
  clearTimeout(timer);
  const elapsed = performance.now() - sentAt;
  if (proc.signalCode === "SIGKILL") throw new Error(`server ignored SIGTERM for ${deadlineMs} ms`);
  return elapsed;
}

/** Makes sure nothing is left running after a failed measurement. */
export async function killIfRunning(server: ServerProcess): Promise<void> {
  if (server.proc.exitCode === null && server.proc.signalCode === null) server.proc.kill("SIGKILL");
  await server.proc.exited;
}

/** Last lines of a server log, to explain a failure. */
export function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port;
  probe.stop(true);
  if (port === undefined) throw new Error("could not obtain a free port");
  return port;
}
