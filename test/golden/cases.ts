// The "golden" scenario: which sample files are uploaded and which REST requests are recorded
// against real Orthanc 1.10.1 (test/golden/record.ts) and replayed against Pharos
// (test/e2e/golden.test.ts). Changing anything here requires re-recording the goldens.
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

export const samplesDir = resolve(import.meta.dir, "../../../shared/dicom-samples");
export const goldenDir = resolve(import.meta.dir, "orthanc");

/**
 * Configuration shared by the Orthanc recording and the Pharos replay (paths and ports are
 * added by each side). Using the same Name avoids normalizing it in /system; a long StableAge
 * keeps "IsStable" false during the whole run on both sides, whatever their speed.
 */
export const sharedConfig = {
  Name: "PharosGolden",
  RemoteAccessAllowed: true,
  AuthenticationEnabled: false,
  StableAge: 3600,
};

/** How a request body is built; kept declarative so that it can be stored in the goldens. */
export type BodySpec =
  | { kind: "text"; text: string }
  | { kind: "file"; file: string; truncate?: number }
  | { kind: "zip"; files: string[] }
  | { kind: "multipart"; files: string[] };

export interface GoldenRequest {
  /** Golden file (without .json) the answer is recorded into. */
  group: string;
  name: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  body?: BodySpec;
  contentType?: string;
  /** Record only length + sha1 of the answer body (e.g. /file). */
  binary?: boolean;
}

/** One element of Orthanc's answer to POST /instances. */
export interface UploadAnswer {
  ID: string;
  ParentPatient: string;
  ParentStudy: string;
  ParentSeries: string;
  Path: string;
  Status: string;
}

/** Every sample file except images/documents/raw data, relative to samplesDir, sorted. */
export function sampleFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (!/\.(png|pdf|raw)$/i.test(name)) out.push(relative(samplesDir, full));
    }
  };
  walk(samplesDir);
  return out.sort();
}

/** Golden group name of a sample file: "instance-Brainix_Flair_IM-0001-0001.dcm". */
export function fileGroup(file: string): string {
  return `instance-${file.replace(/[^A-Za-z0-9.-]+/g, "_")}`;
}

const get = (group: string, path: string, extra: Partial<GoldenRequest> = {}): GoldenRequest => ({
  group,
  name: `GET ${path}`,
  method: "GET",
  path,
  ...extra,
});

// Files used by the special uploads (all of them are also uploaded one by one before).
const duplicateFile = "DummyCT.dcm";
const truncatedFile = "Brainix/Flair/IM-0001-0001.dcm";
const zipFiles = [
  "Comunix/Ct/IM-0001-0001.dcm",
  "Comunix/Pet/IM-0001-0001.dcm",
  "ColorTestMalaterre.dcm",
];
const multipartFiles = ["Formats/Rle.dcm", "Formats/Jpeg.dcm"];

/** Requests on an empty server, then every upload (answers feed buildRequests). */
export function buildUploadRequests(files = sampleFiles()): GoldenRequest[] {
  const reqs: GoldenRequest[] = [
    get("system", "/system"),
    get("system", "/statistics"),
    get("system", "/patients"),
    get("system", "/instances"),
    get("system", "/tools/default-encoding"),
  ];
  for (const file of files) {
    reqs.push({
      group: "uploads",
      name: `upload ${file}`,
      method: "POST",
      path: "/instances",
      body: { kind: "file", file },
      contentType: "application/dicom",
    });
  }
  const post = (name: string, body: BodySpec, contentType?: string): GoldenRequest => ({
    group: "uploads",
    name,
    method: "POST",
    path: "/instances",
    body,
    contentType,
  });
  reqs.push(
    post(
      `upload again ${duplicateFile}`,
      { kind: "file", file: duplicateFile },
      "application/dicom",
    ),
    post("upload non-DICOM text", { kind: "text", text: "hello" }, "text/plain"),
    post("upload empty body", { kind: "text", text: "" }),
    post(
      `upload truncated ${truncatedFile}`,
      { kind: "file", file: truncatedFile, truncate: 1000 },
      "application/dicom",
    ),
    post("upload zip of 3 files", { kind: "zip", files: zipFiles }, "application/zip"),
    post("upload multipart/form-data of 2 files", { kind: "multipart", files: multipartFiles }),
  );
  return reqs;
}

/** Upload answers with an ID, keyed by sample file (first successful answer wins). */
export type UploadAnswers = Map<string, UploadAnswer>;

function firstSeen(values: string[]): string[] {
  return [...new Set(values)];
}

/** Everything recorded after the uploads, given Orthanc's answers to the one-by-one uploads. */
export function buildRequests(answers: UploadAnswers, files = sampleFiles()): GoldenRequest[] {
  const reqs: GoldenRequest[] = [];
  const uploaded = files.filter((f) => answers.has(f));
  const instances = uploaded.map((f) => answers.get(f)!);
  const seriesIds = firstSeen(instances.map((a) => a.ParentSeries));
  const studyIds = firstSeen(instances.map((a) => a.ParentStudy));
  const patientIds = firstSeen(instances.map((a) => a.ParentPatient));

  // ---- Lists
  const lists = "lists";
  reqs.push(get(lists, "/statistics"));
  for (const level of ["patients", "studies", "series", "instances"]) {
    // Orthanc 1.10.1 needs both "since" and "limit" (400 otherwise): recorded on purpose.
    for (
      const q of [
        "",
        "?expand",
        "?limit=3&since=2",
        "?expand&limit=2",
        "?since=1000",
        "?expand&since=0&limit=2",
        "?since=1000&limit=5",
      ]
    ) {
      reqs.push(get(lists, `/${level}${q}`));
    }
  }

  // ---- One group per sample file: the instance and its parents, seen from the instance
  const contentPaths: Record<string, string[]> = {
    "DummyCT.dcm": [
      "/content/0010-0010",
      "/content/0008-0018",
      "/content/0008-1140",
      "/content/0008-1140/0",
      "/content/0008-1140/0/0008-1155",
      "/content/7fe0-0010",
      "/content/0010-9999",
    ],
    "Brainix/Flair/IM-0001-0001.dcm": [
      "/content/0010-0010",
      "/content/0020-0032",
      "/content/0028-0010",
      "/content/7fe0-0010/0",
    ],
    "Encodings/Lena-shift-jis.dcm": ["/content/0010-0010", "/content/0008-0005"],
  };
  for (const file of uploaded) {
    const id = answers.get(file)!.ID;
    const group = fileGroup(file);
    const base = `/instances/${id}`;
    for (
      const sub of [
        "",
        "/tags",
        "/tags?simplify",
        "/tags?short",
        "/simplified-tags",
        "/header",
        "/header?simplify",
        "/statistics",
        "/patient",
        "/study",
        "/series",
        "/frames",
        "/content",
        "/metadata",
        "/attachments",
      ]
    ) {
      reqs.push(get(group, base + sub));
    }
    for (const sub of contentPaths[file] ?? []) reqs.push(get(group, base + sub));
    reqs.push(get(group, `${base}/file`, { binary: true }));
  }

  // ---- Series, studies, patients
  const detail = (group: string, level: string, id: string, subs: string[]) => {
    for (const sub of subs) reqs.push(get(group, `/${level}/${id}${sub}`));
  };
  const common = [
    "",
    "/shared-tags",
    "/shared-tags?simplify",
    "/shared-tags?short",
    "/module",
    "/module?simplify",
    "/statistics",
    "/instances",
  ];
  const fewTags = (ids: string[]) => new Set(ids.slice(0, 3));
  const seriesWithTags = fewTags(seriesIds);
  for (const id of seriesIds) {
    detail("series", "series", id, [...common, "/study", "/patient"]);
    if (seriesWithTags.has(id)) {
      detail("series", "series", id, ["/instances-tags?simplify", "/instances-tags?short"]);
    }
  }
  const studiesWithTags = fewTags(studyIds);
  for (const id of studyIds) {
    detail("studies", "studies", id, [
      ...common,
      "/module-patient",
      "/module-patient?simplify",
      "/series",
      "/patient",
    ]);
    if (studiesWithTags.has(id)) detail("studies", "studies", id, ["/instances-tags?simplify"]);
  }
  const patientsWithTags = fewTags(patientIds);
  for (const id of patientIds) {
    detail("patients", "patients", id, [...common, "/studies", "/series"]);
    if (patientsWithTags.has(id)) detail("patients", "patients", id, ["/instances-tags?simplify"]);
  }

  // ---- Errors
  const errors = "errors";
  const anyInstance = instances[0]!.ID;
  reqs.push(
    get(errors, "/patients/unknown-id"),
    get(errors, "/studies/unknown-id"),
    get(errors, "/series/unknown-id/instances"),
    get(errors, "/instances/xyz/tags"),
    get(errors, `/instances/${anyInstance}/content/zzzz-zzzz`),
    get(errors, `/instances/${anyInstance}/nonexistent`),
    { group: errors, name: "DELETE /system", method: "DELETE", path: "/system" },
    {
      group: errors,
      name: "PUT /instances",
      method: "PUT",
      path: "/instances",
      body: { kind: "text", text: "x" },
    },
    {
      group: errors,
      name: "POST /tools/find bad JSON",
      method: "POST",
      path: "/tools/find",
      body: { kind: "text", text: "{not json" },
      contentType: "application/json",
    },
    {
      group: errors,
      name: "POST /tools/find missing Level",
      method: "POST",
      path: "/tools/find",
      body: { kind: "text", text: '{"Query":{}}' },
      contentType: "application/json",
    },
    get(errors, "/nonexistent"),
    get(errors, "/tools/generate-uid?level=bogus"),
    get(errors, "/tools/default-encoding"),
  );

  // ---- Queries (/tools/find and /tools/lookup) over all the samples
  const find = (name: string, body: unknown): GoldenRequest => ({
    group: "find",
    name: `POST /tools/find ${name}`,
    method: "POST",
    path: "/tools/find",
    body: { kind: "text", text: JSON.stringify(body) },
    contentType: "application/json",
  });
  const FIND_QUERIES: [string, unknown][] = [
    ["patient name exact, other case", { Level: "Study", Query: { PatientName: "brainix" } }],
    ["patient name prefix", { Level: "Study", Query: { PatientName: "BRA*" } }],
    ["patient name wildcard inside", { Level: "Patient", Query: { PatientName: "*NI*" } }],
    ["patient name single-character wildcard", {
      Level: "Patient",
      Query: { PatientName: "B?AINIX" },
    }],
    ["case-sensitive", { Level: "Series", Query: { Modality: "mr" }, CaseSensitive: true }],
    ["case-insensitive modality", { Level: "Series", Query: { Modality: "mr" } }],
    ["modality list", { Level: "Series", Query: { Modality: "MR\\CT" } }],
    ["date from", { Level: "Study", Query: { StudyDate: "20061201-" } }],
    ["date until", { Level: "Study", Query: { StudyDate: "-19990101" } }],
    ["date range", { Level: "Study", Query: { StudyDate: "19990101-20070101" } }],
    ["time until", { Level: "Series", Query: { SeriesTime: "-120000" } }],
    ["date wildcard refused", { Level: "Study", Query: { StudyDate: "2006*" } }],
    ["patient id at series level", { Level: "Series", Query: { PatientID: "5Yp0E" } }],
    ["study tag at series level", { Level: "Series", Query: { StudyDate: "20061201" } }],
    ["lower-level tag at patient level", { Level: "Patient", Query: { StudyDate: "20061201" } }],
    ["empty accession matches all", { Level: "Study", Query: { AccessionNumber: "" } }],
    ["description with accents", {
      Level: "Study",
      Query: { StudyDescription: "irm cérébrale, neuro-crâne" },
    }],
    ["description contains", { Level: "Study", Query: { StudyDescription: "*neuro*" } }],
    ["modalities in study", { Level: "Study", Query: { ModalitiesInStudy: "MR" } }],
    ["instance by UID", {
      Level: "Instance",
      Query: { SOPInstanceUID: "1.3.46.670589.11.0.0.11.4.2.0.8743.5.5396.2006120114333648576" },
    }],
    ["instance by patient and series", {
      Level: "Instance",
      Query: { PatientName: "BRAINIX", SeriesDescription: "T2W/FE-EPI" },
    }],
    ["tag that is not indexed", { Level: "Study", Query: { Rows: "512" } }],
    ["tag that is not indexed, series", { Level: "Series", Query: { Rows: "512" } }],
    ["non-ASCII name, Greek", { Level: "Patient", Query: { PatientName: "Διονυσιος" } }],
    ["non-ASCII name, Japanese", {
      Level: "Patient",
      Query: { PatientName: "Yamada^Tarou=山田^太郎=やまだ^たろう" },
    }],
    ["non-ASCII name, Korean prefix", { Level: "Patient", Query: { PatientName: "Hong*" } }],
    ["multi-valued tag", {
      Level: "Instance",
      Query: { ImageOrientationPatient: "1\\0\\0\\0\\1\\0" },
    }],
    ["expanded", { Level: "Series", Query: { PatientID: "5Yp0E" }, Expand: true }],
    ["expanded short", {
      Level: "Study",
      Query: { PatientID: "5Yp0E" },
      Expand: true,
      Short: true,
    }],
    ["unknown level", { Level: "Bogus", Query: {} }],
    ["unknown tag", { Level: "Study", Query: { Bogus: "x" } }],
    ["value not a string", { Level: "Study", Query: { PatientName: 3 } }],
    ["limit not an integer", { Level: "Study", Query: {}, Limit: "x" }],
    ["query missing", { Level: "Study" }],
  ];
  for (const [name, body] of FIND_QUERIES) reqs.push(find(name, body));
  for (const value of ["2.16.840.1.113669.632.20.1211.10000357775", "FromGDCM", "0", "nothing"]) {
    reqs.push({
      group: "find",
      name: `POST /tools/lookup ${value}`,
      method: "POST",
      path: "/tools/lookup",
      body: { kind: "text", text: value },
    });
  }

  // ---- System after uploads
  reqs.push(get("system", "/system"), get("system", "/statistics"));

  // ---- Deletes, then what is left
  const deletes = "deletes";
  const del = (level: string, id: string): GoldenRequest => ({
    group: deletes,
    name: `DELETE /${level}/${id}`,
    method: "DELETE",
    path: `/${level}/${id}`,
  });
  const pick = (file: string) => answers.get(file);
  const inst = pick("Brainix/Flair/IM-0001-0001.dcm");
  const series = pick("Knee/T1/IM-0001-0001.dcm");
  const study = pick("Comunix/Pet/IM-0001-0001.dcm");
  const patient = pick("DummyCT.dcm");
  const single = pick("Issue22-NoPixelData.dcm");
  if (inst) {
    reqs.push(
      del("instances", inst.ID),
      get(deletes, `/instances/${inst.ID}`),
      del("instances", inst.ID),
      get(deletes, `/series/${inst.ParentSeries}`),
    );
  }
  if (series) {
    reqs.push(
      del("series", series.ParentSeries),
      get(deletes, `/series/${series.ParentSeries}`),
      get(deletes, `/studies/${series.ParentStudy}`),
    );
  }
  if (study) {
    reqs.push(
      del("studies", study.ParentStudy),
      get(deletes, `/studies/${study.ParentStudy}`),
      get(deletes, `/patients/${study.ParentPatient}`),
    );
  }
  if (patient) {
    reqs.push(
      del("patients", patient.ParentPatient),
      get(deletes, `/patients/${patient.ParentPatient}`),
    );
  }
  // Deleting the only instance of a patient removes the whole hierarchy.
  if (single) {
    reqs.push(del("instances", single.ID), get(deletes, `/patients/${single.ParentPatient}`));
  }
  // Everything was stored before the ZIP/multipart uploads above; re-uploading deleted files
  // shows whether these uploads really store ("Success", resources back).
  if (series) {
    reqs.push({
      group: deletes,
      name: "upload zip of 2 deleted files",
      method: "POST",
      path: "/instances",
      body: { kind: "zip", files: ["Knee/T1/IM-0001-0001.dcm", "Knee/T1/IM-0001-0002.dcm"] },
      contentType: "application/zip",
    });
    reqs.push(get(deletes, `/series/${series.ParentSeries}`));
  }
  if (inst) {
    reqs.push({
      group: deletes,
      name: "upload multipart/form-data of 1 deleted file",
      method: "POST",
      path: "/instances",
      body: { kind: "multipart", files: ["Brainix/Flair/IM-0001-0001.dcm"] },
    });
    reqs.push(get(deletes, `/instances/${inst.ID}`));
  }
  reqs.push(
    get(deletes, "/statistics"),
    get(deletes, "/patients"),
    get(deletes, "/studies"),
    get(deletes, "/series"),
    get(deletes, "/instances?limit=5"),
  );
  return reqs;
}
