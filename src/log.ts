// Logging in Orthanc's style: warnings and errors always, info with --verbose, trace with --trace.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

export type LogLevel = "error" | "warning" | "info" | "trace";
const RANK: Record<LogLevel, number> = { error: 0, warning: 1, info: 2, trace: 3 };
const LETTER: Record<LogLevel, string> = { error: "E", warning: "W", info: "I", trace: "T" };

let threshold: LogLevel = "warning";
let logFile: string | undefined;

export function configureLogging(
  options: { verbose?: boolean; trace?: boolean; logDir?: string },
): void {
  threshold = options.trace ? "trace" : options.verbose ? "info" : "warning";
  if (options.logDir) {
    mkdirSync(options.logDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
    logFile = join(options.logDir, `Pharos.log.${stamp}-${process.pid}`);
  }
}

function write(level: LogLevel, message: string): void {
  if (RANK[level] > RANK[threshold]) return;
  const now = new Date();
  const time = now.toISOString().slice(11, 23);
  const line = `${LETTER[level]}${String(now.getMonth() + 1).padStart(2, "0")}${
    String(now.getDate()).padStart(2, "0")
  } ${time} ${message}\n`;
  if (logFile) appendFileSync(logFile, line);
  else process.stderr.write(line);
}

export const log = {
  error: (m: string) => write("error", m),
  warning: (m: string) => write("warning", m),
  info: (m: string) => write("info", m),
  trace: (m: string) => write("trace", m),
};
