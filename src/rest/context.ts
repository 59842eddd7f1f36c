// What every REST handler can reach: the parts of the server, built by the composition root
// (src/main.ts).
import type { Configuration } from "../config/schema.ts";
import type { DicomNetwork } from "../dimse/network.ts";
import type { Codecs } from "../imaging/codecs.ts";
import type { ArchiveOutputs } from "../server/archives.ts";
import type { PeerRegistry } from "../peers/registry.ts";
import type { DicomWebServers } from "../dicomweb/client/servers.ts";
import type { BinaryModes } from "../dicomweb/binary-modes.ts";
import type { PharosCore } from "../server/core.ts";
import type { ServerControl } from "../server/control.ts";
import type { JobRegistry } from "../server/jobs.ts";
import type { StabilityTracker } from "../server/stability.ts";

/** Lua's entry point for POST /tools/execute-script (src/lua): what the script printed. */
export interface ScriptRunner {
  execute(source: Uint8Array): Promise<Uint8Array>;
}

export interface RestDependencies {
  core: PharosCore;
  config: Configuration;
  stability: StabilityTracker;
  jobs: JobRegistry;
  network: DicomNetwork;
  /** The Orthanc peers (/peers). */
  peers: PeerRegistry;
  /** The DICOMweb client's remote servers (/dicom-web/servers). */
  dicomWebServers: DicomWebServers;
  codecs: Codecs;
  /** /tools/shutdown and /tools/reset ask the composition root through it. */
  control: ServerControl;
  lua?: ScriptRunner;
  /** The outputs of asynchronous archive jobs, removed when the server stops (own by default). */
  archiveOutputs?: ArchiveOutputs;
  /** The plugins' choices of how DICOMweb metadata writes binary values. */
  dicomWebBinary?: BinaryModes;
}

export type AppEnv = {
  Bindings: { remoteAddress?: string; origin?: "Lua" };
  Variables: { username?: string };
};
