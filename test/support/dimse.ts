// Helpers for the DICOM network tests: DCMTK tools, storescp and a real Orthanc as peers.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort, waitFor } from "./server.ts";

export const DCMTK_ENV = { ...process.env, TCP_NODELAY: "1" };

export interface ToolResult {
  code: number;
  out: string;
}

/** Runs a DCMTK tool (stdout and stderr together). */
export async function dcmtk(args: string[], timeoutMs = 60000): Promise<ToolResult> {
  const proc = Bun.spawn(args, { stdout: "pipe", stderr: "pipe", env: DCMTK_ENV });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [out, err] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, out: out + err };
}

export interface StoreScp {
  port: number;
  dir: string;
  files(): string[];
  stop(): Promise<void>;
}

/** storescp in bit-preserving mode: it writes each dataset exactly as received. */
export async function startStoreScp(aet = "STORESCP", port = freePort()): Promise<StoreScp> {
  const dir = mkdtempSync(join(tmpdir(), "pharos-storescp-"));
  const proc = Bun.spawn(["storescp", "-aet", aet, "+B", "-od", dir, String(port)], {
    stdout: "ignore",
    stderr: "ignore",
    env: DCMTK_ENV,
  });
  await waitFor(
    async () => (await dcmtk(["echoscu", "-aec", aet, "127.0.0.1", String(port)])).code === 0,
    "storescp",
  );
  return {
    port,
    dir,
    files: () => readdirSync(dir).filter((f) => !f.startsWith(".")).map((f) => join(dir, f)),
    async stop() {
      proc.kill();
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The dataset of a Part 10 file (what follows the meta header). */
export function datasetOf(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const groupLength = view.getUint32(140, true);
  return bytes.subarray(144 + groupLength);
}

export function fileDataset(path: string): Uint8Array {
  return datasetOf(new Uint8Array(readFileSync(path)));
}

export interface RunningOrthanc {
  url: string;
  dicomPort: number;
  aet: string;
  stop(): Promise<void>;
}

export const hasOrthanc = Bun.which("Orthanc") !== null;

/** A real Orthanc 1.10 on free ports over a temporary folder. */
export async function startOrthanc(
  aet: string,
  config: Record<string, unknown> = {},
): Promise<RunningOrthanc> {
  const dir = mkdtempSync(join(tmpdir(), "pharos-orthanc-"));
  mkdirSync(join(dir, "db"));
  const httpPort = freePort();
  const dicomPort = freePort();
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      Name: aet,
      HttpPort: httpPort,
      DicomPort: dicomPort,
      DicomAet: aet,
      StorageDirectory: join(dir, "db"),
      IndexDirectory: join(dir, "db"),
      RemoteAccessAllowed: true,
      AuthenticationEnabled: false,
      ...config,
    }),
  );
  const proc: Subprocess = Bun.spawn(["Orthanc", join(dir, "config.json")], {
    stdout: "ignore",
    stderr: "ignore",
    cwd: dir,
  });
  const url = `http://127.0.0.1:${httpPort}`;
  await waitFor(async () => (await fetch(`${url}/system`)).ok, "Orthanc", 30000);
  return {
    url,
    dicomPort,
    aet,
    async stop() {
      // Its folder is removed, so a graceful stop, which takes Orthanc 3.5 s, would keep nothing.
      proc.kill("SIGKILL");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
