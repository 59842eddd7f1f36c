// How each operation of the contract becomes one concrete request, and when it runs. Resource
// {id}s are the uploaded fixtures (the same Orthanc ids on both servers when both hash alike);
// job, query and commitment ids are each server's own.
import { sample } from "../../../test/golden/scenario.ts";
import { gunzipped, pngPixels, zipMembers } from "../../../test/support/canonical.ts";
import { type Context, LEVEL_KEY, type Role, UPLOAD_SAMPLE } from "./fixtures.ts";
import { AET, MODALITY, PEER, USER_ATTACHMENT, USER_METADATA } from "./pair.ts";
import { type Operation, operationKey } from "./spec.ts";

export interface PlannedRequest {
  method: Operation["method"];
  path: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** A view of a successful binary answer that encoders may vary on (PNG, ZIP, gzip). */
  canonical?: (body: Uint8Array) => Uint8Array;
}

/**
 * Operations never sent: each would stop the server (shutdown) or restart it in place (reset,
 * which Orthanc answers only once it is back), and the later operations would then measure a
 * restart rather than the API.
 */
export const UNSAFE: Readonly<Record<string, string>> = {
  "POST /tools/shutdown": "stops the server",
  "POST /tools/reset": "restarts the server in place",
};

/**
 * When a mutating operation runs, lowest first: settings, then annotations, then POSTs that only
 * read or start a job, then network transfers, then what creates resources, then what reshapes
 * them (merge, split), then every deletion with whole resources last, so that no operation
 * loses its target to an earlier one. GET operations all run before, in phase 0.
 */
export function phaseOf(op: Operation): number {
  const key = operationKey(op);
  if (op.method === "GET") return 0;
  if (op.method === "DELETE") {
    if (/^DELETE \/(patients|studies|series|instances)\/\{id\}$/.test(key)) return 9;
    return 8;
  }
  if (/\/(remove|bulk-delete)$/.test(op.path)) return 8;
  if (op.method === "PUT" && /^\/(tools|modalities|peers)\//.test(op.path)) return 1;
  if (/\/(protected|metadata|attachments|labels)\b/.test(op.path)) return 2;
  if (/\/(merge|split)$/.test(op.path)) return 7;
  if (/\/(anonymize|modify|bulk-anonymize|bulk-modify|create-dicom)$/.test(op.path)) return 6;
  if (op.path === "/instances") return 6;
  if (/\/(store|store-straight|move|get|retrieve)$/.test(op.path)) return 5;
  return 3;
}

function roleOf(op: Operation): Role {
  if (op.method === "DELETE" && /^\/\w+\/\{id\}$/.test(op.path)) {
    // Each deletion its own resource: earlier deletions must not take the next one's target.
    const byLevel: Record<string, Role> = {
      "/instances/{id}": "rle",
      "/series/{id}": "multiframe",
      "/studies/{id}": "kneeT1",
      "/patients/{id}": "dummy",
    };
    return byLevel[op.path] ?? "main";
  }
  return "main";
}

function idFor(op: Operation, ctx: Context): string {
  const [, first] = op.path.split("/");
  if (first && first in LEVEL_KEY) {
    return ctx.roles[roleOf(op)][LEVEL_KEY[first as keyof typeof LEVEL_KEY]];
  }
  // Added and removed again by their own PUT and DELETE, so that "peer" stays for the rest.
  const scratch = op.method === "PUT" || op.method === "DELETE";
  switch (first) {
    case "modalities":
      return scratch && op.path === "/modalities/{id}" ? "diff-new" : MODALITY;
    case "peers":
      return scratch && op.path === "/peers/{id}" ? "diff-new" : PEER;
    case "jobs":
      return (op.path.endsWith("/{key}") ? ctx.archiveJob : ctx.job) ?? "no-job";
    case "queries":
      return ctx.query ?? "no-query";
    case "storage-commitment":
      return ctx.commitment ?? "no-commitment";
    case "plugins":
      return "dicom-web";
    default:
      return "unknown";
  }
}

function parameter(name: string, op: Operation, ctx: Context): string {
  switch (name) {
    case "id":
      return idFor(op, ctx);
    case "name":
      return op.path.includes("/metadata/") ? USER_METADATA : USER_ATTACHMENT;
    case "label":
      return "diff-label";
    case "frame":
    case "index":
      return "0";
    case "path":
      return "0010-0010";
    case "key":
      return "archive";
    default:
      throw new Error(`no value for {${name}} in ${operationKey(op)}`);
  }
}

/** Query arguments for the GETs that need one to do anything (Orthanc answers 400 without). */
function queryOf(op: Operation, ctx: Context): string {
  if (op.path === "/tools/generate-uid") return "?level=study";
  if (/^\/tools\/create-(archive|media|media-extended)$/.test(op.path)) {
    return `?resources=${ctx.roles.kneeT1.study}`;
  }
  return "";
}

const json = (value: unknown) => ({
  body: JSON.stringify(value),
  headers: { "Content-Type": "application/json" },
});
const text = (value: string) => ({ body: value, headers: { "Content-Type": "text/plain" } });

/** The request body: the contract gives schemas, not examples, so each is written here. */
function bodyOf(op: Operation, ctx: Context): Pick<PlannedRequest, "body" | "headers"> {
  const r = ctx.roles;
  const p = op.path;
  const timeout = { Timeout: 10 };
  if (op.method === "DELETE" || op.method === "GET") return {};
  if (p === "/instances") {
    return { body: sample(UPLOAD_SAMPLE), headers: { "Content-Type": "application/dicom" } };
  }
  if (p.endsWith("/anonymize")) return json({});
  if (p.endsWith("/modify")) {
    return json({ Replace: { InstitutionName: "PHAROS DIFF" }, Force: true });
  }
  if (p.endsWith("/reconstruct")) return json({});
  if (p.endsWith("/archive")) return json({ Synchronous: true });
  if (p.endsWith("/media")) return json({ Synchronous: true });
  if (p.endsWith("/merge")) return json({ Resources: [r.kneeT2.series] });
  if (p.endsWith("/split")) return json({ Series: [r.epi.series] });
  if (/\/attachments\/\{name\}$/.test(p)) {
    return { body: "diff attachment", headers: { "Content-Type": "application/octet-stream" } };
  }
  if (/\/metadata\/\{name\}$/.test(p)) return text("diff value");
  if (p.endsWith("/protected")) return text("1");
  if (p.endsWith("/export")) return text("/tmp/api-diff-export.dcm");
  if (p === "/modalities/{id}") return json({ AET: "DIFFNEW", Host: "127.0.0.1", Port: 104 });
  if (p === "/peers/{id}") return json({ URL: "http://127.0.0.1:1/" });
  if (p.endsWith("/echo")) return json(timeout);
  if (p.endsWith("/find-patient")) return json({ PatientID: r.main.patientId, PatientName: "" });
  if (p.endsWith("/find-study")) {
    return json({ PatientID: r.main.patientId, StudyInstanceUID: "", StudyDescription: "" });
  }
  if (p.endsWith("/find-series")) {
    return json({ PatientID: r.main.patientId, StudyInstanceUID: r.main.studyUid, Modality: "" });
  }
  if (p.endsWith("/find-instance")) {
    return json({
      PatientID: r.main.patientId,
      StudyInstanceUID: r.main.studyUid,
      SeriesInstanceUID: r.main.seriesUid,
    });
  }
  if (p === "/modalities/{id}/find") return json({ PatientID: r.main.patientId });
  if (p.endsWith("/find-worklist")) return json({ Query: {} });
  if (p === "/modalities/{id}/query") {
    return json({ Level: "Series", Query: { StudyInstanceUID: r.main.studyUid }, ...timeout });
  }
  if (/\/query-(studies|series|instances)$/.test(p)) return json({ Query: {}, ...timeout });
  if (p.endsWith("/retrieve")) return json({ TargetAet: AET, Synchronous: true, ...timeout });
  const study = { Level: "Study", Resources: [{ StudyInstanceUID: r.kneeT2.studyUid }] };
  if (p.endsWith("/move")) return json({ ...study, TargetAet: AET, Synchronous: true, ...timeout });
  if (p.endsWith("/get")) return json({ ...study, Synchronous: true, ...timeout });
  if (p.endsWith("/storage-commitment")) return json({ Resources: [r.dummy.instance], ...timeout });
  if (p.endsWith("/store-straight")) {
    return { body: sample("DummyCT.dcm"), headers: { "Content-Type": "application/dicom" } };
  }
  if (p.endsWith("/store")) return json({ Resources: [r.dummy.instance], Synchronous: true });
  if (p === "/tools/accepted-transfer-syntaxes") return json(["*"]);
  if (p === "/tools/default-encoding") return text("Latin1");
  if (p.startsWith("/tools/log-level")) return text("default");
  if (p === "/tools/metrics") return text("1");
  if (p === "/tools/unknown-sop-class-accepted") return text("0");
  if (p === "/tools/bulk-anonymize") return json({ Resources: [r.kneeT1.series] });
  if (p === "/tools/bulk-modify") {
    return json({
      Resources: [r.kneeT1.series],
      Level: "Series",
      Replace: { InstitutionName: "X" },
    });
  }
  if (p === "/tools/bulk-content") return json({ Resources: [r.main.study, r.main.series] });
  if (p === "/tools/bulk-delete") return json({ Resources: [r.jpegLossless.instance] });
  if (p === "/tools/count-resources") return json({ Level: "Study", Query: {} });
  if (/^\/tools\/create-(archive|media|media-extended)$/.test(p)) {
    return json({ Resources: [r.kneeT1.study], Synchronous: true });
  }
  if (p === "/tools/create-dicom") {
    return json({ Tags: { PatientName: "DIFF^CREATED", PatientID: "DIFF-1", Modality: "OT" } });
  }
  if (p === "/tools/dicom-echo") {
    return json({ AET, Host: "127.0.0.1", Port: ctx.server.peer.dicom, ...timeout });
  }
  if (p === "/tools/execute-script") return text("print(42)");
  if (p === "/tools/find") {
    return json({ Level: "Series", Query: { StudyInstanceUID: r.main.studyUid }, Expand: true });
  }
  if (p === "/tools/lookup") return text(r.main.studyUid);
  // Compress, uncompress, verify-md5, labels, cancel/pause/resume/resubmit, invalidate-tags…
  return {};
}

function canonicalOf(op: Operation): PlannedRequest["canonical"] {
  const view = /\/(preview|rendered|image-uint8|image-uint16|image-int16)$/.test(op.path)
    ? pngPixels
    : /\/(archive|media|create-archive|create-media|create-media-extended)$/.test(op.path)
    ? zipMembers
    : op.path.endsWith("/raw.gz")
    ? gunzipped
    : undefined;
  if (!view) return undefined;
  // A JPEG preview or a broken ZIP or gzip is compared by its bytes rather than dropped.
  return (body) => {
    try {
      return view(body);
    } catch {
      return body;
    }
  };
}

export function buildRequest(op: Operation, ctx: Context): PlannedRequest {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => parameter(name, op, ctx)) +
    queryOf(op, ctx);
  return { method: op.method, path, ...bodyOf(op, ctx), canonical: canonicalOf(op) };
}
