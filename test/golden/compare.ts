// Normalizer + comparator for golden answers (Orthanc 1.10.1 recording vs. Pharos replay).
//
// Normalization is deliberately minimal: only values that differ between two recordings of the
// very same Orthanc (checked with GOLDEN_OUT=/tmp/x bun test/golden/record.ts + diff -r) or that
// depend on the ports picked at random. IDs, sizes, key order, status codes and content types
// are all compared as they are. One addition is accepted on purpose: see isNewerLabels.
import type { GoldenEntry } from "./replay.ts";

export interface Difference {
  /** Request name, e.g. "GET /instances/…/tags". */
  request: string;
  /** Where in the answer: "status", "body.MainDicomTags.PatientName", "body{keys}", … */
  where: string;
  expected: unknown;
  actual: unknown;
}

const timestamp = /^\d{8}T\d{6}$/;

function normalizeValue(value: unknown, key: string | null, path: string): unknown {
  if (Array.isArray(value)) return value.map((v) => normalizeValue(v, null, path));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalizeValue(v, k, path);
    return out;
  }
  // LastUpdate (patients/studies/series, also inside expanded lists): wall-clock time of the
  // last change, "YYYYMMDDTHHMMSS"; differs between two runs of the same Orthanc.
  // ReceptionDate (metadata?expand): the wall-clock time of the upload, likewise.
  if (
    (key === "LastUpdate" || key === "ReceptionDate") && typeof value === "string" &&
    timestamp.test(value)
  ) {
    return "<timestamp>";
  }
  // Date of a change or an export (/changes, /exports): the wall-clock time it was logged.
  if (
    key === "Date" && typeof value === "string" && timestamp.test(value) &&
    /^\/(changes|exports)\b/.test(path)
  ) return "<timestamp>";
  // FileUuid (/instances/{id}, expanded instance lists): random UUID of the stored attachment.
  if (key === "FileUuid" && typeof value === "string") return "<uuid>";
  // /system HttpPort / DicomPort: free ports picked at random by the recorder and the test (the
  // path as routed: repeated and trailing slashes do not count).
  if (
    path.replace(/\/{2,}/g, "/").replace(/(.)\/$/, "$1") === "/system" &&
    (key === "HttpPort" || key === "DicomPort") && typeof value === "number"
  ) return "<port>";
  return value;
}

/** Copy of an entry with volatile values replaced by placeholders (key order is kept). */
export function normalizeEntry(entry: GoldenEntry): GoldenEntry {
  const body = normalizeValue(entry.body, null, entry.path.split("?")[0]!);
  // The order of /tools/find results is an artifact of Orthanc's SQL plan (sorted by ID for
  // some queries, by index order for others); the set of resources is the contract.
  if (entry.path === "/tools/find" && Array.isArray(body)) {
    const key = (
      v: unknown,
    ) => (typeof v === "string" ? v : JSON.stringify((v as { ID?: string }).ID ?? v));
    return {
      ...entry,
      body: [...body].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)),
    };
  }
  return { ...entry, body };
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? "undefined" : text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

const LEVELS = new Set(["Patient", "Study", "Series", "Instance"]);

// The one accepted addition: Pharos follows the Orthanc 1.12 contract for labels, which adds
// "Labels" (a list of strings) to the description of a patient, study, series or instance
// (GET /{level}/{id}, expanded lists, /tools/find with Expand). Orthanc 1.10.1 predates labels,
// so its recordings lack the key. Accepted only for this key, only on a resource description,
// only when the golden lacks it, and only as a list of strings; everything else stays strict.
function isNewerLabels(
  key: string,
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
): boolean {
  return key === "Labels" && !("Labels" in expected) &&
    typeof actual.ID === "string" && LEVELS.has(actual.Type as string) &&
    Array.isArray(actual.Labels) && actual.Labels.every((l) => typeof l === "string");
}

function compareValues(
  expected: unknown,
  actual: unknown,
  where: string,
  request: string,
  out: Difference[],
): void {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const primitive = (v: unknown) => v === null || typeof v !== "object";
    if (expected.length !== actual.length && expected.every(primitive) && actual.every(primitive)) {
      // Lists of IDs/values of different lengths: one readable difference instead of a cascade.
      const missing = expected.filter((v) => !actual.includes(v));
      const extra = actual.filter((v) => !expected.includes(v));
      out.push({
        request,
        where: `${where}[length ${expected.length} vs ${actual.length}]`,
        expected: { missing },
        actual: { extra },
      });
      return;
    }
    if (expected.length !== actual.length) {
      out.push({
        request,
        where: `${where}.length`,
        expected: expected.length,
        actual: actual.length,
      });
    }
    const n = Math.min(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      compareValues(expected[i], actual[i], `${where}[${i}]`, request, out);
    }
    return;
  }
  const isObj = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObj(expected) && isObj(actual)) {
    const ek = Object.keys(expected);
    const ak = Object.keys(actual);
    const missing = ek.filter((k) => !(k in actual));
    const extra = ak.filter((k) => !(k in expected) && !isNewerLabels(k, expected, actual));
    if (missing.length) {
      out.push({ request, where: `${where}{missing keys}`, expected: missing, actual: null });
    }
    if (extra.length) {
      out.push({ request, where: `${where}{extra keys}`, expected: null, actual: extra });
    }
    // Key order matters (Orthanc's JsonCpp writes keys sorted): compare the order of common keys.
    const ec = ek.filter((k) => k in actual);
    const ac = ak.filter((k) => k in expected);
    if (ec.join("\u0000") !== ac.join("\u0000")) {
      out.push({ request, where: `${where}{key order}`, expected: ec, actual: ac });
    }
    for (const k of ec) compareValues(expected[k], actual[k], `${where}.${k}`, request, out);
    return;
  }
  if (expected !== actual) out.push({ request, where, expected, actual });
}

/** Differences between a recorded (expected) and a replayed (actual) answer, after normalization. */
export function compareEntries(expectedRaw: GoldenEntry, actualRaw: GoldenEntry): Difference[] {
  const expected = normalizeEntry(expectedRaw);
  const actual = normalizeEntry(actualRaw);
  const request = `${expected.name}${
    expected.name.includes(expected.path) ? "" : ` [${expected.method} ${expected.path}]`
  } #${expected.seq}`;
  const out: Difference[] = [];
  for (const field of ["status", "contentType", "allow", "bodyKind"] as const) {
    // Orthanc sends error bodies without a Content-Type; Bun always labels a body, and Pharos
    // labels them as the JSON they are. This is the one accepted difference.
    const unlabelledError = field === "contentType" && expected.contentType === null &&
      expected.status >= 400 &&
      expected.bodyKind === "json" && actual.contentType === "application/json; charset=utf-8";
    if (expected[field] !== actual[field] && !unlabelledError) {
      out.push({ request, where: field, expected: expected[field], actual: actual[field] });
    }
  }
  if (expected.bodyKind === actual.bodyKind) {
    compareValues(expected.body, actual.body, "body", request, out);
  } else out.push({ request, where: "body", expected: expected.body, actual: actual.body });
  return out;
}

/** Compares two lists of answers of a golden group (same requests, same order). */
export function compareGroup(expected: GoldenEntry[], actual: GoldenEntry[]): Difference[] {
  const out: Difference[] = [];
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i];
    if (!a) {
      out.push({
        request: `${e.method} ${e.path}`,
        where: "answer",
        expected: "an answer",
        actual: "not replayed",
      });
      continue;
    }
    out.push(...compareEntries(e, a));
  }
  return out;
}

/** Readable report, at most `limit` lines (with the number left out). */
export function formatDifferences(diffs: Difference[], limit = 60): string {
  const lines = diffs
    .slice(0, limit)
    .map((d) =>
      `- ${d.request}\n    at ${d.where}\n    expected ${show(d.expected)}\n    actual   ${
        show(d.actual)
      }`
    );
  if (diffs.length > limit) lines.push(`… and ${diffs.length - limit} more differences`);
  return lines.join("\n");
}
