// The per-callback deadline (PluginCallbackTimeout): a plugin's callback that a client or a store
// waits for must answer in time, or Orthanc's Timeout error answers in its place. The callback
// itself cannot be stopped on the server's thread; it is left to finish unheard (a plugin in a
// worker is terminated instead, isolation/).
import { log } from "../log.ts";
import { OrthancError } from "../server/errors.ts";
import type { Awaitable } from "./pharos-plugin.d.ts";

/** Settles as `work` does, or rejects with Orthanc's Timeout error after `ms`, logged. */
export function withDeadline<T>(
  work: () => Awaitable<T>,
  ms: number,
  what: string,
  onTimeout?: () => void,
): Promise<T> {
  const { promise, resolve, reject } = Promise.withResolvers<T>();
  const timer = setTimeout(() => {
    const details = `The ${what} did not answer within ${ms / 1000} s`;
    log.error(details);
    reject(new OrthancError("Timeout", details));
    onTimeout?.();
  }, ms);
  try {
    Promise.resolve(work()).then(resolve, reject).finally(() => clearTimeout(timer));
  } catch (error) {
    clearTimeout(timer);
    reject(error);
  }
  return promise;
}

/** Waits for `work` at most `ms`, then goes on without it (logged): for the shutdown. */
export async function waitAtMost(work: Promise<unknown>, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ms);
  });
  const outcome = await Promise.race([
    work.then(() => "done" as const, () => "done" as const),
    late,
  ]);
  clearTimeout(timer);
  if (outcome === "late") {
    log.error(`Stopping without waiting any longer for ${what} (${ms / 1000} s)`);
  }
}
