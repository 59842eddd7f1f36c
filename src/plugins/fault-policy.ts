// The process's policy for errors nobody catches: a rejected promise that nobody awaits, a throw
// inside a plugin's timer or event listener. Node's default (and Bun's) is to exit; a plugin must
// not take the server down, so such an error is attributed to the plugin whose file its stack
// names, logged, and the server goes on serving.
import { pathToFileURL } from "node:url";
import { log } from "../log.ts";
import { describeError } from "../server/hooks.ts";

/** Where a stray error came from: the plugin whose file its stack names. */
export function attributeError(
  error: unknown,
  plugins: readonly { id: string; path: string }[],
): string | undefined {
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  const found = plugins.find((p) =>
    stack.includes(p.path) || stack.includes(pathToFileURL(p.path).href)
  );
  return found?.id;
}

/** Logs what would have ended the process, and keeps it running. */
export function installFaultPolicy(
  plugins: () => readonly { id: string; path: string }[],
  target: NodeJS.Process = process,
): void {
  const report = (kind: string) => (error: unknown) => {
    const id = attributeError(error, plugins());
    const origin = id === undefined ? "of unknown origin" : `in plugin "${id}"`;
    log.error(`Uncaught error ${origin} (${kind}), the server goes on: ${describeError(error)}`);
  };
  target.on("unhandledRejection", report("a rejected promise nobody awaited"));
  target.on("uncaughtException", report("an exception outside any callback"));
}
