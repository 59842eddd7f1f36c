// Metrics: counts what is stored (instances, bytes, per origin) and the HTTP requests seen,
// exported with the core's counters at /tools/metrics-prometheus.
import type { PharosPlugin } from "../src/plugins/pharos-plugin.d.ts";

const started = Date.now();
let storedInstances = 0;
let storedBytes = 0;
let lastStored = 0;
let httpRequests = 0;
const byOrigin = new Map<string, number>();

const plugin: PharosPlugin = {
  name: "metrics",
  version: "1.0.0",
  description: "Ingest and request counters for Prometheus",
  initialize(host) {
    host.onStoredInstance((instance) => {
      storedInstances++;
      storedBytes += instance.bytes.length;
      lastStored = Date.now();
      const origin = instance.origin.kind.toLowerCase();
      byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + 1);
    });
    host.onIncomingHttpRequest(() => {
      httpRequests++;
      return true;
    });
    host.metrics.onRefresh(() => {
      host.metrics.set("pharos_uptime_seconds", (Date.now() - started) / 1000);
      host.metrics.set("pharos_stored_instances_total", storedInstances);
      host.metrics.set("pharos_stored_bytes_total", storedBytes);
      host.metrics.set("pharos_last_stored_timestamp_seconds", lastStored / 1000);
      host.metrics.set("pharos_http_requests_total", httpRequests);
      for (const [origin, count] of byOrigin) {
        host.metrics.set(`pharos_stored_instances_from_${origin}_total`, count);
      }
    });
  },
};
export default plugin;
