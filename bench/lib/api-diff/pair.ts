// Orthanc 1.10.1 and Pharos started side by side with one configuration, each one's DICOM
// modality and Orthanc peer being the other, so that the network routes have a live target.
import { freePort } from "../process.ts";
import {
  assertNothingListening,
  killIfRunning,
  type ServerProcess,
  spawnServer,
  stopServer,
  waitUntilReady,
} from "../process.ts";
import { orthanc, pharos } from "../servers.ts";

export interface RunningServer {
  label: "Orthanc" | "Pharos";
  url: string;
  own: Ports;
  /** The other server's ports: the target of this server's "peer" modality and Orthanc peer. */
  peer: Ports;
  logPath: string;
  process: ServerProcess;
  cleanup(): void;
}

export const AET = "APIDIFF";
export const MODALITY = "peer";
export const PEER = "peer";
export const USER_METADATA = "diff-meta";
export const USER_ATTACHMENT = "diff-attachment";

export interface Ports {
  http: number;
  dicom: number;
}

/**
 * What both servers get on top of bench/lib/servers.ts's base: the same Name and AET (so that a
 * C-MOVE to "our" AET comes back through the "peer" entry on either side), a long StableAge so
 * that nothing turns stable during the run on either side whatever their speed, and one user
 * metadata and attachment type for the {name} routes.
 */
function sharedConfig(own: Ports, other: Ports): Record<string, unknown> {
  return {
    Name: "PharosApiDiff",
    HttpPort: own.http,
    DicomPort: own.dicom,
    DicomAet: AET,
    StableAge: 3600,
    SyncStorageArea: false,
    DicomScuTimeout: 10,
    DicomModalities: { [MODALITY]: [AET, "127.0.0.1", other.dicom] },
    OrthancPeers: { [PEER]: [`http://127.0.0.1:${other.http}/`] },
    UserMetadata: { [USER_METADATA]: 1024 },
    UserContentType: { [USER_ATTACHMENT]: 1025 },
  };
}

async function start(
  label: RunningServer["label"],
  server: ReturnType<typeof orthanc>,
  own: Ports,
  peer: Ports,
): Promise<RunningServer> {
  const launch = server.launch();
  await assertNothingListening(launch.url);
  const proc = spawnServer(launch.command, launch.logPath);
  try {
    await waitUntilReady(proc, launch.url, {});
  } catch (error) {
    await killIfRunning(proc);
    launch.cleanup?.();
    throw error;
  }
  return {
    label,
    url: launch.url,
    own,
    peer,
    logPath: launch.logPath,
    process: proc,
    cleanup: () => launch.cleanup?.(),
  };
}

export async function startPair(
  pharosCommand: readonly string[],
  keep: boolean,
): Promise<[RunningServer, RunningServer]> {
  const o: Ports = { http: freePort(), dicom: freePort() };
  const p: Ports = { http: freePort(), dicom: freePort() };
  const options = (own: Ports, other: Ports) => ({
    keep,
    workDir: "/tmp",
    config: sharedConfig(own, other),
  });
  const first = await start("Orthanc", orthanc(options(o, p)), o, p);
  try {
    const second = await start("Pharos", pharos(pharosCommand, options(p, o)), p, o);
    return [first, second];
  } catch (error) {
    await stopPair([first]);
    throw error;
  }
}

/** Stops what is still running (a server may have died during the run) and removes folders. */
export async function stopPair(servers: readonly RunningServer[]): Promise<void> {
  for (const s of servers) {
    try {
      const { exitCode, signalCode } = s.process.proc;
      if (exitCode === null && signalCode === null) await stopServer(s.process);
    } catch (error) {
      console.error(`${s.label}: ${(error as Error).message.split("\n")[0]}`);
    } finally {
      await killIfRunning(s.process);
      s.cleanup();
    }
  }
}

/** Names of the ports an answer of this server may show, for volatile.ts. */
export function portNames(server: RunningServer): Map<number, string> {
  return new Map([
    [server.own.http, "own-http"],
    [server.own.dicom, "own-dicom"],
    [server.peer.http, "peer-http"],
    [server.peer.dicom, "peer-dicom"],
  ]);
}
