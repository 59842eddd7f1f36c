// The data both servers hold before any operation is measured: the same sample files uploaded
// in the same order, one user metadata and attachment on each level, a finished job, a query
// and a storage commitment whose ids the {id} of /jobs, /queries and /storage-commitment take.
import { sample } from "../../../test/golden/scenario.ts";
import { MODALITY, type RunningServer, USER_ATTACHMENT, USER_METADATA } from "./pair.ts";

/** Which uploaded resources an operation's {id} takes: "main" unless the operation needs its own. */
export type Role =
  | "main"
  | "epi"
  | "kneeT1"
  | "kneeT2"
  | "rle"
  | "multiframe"
  | "dummy"
  | "jpeg"
  | "jpegLossless";

const FILES: Record<Role, readonly string[]> = {
  main: range("Brainix/Flair/IM-0001-", 6),
  epi: range("Brainix/Epi/IM-0001-", 4),
  kneeT1: range("Knee/T1/IM-0001-", 4),
  kneeT2: range("Knee/T2/IM-0001-", 4),
  rle: ["Formats/Rle.dcm"],
  multiframe: ["MultiframeWindowing.dcm"],
  dummy: ["DummyCT.dcm"],
  jpeg: ["TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm"],
  jpegLossless: ["Formats/JpegLossless.dcm"],
};

/** Uploaded by POST /instances itself, so not part of the fixtures. */
export const UPLOAD_SAMPLE = "ColorTestMalaterre.dcm";

function range(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(4, "0")}.dcm`);
}

export interface ResourceIds {
  patient: string;
  study: string;
  series: string;
  /** The role's first file. */
  instance: string;
  patientId: string;
  studyUid: string;
  seriesUid: string;
}

export interface Context {
  server: RunningServer;
  roles: Record<Role, ResourceIds>;
  /** Absent when the server refused to start the job (or query, or commitment). */
  job?: string;
  archiveJob?: string;
  query?: string;
  commitment?: string;
  /** Every setup request that failed, as "METHOD path: status". */
  setupFailures: string[];
}

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

async function call(
  server: RunningServer,
  method: string,
  path: string,
  body?: string | Uint8Array,
): Promise<Answer> {
  try {
    const res = await fetch(server.url + path, {
      method,
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === "object") json = parsed as Record<string, unknown>;
    } catch {
      // a non-JSON answer carries no id: the caller sees {}
    }
    return { status: res.status, json };
  } catch {
    return { status: 0, json: {} };
  }
}

/** The ResourceIds field of each REST level. */
export const LEVEL_KEY = {
  patients: "patient",
  studies: "study",
  series: "series",
  instances: "instance",
} as const;

const str = (v: unknown): string => (typeof v === "string" ? v : "");

function tag(json: Record<string, unknown>, group: string, name: string): string {
  const tags = json[group];
  return tags !== null && typeof tags === "object"
    ? str((tags as Record<string, unknown>)[name])
    : "";
}

async function waitFor(
  server: RunningServer,
  path: string,
  done: (json: Record<string, unknown>) => boolean,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { status, json } = await call(server, "GET", path);
    if (status !== 200 || done(json)) return;
    await Bun.sleep(100);
  }
}

function collector(failures: string[]) {
  return (what: string, a: Answer): Answer => {
    if (a.status !== 200) failures.push(`${what}: ${a.status}`);
    return a;
  };
}

export interface Uploaded {
  roles: Record<Role, ResourceIds>;
  failures: string[];
}

/** The sample files, in the same order on both servers (lists answer in upload order). */
export async function upload(server: RunningServer): Promise<Uploaded> {
  const failures: string[] = [];
  const expect = collector(failures);
  const roles = {} as Record<Role, ResourceIds>;
  for (const [role, files] of Object.entries(FILES) as [Role, readonly string[]][]) {
    let first: Answer | undefined;
    for (const file of files) {
      const a = expect(
        `upload ${file}`,
        await call(server, "POST", "/instances", sample(file)),
      );
      first ??= a;
    }
    const j = first!.json;
    const study = await call(server, "GET", `/studies/${str(j.ParentStudy)}`);
    const series = await call(server, "GET", `/series/${str(j.ParentSeries)}`);
    roles[role] = {
      patient: str(j.ParentPatient),
      study: str(j.ParentStudy),
      series: str(j.ParentSeries),
      instance: str(j.ID),
      patientId: tag(study.json, "PatientMainDicomTags", "PatientID"),
      studyUid: tag(study.json, "MainDicomTags", "StudyInstanceUID"),
      seriesUid: tag(series.json, "MainDicomTags", "SeriesInstanceUID"),
    };
  }
  return { roles, failures };
}

/**
 * The rest of the set-up. Run once both servers hold the files: the query and the storage
 * commitment go to the other server.
 */
export async function prepare(server: RunningServer, uploaded: Uploaded): Promise<Context> {
  const { roles } = uploaded;
  const failures = [...uploaded.failures];
  const expect = collector(failures);
  const main = roles.main;
  for (const level of ["patients", "studies", "series", "instances"] as const) {
    const id = main[LEVEL_KEY[level]];
    const meta = `/${level}/${id}/metadata/${USER_METADATA}`;
    expect(`PUT ${meta}`, await call(server, "PUT", meta, "fixture value"));
    const att = `/${level}/${id}/attachments/${USER_ATTACHMENT}`;
    expect(`PUT ${att}`, await call(server, "PUT", att, "fixture attachment"));
  }

  // Two finished jobs: a C-STORE to the other server for /jobs/{id} and its actions, and a ZIP
  // archive for /jobs/{id}/{key}, the only job kind whose output has a key in 1.10.1.
  const startJob = async (what: string, path: string, body: unknown) => {
    const id = str(expect(what, await call(server, "POST", path, JSON.stringify(body))).json.ID);
    if (!id) return undefined;
    await waitFor(server, `/jobs/${id}`, (j) => j.State === "Success" || j.State === "Failure");
    return id;
  };
  const job = await startJob("store job", `/modalities/${MODALITY}/store`, {
    Resources: [roles.dummy.instance],
    Asynchronous: true,
  });
  const archiveJob = await startJob("archive job", `/studies/${roles.kneeT1.study}/archive`, {
    Asynchronous: true,
  });
  const query = expect(
    "query",
    await call(
      server,
      "POST",
      `/modalities/${MODALITY}/query`,
      JSON.stringify({ Level: "Study", Query: { StudyInstanceUID: main.studyUid } }),
    ),
  );
  const commitment = expect(
    "storage commitment",
    await call(
      server,
      "POST",
      `/modalities/${MODALITY}/storage-commitment`,
      JSON.stringify({ Resources: [roles.jpeg.instance], Timeout: 10 }),
    ),
  );
  const commitmentId = str(commitment.json.ID) || undefined;
  if (commitmentId) {
    await waitFor(server, `/storage-commitment/${commitmentId}`, (j) => j.Status !== "Pending");
  }
  return {
    server,
    roles,
    job,
    archiveJob,
    query: str(query.json.ID) || undefined,
    commitment: commitmentId,
    setupFailures: failures,
  };
}
