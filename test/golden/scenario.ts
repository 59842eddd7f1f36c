// Golden scenarios: small scripts of REST requests, each on a fresh server with its own
// configuration, whose later requests may depend on earlier answers (ids, job ids…). The same
// script runs against real Orthanc 1.10.1 to record (`bun test/golden/record-scenarios.ts`) and
// against Pharos to compare (test/e2e/golden-scenarios.test.ts). Unlike the main golden
// scenario (cases.ts), a request here can carry any body and headers, and any raw path (repeated
// slashes are sent as they are). A scenario lives in test/golden/scenarios/<name>.ts and
// default-exports one Scenario or a list of them.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { samplesDir } from "./cases.ts";
import { decodeBody, type GoldenEntry } from "./replay.ts";
import { waitFor } from "../support/server.ts";

export const scenariosDir = resolve(import.meta.dir, "scenarios");
export const scenarioGoldenDir = resolve(import.meta.dir, "orthanc-scenarios");

export interface ScenarioRequest {
  method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "OPTIONS" | "PATCH";
  path: string;
  /** Shown in the recording and in differences; defaults to "METHOD path". */
  name?: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Record only the length and SHA-1 of the answer. */
  binary?: boolean;
  /**
   * Record the length and SHA-1 of this view of a successful answer instead (decoded pixels,
   * the members of a ZIP…), for answers whose encoding may differ where their content may not.
   */
  canonical?: (body: Uint8Array) => Uint8Array;
}

export interface Scenario {
  name: string;
  /** Options over the shared golden configuration (cases.ts sharedConfig), on both servers. */
  config?: Record<string, unknown>;
  run(session: ScenarioSession): Promise<void>;
}

export interface ScenarioGolden {
  scenario: string;
  entries: GoldenEntry[];
}

function sha1(data: Uint8Array): string {
  return createHash("sha1").update(data).digest("hex");
}

/** A sample file's bytes (path relative to ../shared/dicom-samples). */
export function sample(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(samplesDir, file)));
}

/** The requests of one run of a scenario against one server, with their answers in order. */
export class ScenarioSession {
  readonly entries: GoldenEntry[] = [];
  constructor(readonly url: string) {}

  /** Sends a request, records its answer, and answers it (JSON parsed, text, or a digest). */
  async request(req: ScenarioRequest): Promise<GoldenEntry> {
    const seq = this.entries.length;
    const name = req.name ?? `${req.method} ${req.path}`;
    const sent = typeof req.body === "string" ? new TextEncoder().encode(req.body) : req.body;
    const request = sent || req.headers
      ? {
        ...(sent ? { body: { kind: "text" as const, text: describeBody(sent) } } : {}),
        ...(req.headers ? { headers: req.headers } : {}),
      }
      : undefined;
    const base = { seq, name, method: req.method, path: req.path };
    let entry: GoldenEntry;
    try {
      const res = await fetch(this.url + req.path, {
        method: req.method,
        headers: req.headers,
        body: sent,
        redirect: "manual",
        signal: AbortSignal.timeout(30_000),
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      const contentType = res.headers.get("content-type");
      entry = {
        ...base,
        ...(request ? { request } : {}),
        status: res.status,
        contentType,
        ...(res.status === 405 ? { allow: res.headers.get("allow") } : {}),
        ...(req.canonical && res.ok
          ? decodeBody(req.canonical(bytes), contentType, true)
          : decodeBody(bytes, contentType, req.binary ?? false)),
      };
    } catch (error) {
      entry = {
        ...base,
        status: 0,
        contentType: null,
        bodyKind: "text",
        body: `fetch failed: ${(error as Error).message}`,
      };
    }
    this.entries.push(entry);
    return entry;
  }

  get(path: string, extra: Omit<ScenarioRequest, "method" | "path"> = {}): Promise<GoldenEntry> {
    return this.request({ method: "GET", path, ...extra });
  }

  /** POST /instances of a sample file; answers Orthanc's upload answer. */
  async upload(
    file: string,
  ): Promise<{ ID: string; ParentSeries: string; ParentStudy: string; ParentPatient: string }> {
    const entry = await this.request({
      method: "POST",
      path: "/instances",
      name: `upload ${file}`,
      body: sample(file),
    });
    if (entry.status !== 200) throw new Error(`upload of ${file}: HTTP ${entry.status}`);
    return entry.body as never;
  }

  /**
   * POST /instances of bytes built by the scenario, recorded as "upload <name>"; answers the new
   * instance's id, or undefined when the server refused the file (its answer is recorded too).
   */
  async uploadBytes(name: string, bytes: Uint8Array): Promise<string | undefined> {
    const upload = await this.request({
      method: "POST",
      path: "/instances",
      name: `upload ${name}`,
      body: bytes,
    });
    return upload.status === 200 ? (upload.body as { ID?: string }).ID : undefined;
  }

  /** Polls a GET until `ready` holds, without recording (servers differ in how long it takes). */
  waitUntil(path: string, ready: (body: unknown) => boolean, deadlineMs = 20_000): Promise<void> {
    return waitFor(
      async () => {
        const res = await fetch(this.url + path);
        return res.ok && ready(await res.json());
      },
      `${path} to be ready`,
      deadlineMs,
    );
  }
}

/** How a request body appears in a recording: short text as it is, anything else by digest. */
function describeBody(bytes: Uint8Array): string {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    if (text.length <= 2048 && !text.includes("\0")) return text;
  } catch {
    // binary: described by digest
  }
  return `<${bytes.length} bytes, sha1 ${sha1(bytes)}>`;
}

/** Every scenario of test/golden/scenarios, sorted by name. */
export async function loadScenarios(): Promise<Scenario[]> {
  const out: Scenario[] = [];
  const glob = new Bun.Glob("*.ts");
  const files = existsSync(scenariosDir) ? [...glob.scanSync({ cwd: scenariosDir })] : [];
  for (const file of files.sort()) {
    const mod = (await import(join(scenariosDir, file))) as { default: Scenario | Scenario[] };
    out.push(...(Array.isArray(mod.default) ? mod.default : [mod.default]));
  }
  const names = out.map((s) => s.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0) throw new Error(`scenario names used twice: ${twice.join(", ")}`);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
