// What every REST handler can reach: the parts of the server, built by the composition root
// (src/main.ts).
import type { Configuration } from "../config/schema.ts";
import type { DicomNetwork } from "../dimse/network.ts";
import type { Codecs } from "../imaging/codecs.ts";
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
  codecs: Codecs;
  /** /tools/shutdown and /tools/reset ask the composition root through it. */
  control: ServerControl;
  lua?: ScriptRunner;
  /** The plugins' choices of how DICOMweb metadata writes binary values. */
  dicomWebBinary?: BinaryModes;
}

export type AppEnv = {
  Bindings: { remoteAddress?: string; origin?: "Lua" };
  Variables: { username?: string };
};
