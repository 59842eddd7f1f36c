// Metrics set by plugins (and the core's counters), in Prometheus' text format as Orthanc 1.10.1
// exports them at /tools/metrics-prometheus: one "name value timestamp" line each, no TYPE line.
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export class MetricsRegistry {
  enabled = true;
  private readonly values = new Map<string, { value: number; time: number }>();

  set(name: string, value: number): void {
    if (typeof name !== "string" || !NAME.test(name)) {
      throw new TypeError(`Bad metric name: ${String(name)}`);
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TypeError(`Bad value for metric ${name}: ${String(value)}`);
    }
    this.values.set(name, { value, time: Date.now() });
  }

  /** Prometheus text, metrics sorted by name (Orthanc keeps them in a std::map). */
  prometheus(): string {
    let out = "";
    for (const name of [...this.values.keys()].sort()) {
      const { value, time } = this.values.get(name)!;
      out += `${name} ${value} ${time}\n`;
    }
    return out;
  }
}
