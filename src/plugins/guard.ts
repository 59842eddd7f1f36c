// Calls into a plugin outside the hook registry (codecs, jobs, finalize): a throw or a rejection
// is logged with the plugin's name and never escapes.
import { log } from "../log.ts";
import { describeError } from "../server/hooks.ts";
import { type LoadedPlugin, ownerName } from "./loaded-plugin.ts";
import type { Awaitable } from "./pharos-plugin.d.ts";

export async function guard<T>(
  plugin: LoadedPlugin,
  what: string,
  fn: () => Awaitable<T>,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    log.error(`Error in the ${what} of ${ownerName(plugin)}: ${describeError(error)}`);
    return undefined;
  }
}
