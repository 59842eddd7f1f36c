// What every REST handler can reach: the parts of the server, built by the composition root
// (src/main.ts).
import type { Configuration } from "../config/schema.ts";
import type { DicomNetwork } from "../dimse/network.ts";
import type { Codecs } from "../imaging/codecs.ts";
import type { PharosCore } from "../server/core.ts";
import type { ServerControl } from "../server/control.ts";
import type { JobRegistry } from "../server/jobs.ts";
import type { StabilityTracker } from "../server/stability.ts";

export interface RestDependencies {
  core: PharosCore;
  config: Configuration;
  stability: StabilityTracker;
  jobs: JobRegistry;
  network: DicomNetwork;
  codecs: Codecs;
  /** /tools/shutdown and /tools/reset ask the composition root through it. */
  control: ServerControl;
}

export type AppEnv = {
  Bindings: { remoteAddress?: string };
  Variables: { username?: string };
};
