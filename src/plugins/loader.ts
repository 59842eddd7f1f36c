// Finding and importing the plugins' ESM modules (`Plugins`), their initialize() and finalize().
// A plugin that fails to load is logged by name and left out, unless PluginsFailOnError.
import { readdirSync, statSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Configuration, ConfigurationError } from "../config/schema.ts";
import { log } from "../log.ts";
import { describeError } from "../server/hooks.ts";
import { guard } from "./guard.ts";
import { emptyRegistrations, type LoadedPlugin } from "./loaded-plugin.ts";
import type { PharosHost, PharosPlugin } from "./pharos-plugin.d.ts";

export const PLUGIN_EXTENSIONS = [".js", ".mjs", ".ts"];

/** A plugin that cannot be loaded; fatal only with PluginsFailOnError. */
export class PluginLoadError extends ConfigurationError {}

/** The plugin files a `Plugins` entry names: the file itself, or a folder's modules. */
export function pluginFiles(directory: string, entries: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    const path = resolve(directory, entry);
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      throw new PluginLoadError(`Inexistent path to plugins: ${path}`);
    }
    if (!isFolder) {
      out.push(path);
      continue;
    }
    for (const name of readdirSync(path).sort()) {
      if (name.endsWith(".d.ts") || !PLUGIN_EXTENSIONS.includes(extname(name))) continue;
      const file = join(path, name);
      if (statSync(file).isFile()) out.push(file);
    }
  }
  return out;
}

/** The plugin a module describes: a default-exported object, or a default-exported function. */
export function pluginOfModule(mod: Record<string, unknown>): PharosPlugin {
  const d = mod.default as unknown;
  if (typeof d === "function") {
    const named = (key: string) => (typeof mod[key] === "string" ? mod[key] as string : undefined);
    return {
      name: named("name"),
      version: named("version"),
      description: named("description"),
      initialize: d as PharosPlugin["initialize"],
      indexBackend: typeof mod.indexBackend === "function"
        ? mod.indexBackend as PharosPlugin["indexBackend"]
        : undefined,
      finalize: typeof mod.finalize === "function"
        ? mod.finalize as PharosPlugin["finalize"]
        : undefined,
    };
  }
  if (d && typeof d === "object" && typeof (d as PharosPlugin).initialize === "function") {
    return d as PharosPlugin;
  }
  throw new PluginLoadError("the module does not default-export initialize(host)");
}

/** The files of `Plugins`; past a bad entry, what the other entries name (unless failOnError). */
function configuredFiles(config: Configuration, failOnError: boolean): string[] {
  try {
    return pluginFiles(config.configurationDirectory, config.Plugins);
  } catch (error) {
    if (failOnError) throw error;
    log.error((error as Error).message);
  }
  const files: string[] = [];
  for (const entry of config.Plugins) {
    try {
      files.push(...pluginFiles(config.configurationDirectory, [entry]));
    } catch {
      // reported above
    }
  }
  return files;
}

/** What loading needs from the plugin host. */
export interface PluginSite {
  /** The API object of a plugin; `state.initializing` tells whether its initialize() runs. */
  hostFor(plugin: LoadedPlugin, state: { initializing: boolean }): PharosHost;
  /** Installs what a plugin registered, once its initialize() has succeeded. */
  adopt(plugin: LoadedPlugin): void;
  /** Whether the plugin of this file (its name without extension) runs in a worker. */
  isolated(fileName: string): boolean;
  /** The plugin of a file, loaded in its own worker. */
  isolate(file: string): Promise<PharosPlugin>;
}

/** Loads every configured plugin in order. */
export async function loadPlugins(
  config: Configuration,
  failOnError: boolean,
  site: PluginSite,
): Promise<void> {
  const loaded: LoadedPlugin[] = [];
  const files = configuredFiles(config, failOnError);
  const names = new Set(files.map((file) => basename(file, extname(file))));
  for (const name of Object.keys(config.PluginsIsolation)) {
    if (!names.has(name)) {
      log.warning(`PluginsIsolation names "${name}", but no plugin file has that name`);
    }
  }
  for (const file of files) {
    try {
      loaded.push(await loadPlugin(file, loaded, site));
    } catch (error) {
      const name = basename(file, extname(file));
      const message = `Plugin "${name}" (${file}) failed to load: ${describeError(error)}`;
      if (failOnError) throw new PluginLoadError(message);
      log.error(message);
    }
  }
}

async function loadPlugin(
  file: string,
  loaded: readonly LoadedPlugin[],
  site: PluginSite,
): Promise<LoadedPlugin> {
  const fileName = basename(file, extname(file));
  const module = site.isolated(fileName)
    ? await site.isolate(file)
    : pluginOfModule(await import(pathToFileURL(file).href) as Record<string, unknown>);
  const id = module.name ?? basename(file, extname(file));
  if (loaded.some((p) => p.id === id)) {
    throw new PluginLoadError(`a plugin named "${id}" is already loaded`);
  }
  const plugin: LoadedPlugin = {
    id,
    version: module.version ?? "unknown",
    description: module.description,
    path: file,
    module,
    registrations: emptyRegistrations(),
  };
  const state = { initializing: true };
  const host = site.hostFor(plugin, state);
  try {
    await module.initialize(host);
  } finally {
    state.initializing = false;
  }
  site.adopt(plugin);
  const where = site.isolated(fileName) ? " (in a worker)" : "";
  log.warning(`Plugin "${id}" (version ${plugin.version}) loaded from ${file}${where}`);
  return plugin;
}

/** Each plugin's finalize(), last loaded first. */
export async function finalizePlugins(plugins: readonly LoadedPlugin[]): Promise<void> {
  for (const plugin of [...plugins].reverse()) {
    const finalize = plugin.module.finalize;
    if (finalize) await guard(plugin, "finalize()", () => finalize.call(plugin.module));
  }
}
