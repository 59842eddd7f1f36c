// Values of an answer that no two runs share even on one server: ids a server invents (jobs,
// queries, resources created by modify or anonymize, UIDs it generates), clock readings, run
// times, and the free ports each server was given (its modality and peer are the other). They are
// replaced by placeholders before test/golden/compare.ts sees the answer, which keeps its own
// narrower normalization for what the golden recordings need.
import type { GoldenEntry } from "../../../test/golden/replay.ts";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ORTHANC_ID = /\b[0-9a-f]{8}(?:-[0-9a-f]{8}){4}\b/g;
// UIDs made up during the run: "2.25.<uuid as decimal>", or DCMTK's
// "1.2.276.0.7230010.3.1.<kind>.<host>.<pid>.<unix time>.<counter>" (Orthanc's generator) with a
// time of today, which sets them apart from the DCMTK-made UIDs of the sample files. Either
// form is valid DICOM, so the root each server uses is not compared.
const GENERATED_UID =
  /\b(?:2\.25\.\d{6,}|1\.2\.276\.0\.7230010\.3\.1\.\d+\.\d+\.\d+\.(\d+)\.\d+)\b/g;
const DAY = 86_400;
const PORT_KEYS = /Port$/;
const CLOCK = /^\d{8}T\d{6}(\.\d{1,6})?$/;
const DURATION_KEYS = new Set(["EffectiveRuntime"]);

/**
 * Numbers each invented value by first appearance within one answer ("<uuid:1>", "<new-id:2>"),
 * so that two answers with the same shape of invented ids compare equal, and one that reuses
 * an id where the other has two does not. Ids of the uploaded fixtures stay as they are.
 */
export class VolatileMask {
  private readonly seen = new Map<string, string>();
  constructor(
    private readonly known: ReadonlySet<string>,
    private readonly ports: ReadonlyMap<number, string>,
  ) {}

  private placeholder(kind: string, value: string): string {
    let name = this.seen.get(value);
    if (!name) {
      name = `<${kind}:${this.seen.size + 1}>`;
      this.seen.set(value, name);
    }
    return name;
  }

  text(value: string): string {
    if (CLOCK.test(value)) return "<clock>";
    return value
      .replace(
        GENERATED_UID,
        (m, time?: string) =>
          time === undefined || Math.abs(Number(time) - Date.now() / 1000) < DAY
            ? this.placeholder("generated-uid", m)
            : m,
      )
      .replace(UUID, (m) => this.placeholder("uuid", m))
      .replace(/127\.0\.0\.1:(\d+)/g, (m, port: string) => {
        const name = this.ports.get(Number(port));
        return name ? `127.0.0.1:<${name}>` : m;
      })
      .replace(ORTHANC_ID, (m) => (this.known.has(m) ? m : this.placeholder("new-id", m)));
  }

  value(value: unknown, key: string | null): unknown {
    if (typeof value === "string") return this.text(value);
    if (typeof value === "number" && key !== null && DURATION_KEYS.has(key)) return "<seconds>";
    // A modality is an object with "Port" or, in the short form, a list [AET, host, port].
    if (typeof value === "number" && (key === null || PORT_KEYS.test(key))) {
      const name = this.ports.get(value);
      if (name) return `<${name}>`;
    }
    if (Array.isArray(value)) return value.map((v) => this.value(v, null));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.text(k)] = this.value(v, k);
      return out;
    }
    return value;
  }
}

/** The entry with its invented values masked; binary digests are left alone. */
export function maskEntry(
  entry: GoldenEntry,
  known: ReadonlySet<string>,
  ports: ReadonlyMap<number, string>,
): GoldenEntry {
  const mask = new VolatileMask(known, ports);
  const body = entry.bodyKind === "binary" ? entry.body : mask.value(entry.body, null);
  return { ...entry, path: mask.text(entry.path), name: mask.text(entry.name), body };
}
