// How each benchmarked server is started on a fresh, throw-away folder.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort, type Launch } from "./process.ts";

export interface ServerUnderTest {
  label: string;
  /** The command line before the config path; `--version` is asked of it for the report. */
  command: readonly string[];
  /** Starts from an empty storage folder each time; `cleanup` removes it. */
  launch(): Launch;
}

const repoRoot = resolve(import.meta.dir, "../..");

/** The options both servers understand, on free loopback ports. */
export function baseConfig(dir: string, name: string): Record<string, unknown> {
  return {
    Name: name,
    HttpPort: freePort(),
    DicomPort: freePort(),
    StorageDirectory: join(dir, "storage"),
    IndexDirectory: join(dir, "index"),
    RemoteAccessAllowed: true,
    AuthenticationEnabled: false,
  };
}

export interface LaunchOptions {
  /** Leave each run's folder (config, log, storage) behind for inspection. */
  keep: boolean;
  /** Options given to both servers on top of the shared ones. */
  config: Record<string, unknown>;
  /** Where the per-run folders go; a tmpfs such as /dev/shm takes the disk out of the figures. */
  workDir: string;
}

function launcher(
  prefix: string,
  name: string,
  command: readonly string[],
  ownConfig: Record<string, unknown>,
  { keep, config: sharedConfig, workDir }: LaunchOptions,
): () => Launch {
  return () => {
    const dir = mkdtempSync(join(workDir, prefix));
    const config = { ...baseConfig(dir, name), ...ownConfig, ...sharedConfig };
    const configPath = join(dir, "config.json");
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    return {
      command: [...command, configPath],
      url: `http://127.0.0.1:${config.HttpPort}`,
      logPath: join(dir, "server.log"),
      cleanup: () => {
        if (!keep) rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

/** Orthanc's GDCM plugin (package orthanc-gdcm): its decoders of JPEG 2000 and the like. */
export const ORTHANC_GDCM = "/usr/share/orthanc/plugins/libOrthancGdcm.so";

export function orthanc(options: LaunchOptions, plugins: string[] = []): ServerUnderTest {
  const bin = process.env.ORTHANC_BIN ?? "Orthanc";
  // An explicit plugin list keeps the comparison to Orthanc's core and the plugins named,
  // whatever is installed system-wide.
  return {
    label: plugins.includes(ORTHANC_GDCM) ? "Orthanc+GDCM" : "Orthanc",
    command: [bin],
    launch: launcher("bench-orthanc-", "BenchOrthanc", [bin], { Plugins: plugins }, options),
  };
}

/** The compiled binary when it has been built, else the sources under the running Bun. */
export function defaultPharosCommand(): string[] {
  const binary = join(repoRoot, "dist/pharos");
  return existsSync(binary) ? [binary] : [process.execPath, join(repoRoot, "src/main.ts")];
}

export function pharos(command: readonly string[], options: LaunchOptions): ServerUnderTest {
  return {
    label: "Pharos",
    command,
    launch: launcher("bench-pharos-", "BenchPharos", command, {}, options),
  };
}

/**
 * First line of `<command> --version` (both servers print e.g. "Orthanc 1.10.1"). /system is no
 * help here: Pharos reports there the Orthanc version it is compatible with.
 */
export function versionLine(server: ServerUnderTest): string {
  try {
    const run = Bun.spawnSync([...server.command, "--version"], {
      stdout: "pipe",
      stderr: "ignore",
    });
    const first = run.stdout.toString().split("\n")[0]?.trim();
    return run.exitCode === 0 && first ? first : server.label;
  } catch {
    return server.label;
  }
}
