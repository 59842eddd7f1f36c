// The first phase of plugin loading: before the core is composed, the in-process plugins are
// imported and asked for an index back-end (PharosPlugin.indexBackend), as Orthanc's database
// plugins register theirs before Orthanc opens its database. The back-end is handed over as it
// is; the composition root checks it against the index interface. A module that fails to import
// here is left to the second phase (loader.ts), which reports it.
import { basename, extname } from "node:path";
import { pathToFileURL } from "node:url";
import { type Configuration, ConfigurationError } from "../config/schema.ts";
import { log } from "../log.ts";
import { describeError } from "../server/hooks.ts";
import { pluginFiles, pluginOfModule } from "./loader.ts";
import type { PharosPlugin } from "./pharos-plugin.d.ts";

export interface ProvidedIndex {
  /** The file name of the plugin that provided it, for the messages. */
  plugin: string;
  backend: object;
}

/** The files of `Plugins`, bad entries skipped (the second phase reports them). */
function files(config: Configuration): string[] {
  return config.Plugins.flatMap((entry) => {
    try {
      return pluginFiles(config.configurationDirectory, [entry]);
    } catch {
      return [];
    }
  });
}

async function moduleOf(file: string): Promise<PharosPlugin | undefined> {
  try {
    return pluginOfModule(await import(pathToFileURL(file).href) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

/** The index a plugin provides, or undefined; throws if two do, or if one fails. */
export async function pluginIndexBackend(
  config: Configuration,
): Promise<ProvidedIndex | undefined> {
  let provided: ProvidedIndex | undefined;
  for (const file of files(config)) {
    const name = basename(file, extname(file));
    if (config.PluginsIsolation[name] === "Worker") continue;
    const plugin = await moduleOf(file);
    if (!plugin?.indexBackend) continue;
    const prefix = `[plugin ${plugin.name ?? name}] `;
    let backend: object | undefined;
    try {
      backend = await plugin.indexBackend({
        configuration: Object.freeze(structuredClone(config.raw)),
        configurationDirectory: config.configurationDirectory,
        log: { error: (m) => log.error(prefix + m), warning: (m) => log.warning(prefix + m) },
      });
    } catch (error) {
      throw new ConfigurationError(
        `Plugin "${name}" failed to provide the index: ${describeError(error)}`,
      );
    }
    if (backend === undefined || backend === null) continue;
    if (provided) {
      throw new ConfigurationError(
        `Plugins "${provided.plugin}" and "${name}" both provide the index: only one may`,
      );
    }
    provided = { plugin: name, backend };
  }
  return provided;
}
