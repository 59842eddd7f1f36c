// CPU-bound work of plugins, off the event loop (host.workers.run): a module's default export runs
// in worker threads, a small pool per module, so that a plugin's heavy computation does not stall
// the requests the server is answering. A task that throws, or that outlives its timeout, rejects;
// a worker that timed out or crashed is replaced.
import { log } from "../log.ts";

interface Task {
  input: unknown;
  timeoutMs: number | undefined;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  task?: Task;
  timer?: ReturnType<typeof setTimeout>;
}

/** Imports the module once, then answers each message with its default export's result. */
function bootstrap(moduleUrl: string): string {
  return `
const ready = import(${JSON.stringify(moduleUrl)});
self.onmessage = async (event) => {
  try {
    const module = await ready;
    if (typeof module.default !== "function") throw new Error("the module has no default export function");
    postMessage({ ok: true, output: await module.default(event.data) });
  } catch (error) {
    postMessage({ ok: false, error: String(error && error.stack ? error.stack : error) });
  }
};`;
}

class Pool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly url: string;

  constructor(moduleUrl: string, private readonly size: number) {
    this.url = URL.createObjectURL(
      new Blob([bootstrap(moduleUrl)], { type: "application/javascript" }),
    );
  }

  run(task: Task): void {
    this.queue.push(task);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.task);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.url) };
    slot.worker.onmessage = (
      event: MessageEvent<{ ok: boolean; output?: unknown; error?: string }>,
    ) => {
      const task = this.finish(slot);
      if (event.data.ok) task?.resolve(event.data.output);
      else task?.reject(new Error(event.data.error ?? "the worker failed"));
    };
    slot.worker.onerror = (event: ErrorEvent) => {
      this.replace(slot, new Error(`the worker crashed: ${event.message}`));
    };
    this.slots.push(slot);
    return slot;
  }

  private start(slot: Slot, task: Task): void {
    slot.task = task;
    if (task.timeoutMs !== undefined) {
      slot.timer = setTimeout(
        () => this.replace(slot, new Error(`the worker timed out after ${task.timeoutMs} ms`)),
        task.timeoutMs,
      );
    }
    slot.worker.postMessage(task.input);
  }

  private finish(slot: Slot): Task | undefined {
    const task = slot.task;
    clearTimeout(slot.timer);
    slot.task = undefined;
    queueMicrotask(() => this.dispatch());
    return task;
  }

  /** A worker stuck or broken is terminated; its task fails and a new worker takes its place. */
  private replace(slot: Slot, error: Error): void {
    const task = this.finish(slot);
    slot.worker.terminate();
    this.slots.splice(this.slots.indexOf(slot), 1);
    task?.reject(error);
  }

  terminate(): void {
    for (const slot of this.slots) {
      slot.worker.terminate();
      this.finish(slot)?.reject(new Error("the server is stopping"));
    }
    this.slots.length = 0;
    for (const task of this.queue.splice(0)) task.reject(new Error("the server is stopping"));
    URL.revokeObjectURL(this.url);
  }
}

export class PluginWorkers {
  private readonly pools = new Map<string, Pool>();
  private stopped = false;

  /** Workers per module: the cores left to the server's own thread, and at least one. */
  constructor(private readonly size = Math.max(1, navigator.hardwareConcurrency - 1)) {}

  run(moduleUrl: string, input: unknown, timeoutMs?: number): Promise<unknown> {
    if (this.stopped) return Promise.reject(new Error("the server is stopping"));
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      return Promise.reject(new RangeError("timeoutMs must be a positive number"));
    }
    let pool = this.pools.get(moduleUrl);
    if (!pool) {
      pool = new Pool(moduleUrl, this.size);
      this.pools.set(moduleUrl, pool);
      log.info(`Plugin workers for ${moduleUrl}`);
    }
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    pool.run({ input, timeoutMs, resolve, reject });
    return promise;
  }

  terminate(): void {
    this.stopped = true;
    for (const pool of this.pools.values()) pool.terminate();
    this.pools.clear();
  }
}
