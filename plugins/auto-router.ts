// Auto-router: forwards each stored instance to another Pharos or Orthanc over its REST API.
//
//   "AutoRouter": {
//     "Url": "http://peer:8042",      // where to POST /instances
//     "Username": "…", "Password": "…", // optional HTTP Basic credentials
//     "Concurrency": 2,               // transfers at a time (default 2)
//     "Retries": 3                    // extra attempts per instance (default 3)
//   }
//
// Only identifiers wait in the queue: the file is read back when its turn comes, so a slow
// peer costs no memory. Metrics: pharos_autorouter_{sent,failed,pending}.
import type { PharosHost, PharosPlugin } from "../src/plugins/pharos-plugin.d.ts";

interface Settings {
  Url?: string;
  Username?: string;
  Password?: string;
  Concurrency?: number;
  Retries?: number;
}

let host: PharosHost;
let settings: Required<Pick<Settings, "Url" | "Concurrency" | "Retries">> & Settings;
const queue: string[] = [];
let running = 0;
let sent = 0;
let failed = 0;
let idle: Promise<void> = Promise.resolve();
let wake: (() => void) | undefined;

async function forward(instanceId: string): Promise<void> {
  const headers: Record<string, string> = { "Content-Type": "application/dicom" };
  if (settings.Username !== undefined) {
    headers.Authorization = `Basic ${btoa(`${settings.Username}:${settings.Password ?? ""}`)}`;
  }
  for (let attempt = 0;; attempt++) {
    try {
      const body = await host.getDicomForInstance(instanceId);
      const res = await fetch(`${settings.Url}/instances`, { method: "POST", headers, body });
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      sent++;
      host.log.info(`Forwarded instance ${instanceId} to ${settings.Url}`);
      return;
    } catch (error) {
      if (attempt >= settings.Retries) {
        failed++;
        host.log.error(`Cannot forward instance ${instanceId}: ${(error as Error).message}`);
        return;
      }
      await Bun.sleep(200 * 2 ** attempt);
    }
  }
}

function pump(): void {
  while (running < settings.Concurrency && queue.length > 0) {
    const id = queue.shift()!;
    running++;
    forward(id).finally(() => {
      running--;
      if (running === 0 && queue.length === 0) wake?.();
      pump();
    });
  }
}

const plugin: PharosPlugin = {
  name: "auto-router",
  version: "1.0.0",
  description: "Forwards each stored instance to a peer's REST API",
  initialize(h) {
    host = h;
    const given = (h.configuration.AutoRouter ?? {}) as Settings;
    if (typeof given.Url !== "string" || given.Url === "") {
      throw new Error('The "AutoRouter" section needs a "Url"');
    }
    settings = {
      ...given,
      Url: given.Url.replace(/\/+$/, ""),
      Concurrency: Math.max(1, given.Concurrency ?? 2),
      Retries: Math.max(0, given.Retries ?? 3),
    };
    h.onStoredInstance((instance) => {
      if (running === 0 && queue.length === 0) {
        idle = new Promise((resolve) => (wake = resolve));
      }
      queue.push(instance.ids.instance);
      pump();
    });
    h.metrics.onRefresh(() => {
      h.metrics.set("pharos_autorouter_sent", sent);
      h.metrics.set("pharos_autorouter_failed", failed);
      h.metrics.set("pharos_autorouter_pending", queue.length + running);
    });
  },
  async finalize() {
    // Let the transfers under way finish (at most ten seconds).
    await Promise.race([idle, Bun.sleep(10000)]);
  },
};
export default plugin;
