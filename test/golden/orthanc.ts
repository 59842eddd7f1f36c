// Real Orthanc 1.10.1 for recording goldens: on a temporary folder with free HTTP and DICOM
// ports, no plugins, the shared golden configuration and the caller's options over it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { sharedConfig } from "./cases.ts";
import { freePort, waitFor } from "../support/server.ts";

const orthancBin = process.env.ORTHANC ?? "/usr/sbin/Orthanc";

export interface RecordingOrthanc {
  url: string;
  /** Orthanc's log, to explain a failed recording. */
  log(): Promise<string>;
  /** Kills it and removes its folder. */
  stop(): Promise<void>;
}

export async function startRecordingOrthanc(
  options: Record<string, unknown> = {},
): Promise<RecordingOrthanc> {
  const dir = mkdtempSync(join(tmpdir(), "orthanc-golden-"));
  const httpPort = freePort();
  let dicomPort = freePort();
  while (dicomPort === httpPort) dicomPort = freePort();
  const config = {
    ...sharedConfig,
    HttpPort: httpPort,
    DicomPort: dicomPort,
    StorageDirectory: join(dir, "storage"),
    IndexDirectory: join(dir, "index"),
    Plugins: [],
    ...options,
  };
  const configPath = join(dir, "orthanc.json");
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const logPath = join(dir, "orthanc.log");
  const proc: Subprocess = Bun.spawn([orthancBin, `--logfile=${logPath}`, configPath], {
    stdout: "ignore",
    stderr: "ignore",
  });
  const orthanc: RecordingOrthanc = {
    url: `http://127.0.0.1:${httpPort}`,
    log: () => Bun.file(logPath).text().catch(() => ""),
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(async () => (await fetch(`${orthanc.url}/system`)).status < 500, "Orthanc");
  } catch (error) {
    console.error(await orthanc.log());
    await orthanc.stop();
    throw error;
  }
  return orthanc;
}
