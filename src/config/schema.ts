// Validates a merged configuration object against OPTIONS, giving a typed Configuration.
import { z } from "zod";
import { OPTIONS } from "./options.ts";

type Options = typeof OPTIONS;
export type Configuration = { [K in keyof Options]: z.infer<ReturnType<Options[K]["schema"]>> } & {
  /** Folder of the configuration file(s), against which relative paths resolve. */
  configurationDirectory: string;
  /** Every option as given, including the ones Pharos does not interpret. */
  raw: Record<string, unknown>;
};

export class ConfigurationError extends Error {}

export function validateConfiguration(
  raw: Record<string, unknown>,
  configurationDirectory: string,
  warn: (message: string) => void,
  known: (name: string) => boolean,
): Configuration {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(OPTIONS)) {
    const given = raw[name];
    if (given === undefined) {
      out[name] = structuredClone(spec.default);
      continue;
    }
    const parsed = spec.schema().safeParse(given);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigurationError(
        `Bad value for configuration option "${name}": ${issue?.message ?? "invalid"} (got ${
          JSON.stringify(given)
        })`,
      );
    }
    out[name] = parsed.data;
  }
  for (const name of Object.keys(raw)) {
    if (!(name in OPTIONS) && !known(name)) warn(`Unknown configuration option: "${name}"`);
  }
  return {
    ...(out as Omit<Configuration, "configurationDirectory" | "raw">),
    configurationDirectory,
    raw,
  };
}
