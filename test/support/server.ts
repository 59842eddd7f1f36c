// Starts a real Pharos process over a temporary folder on a free port, for end-to-end tests.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { freePort } from "./ports.ts";
import { onPostgreSQL, postgresqlSection } from "./postgresql.ts";

export const samplesDir = resolve(import.meta.dir, "../../../shared/dicom-samples");
const mainTs = resolve(import.meta.dir, "../../src/main.ts");

/** What every test server offers, in a process of its own or inside the test process. */
export interface TestServer {
  url: string;
  port: number;
  dir: string;
  /** Stops the server, then removes the folder unless `keep` is set or it was given. */
  stop(options?: { keep?: boolean }): Promise<unknown>;
}

export interface RunningServer extends TestServer {
  process: Subprocess;
  /** Graceful stop (SIGTERM), then removes the folder unless `keep` is set. */
  stop(options?: { keep?: boolean; signal?: NodeJS.Signals }): Promise<number | null>;
}

export { freePort } from "./ports.ts";

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  deadlineMs = 15000,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface StartOptions {
  /** Configuration merged over the test defaults. */
  config?: Record<string, unknown>;
  /** Reuse an existing data folder (e.g. after a restart). */
  dir?: string;
  /** Command to run instead of `bun src/main.ts` (e.g. the compiled binary). */
  command?: string[];
  env?: Record<string, string>;
  /** Command-line flags placed before the configuration path. */
  extraArgs?: string[];
}

/** A test server's folder, free HTTP port and configuration file, as both kinds of server use. */
export interface PreparedServer {
  dir: string;
  port: number;
  url: string;
  config: Record<string, unknown>;
  configPath: string;
}

/** The PostgreSQL section of each test server's folder, kept for its restarts. */
const databases = new Map<string, Record<string, unknown>>();

/**
 * Writes the configuration of a test server: the test defaults, then `config` over them. Under
 * PHAROS_TEST_INDEX=postgresql, the index is a database of the test cluster, one per folder.
 */
export function prepareServer(options: Pick<StartOptions, "config" | "dir">): PreparedServer {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "pharos-test-"));
  const port = freePort();
  let postgresql: Record<string, unknown> = {};
  if (onPostgreSQL) {
    const section = databases.get(dir) ?? postgresqlSection();
    databases.set(dir, section);
    // A node keeps its identity across restarts (its saved jobs are its own), as a deployed node
    // keeps its ports: the tests give each restart a new port.
    postgresql = { PostgreSQL: section, DatabaseServerIdentifier: basename(dir) };
  }
  const config = {
    Name: "PharosTest",
    HttpPort: port,
    DicomPort: 0,
    StorageDirectory: join(dir, "storage"),
    IndexDirectory: join(dir, "index"),
    RemoteAccessAllowed: true,
    AuthenticationEnabled: false,
    ...postgresql,
    ...options.config,
  };
  const configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return { dir, port, url: `http://127.0.0.1:${port}`, config, configPath };
}

export async function startPharos(options: StartOptions = {}): Promise<RunningServer> {
  const { dir, port, url, config, configPath } = prepareServer(options);
  const command = options.command ?? [process.execPath, mainTs];
  const proc = Bun.spawn([...command, ...(options.extraArgs ?? []), configPath], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...options.env },
  });
  const headers = authHeaders(config);
  try {
    await waitFor(
      async () => (await fetch(`${url}/system`, { headers })).status < 500,
      "Pharos /system",
    );
  } catch (error) {
    proc.kill("SIGKILL");
    const err = await new Response(proc.stderr).text();
    throw new Error(`${(error as Error).message}\n${err}`);
  }
  return {
    url,
    port,
    dir,
    process: proc,
    async stop({ keep = false, signal = "SIGTERM" } = {}) {
      proc.kill(signal);
      const code = await proc.exited;
      if (!keep && !options.dir) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

function authHeaders(config: Record<string, unknown>): Record<string, string> {
  const users = config.RegisteredUsers as Record<string, string> | undefined;
  if (config.AuthenticationEnabled === false || !users) return {};
  const [user, password] = Object.entries(users)[0]!;
  return { Authorization: `Basic ${btoa(`${user}:${password}`)}` };
}

/** Every .dcm file below a folder of the shared samples, sorted for stable order. */
export async function sampleFiles(sub = ""): Promise<string[]> {
  const glob = new Bun.Glob("**/*");
  const files: string[] = [];
  for await (const f of glob.scan({ cwd: join(samplesDir, sub), onlyFiles: true })) {
    if (!f.endsWith(".png") && !f.endsWith(".pdf") && !f.endsWith(".raw")) {
      files.push(join(samplesDir, sub, f));
    }
  }
  return files.sort();
}

export function upload(url: string, file: string): Promise<Response> {
  return fetch(`${url}/instances`, { method: "POST", body: Bun.file(file) });
}
