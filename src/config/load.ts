// Reads Orthanc's configuration format: JSON with comments, a file or a folder of files merged,
// and ${ENV} substitution.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { checkUnhonoured, isUnhonoured } from "./unhonoured.ts";
import { type Configuration, ConfigurationError, validateConfiguration } from "./schema.ts";

/** Removes // and /* *\/ comments outside of strings. */
export function stripComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new ConfigurationError("Unterminated comment in the configuration");
      out += text.slice(i, end + 2).replace(/[^\n]/g, " ");
      i = end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Replaces ${NAME} by the environment variable NAME (empty when unset), as Orthanc does. */
export function substituteEnvironment(
  text: string,
  env: Record<string, string | undefined>,
): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? "");
}

function parseFile(path: string, env: Record<string, string | undefined>): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigurationError(
      `Cannot read the configuration file ${path}: ${(error as Error).message}`,
    );
  }
  try {
    const value = JSON.parse(substituteEnvironment(stripComments(text), env)) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new ConfigurationError(`The configuration file ${path} must hold a JSON object`);
    }
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError(
      `The configuration file ${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

export function readConfigurationSource(
  path: string | undefined,
  env: Record<string, string | undefined> = process.env,
): { raw: Record<string, unknown>; directory: string } {
  if (!path) return { raw: {}, directory: process.cwd() };
  const full = resolve(path);
  let isFolder: boolean;
  try {
    isFolder = statSync(full).isDirectory();
  } catch {
    throw new ConfigurationError(`The configuration file or folder does not exist: ${path}`);
  }
  if (!isFolder) return { raw: parseFile(full, env), directory: dirname(full) };
  const raw: Record<string, unknown> = {};
  for (const name of readdirSync(full).filter((n) => n.endsWith(".json")).sort()) {
    const part = parseFile(join(full, name), env);
    for (const [key, value] of Object.entries(part)) {
      if (key in raw) throw new ConfigurationError(`Option "${key}" is defined twice in ${path}`);
      raw[key] = value;
    }
  }
  return { raw, directory: full };
}

export function loadConfiguration(
  path: string | undefined,
  warn: (message: string) => void,
  env: Record<string, string | undefined> = process.env,
): Configuration {
  const { raw, directory } = readConfigurationSource(path, env);
  const config = validateConfiguration(raw, directory, warn, isUnhonoured);
  checkUnhonoured(raw, warn);
  return config;
}
