// Logging in Orthanc's style: warnings and errors always; info and trace by category (Orthanc's
// generic, plugins, http, dicom, sqlite, jobs, lua), each at the verbosity --verbose / --trace set
// at startup or /tools/log-level-{category} sets while running.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

export type LogLevel = "error" | "warning" | "info" | "trace";
const RANK: Record<LogLevel, number> = { error: 0, warning: 1, info: 2, trace: 3 };
const LETTER: Record<LogLevel, string> = { error: "E", warning: "W", info: "I", trace: "T" };

export const LOG_CATEGORIES = [
  "generic",
  "plugins",
  "http",
  "dicom",
  "sqlite",
  "jobs",
  "lua",
] as const;
export type LogCategory = typeof LOG_CATEGORIES[number];

/** Orthanc's names of a category's verbosity, from the least to the most verbose. */
export const VERBOSITIES = ["default", "verbose", "trace"] as const;
export type Verbosity = typeof VERBOSITIES[number];
const THRESHOLD: Record<Verbosity, LogLevel> = {
  default: "warning",
  verbose: "info",
  trace: "trace",
};

const verbosity = new Map<LogCategory, Verbosity>(LOG_CATEGORIES.map((c) => [c, "default"]));
let logFile: string | undefined;

export function configureLogging(
  options: { verbose?: boolean; trace?: boolean; logDir?: string },
): void {
  setVerbosity(options.trace ? "trace" : options.verbose ? "verbose" : "default");
  if (options.logDir) {
    mkdirSync(options.logDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
    logFile = join(options.logDir, `Pharos.log.${stamp}-${process.pid}`);
  }
}

/** Sets one category's verbosity, or every category's. */
export function setVerbosity(value: Verbosity, category?: LogCategory): void {
  for (const c of category ? [category] : LOG_CATEGORIES) verbosity.set(c, value);
}

/** A category's verbosity, or without one the most verbose of all (Orthanc's /tools/log-level). */
export function currentVerbosity(category?: LogCategory): Verbosity {
  if (category) return verbosity.get(category)!;
  const ranks = [...verbosity.values()].map((v) => VERBOSITIES.indexOf(v));
  return VERBOSITIES[Math.max(...ranks)]!;
}

function write(level: LogLevel, message: string, category: LogCategory): void {
  if (RANK[level] > RANK[THRESHOLD[verbosity.get(category)!]]) return;
  const now = new Date();
  const time = now.toISOString().slice(11, 23);
  const line = `${LETTER[level]}${String(now.getMonth() + 1).padStart(2, "0")}${
    String(now.getDate()).padStart(2, "0")
  } ${time} ${message}\n`;
  if (logFile) appendFileSync(logFile, line);
  else process.stderr.write(line);
}

export const log = {
  error: (m: string, category: LogCategory = "generic") => write("error", m, category),
  warning: (m: string, category: LogCategory = "generic") => write("warning", m, category),
  info: (m: string, category: LogCategory = "generic") => write("info", m, category),
  trace: (m: string, category: LogCategory = "generic") => write("trace", m, category),
};
