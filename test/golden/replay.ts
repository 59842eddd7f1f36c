// Runs golden requests against a server (Orthanc when recording, Pharos when testing) and turns
// the answers into the JSON shape stored in test/golden/orthanc/*.json.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { concat, makeZip } from "../support/zip.ts";
import { type BodySpec, type GoldenRequest, samplesDir } from "./cases.ts";

export interface GoldenEntry {
  /** Position in the global request sequence (replay order across all groups). */
  seq: number;
  name: string;
  method: string;
  path: string;
  request?: {
    body?: BodySpec;
    contentType?: string;
    binary?: boolean;
    /** Scenario requests: the headers sent. */
    headers?: Record<string, string>;
  };
  status: number;
  contentType: string | null;
  /** Only for 405 answers. */
  allow?: string | null;
  bodyKind: "json" | "text" | "binary";
  /** Parsed JSON, text, or {length, sha1} for binary bodies. */
  body: unknown;
}

export interface GoldenFile {
  group: string;
  entries: GoldenEntry[];
}

// ---------------------------------------------------------------- request bodies

const multipartBoundary = "----PharosGoldenBoundary7d3f2a";

function readSample(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(samplesDir, file)));
}

/** Body bytes and the content type to send (explicit contentType wins). */
export function materializeBody(spec: BodySpec): { bytes: Uint8Array; contentType?: string } {
  switch (spec.kind) {
    case "text":
      return { bytes: new TextEncoder().encode(spec.text) };
    case "file": {
      const data = readSample(spec.file);
      return { bytes: spec.truncate === undefined ? data : data.subarray(0, spec.truncate) };
    }
    case "zip":
      return {
        bytes: makeZip(spec.files.map((f) => ({ name: f, data: readSample(f) }))),
        contentType: "application/zip",
      };
    case "multipart": {
      const enc = new TextEncoder();
      const parts: Uint8Array[] = [];
      for (const f of spec.files) {
        const filename = f.split("/").pop()!;
        parts.push(
          enc.encode(
            `--${multipartBoundary}\r\nContent-Disposition: form-data; name="files[]"; filename="${filename}"\r\n` +
              `Content-Type: application/dicom\r\n\r\n`,
          ),
          readSample(f),
          enc.encode("\r\n"),
        );
      }
      parts.push(enc.encode(`--${multipartBoundary}--\r\n`));
      return {
        bytes: concat(parts),
        contentType: `multipart/form-data; boundary=${multipartBoundary}`,
      };
    }
  }
}

// ---------------------------------------------------------------- answers

function sha1(data: Uint8Array): string {
  return createHash("sha1").update(data).digest("hex");
}

export function decodeBody(
  bytes: Uint8Array,
  contentType: string | null,
  binary: boolean,
): Pick<GoldenEntry, "bodyKind" | "body"> {
  const asBinary = {
    bodyKind: "binary" as const,
    body: { length: bytes.length, sha1: sha1(bytes) },
  };
  if (binary) return asBinary;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return asBinary;
  }
  // Orthanc 1.10.1 sends its JSON error bodies without any Content-Type: parse those too (the
  // contentType field still records the missing header).
  const looksJson = contentType === null && /^\s*[[{]/.test(text);
  if ((contentType?.toLowerCase().includes("json") || looksJson) && text.length > 0) {
    try {
      return { bodyKind: "json", body: JSON.parse(text) };
    } catch {
      // fall through: recorded as text so the broken JSON is visible
    }
  }
  // Short values may hold NUL padding (e.g. /content/0008-0018): JSON strings can carry it.
  if ((text.includes("\0") && text.length > 4096) || text.length > 65536) return asBinary;
  return { bodyKind: "text", body: text };
}

export async function runRequest(
  baseUrl: string,
  req: GoldenRequest,
  seq: number,
): Promise<GoldenEntry> {
  const headers: Record<string, string> = {};
  let body: Uint8Array | undefined;
  if (req.body) {
    const m = materializeBody(req.body);
    body = m.bytes;
    const ct = req.contentType ?? m.contentType;
    if (ct) headers["Content-Type"] = ct;
  } else if (req.contentType) {
    headers["Content-Type"] = req.contentType;
  }
  let res: Response;
  try {
    res = await fetch(baseUrl + req.path, {
      method: req.method,
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    // A dropped connection or a 30 s timeout is an answer too (status 0): the replay goes on.
    return {
      seq,
      name: req.name,
      method: req.method,
      path: req.path,
      ...(req.body || req.contentType || req.binary
        ? { request: { body: req.body, contentType: req.contentType, binary: req.binary } }
        : {}),
      status: 0,
      contentType: null,
      bodyKind: "text",
      body: `fetch failed: ${(error as Error).message}`,
    };
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  const contentType = res.headers.get("content-type");
  const entry: GoldenEntry = {
    seq,
    name: req.name,
    method: req.method,
    path: req.path,
    ...(req.body || req.contentType || req.binary
      ? { request: { body: req.body, contentType: req.contentType, binary: req.binary } }
      : {}),
    status: res.status,
    contentType,
    ...(res.status === 405 ? { allow: res.headers.get("allow") } : {}),
    ...decodeBody(bytes, contentType, req.binary ?? false),
  };
  return entry;
}

/** The GoldenRequest a recorded entry was made from (for the replay). */
export function requestOf(group: string, e: GoldenEntry): GoldenRequest {
  return {
    group,
    name: e.name,
    method: e.method as GoldenRequest["method"],
    path: e.path,
    body: e.request?.body,
    contentType: e.request?.contentType,
    binary: e.request?.binary,
  };
}
