// What every REST handler can reach.
import type { Configuration } from "../config/schema.ts";
import type { PharosCore } from "../server/core.ts";
import type { StabilityTracker } from "../server/stability.ts";

export interface RestDependencies {
  core: PharosCore;
  config: Configuration;
  stability: StabilityTracker;
}

export type AppEnv = {
  Bindings: { remoteAddress?: string };
  Variables: { username?: string };
};
