// Pharos and a real Orthanc 1.10.1 with its DICOMweb plugin given the same files and the same
// DICOMweb requests: status, content type and the DICOM JSON (keys in order, values) must be the
// same once each server's own address is masked.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hasOrthanc, type RunningOrthanc, startOrthanc } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";

const PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

const FILES = [
  "DummyCT.dcm",
  "Brainix/Flair/IM-0001-0001.dcm",
  "Brainix/Flair/IM-0001-0002.dcm",
  "Brainix/Epi/IM-0001-0001.dcm",
  "Knee/T1/IM-0001-0001.dcm",
  "MultiframeWindowing.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.dcm",
];

const DUMMY_STUDY = "1.2.840.113619.2.176.2025.1499492.7391.1175285944.390";
const BRAINIX_STUDY = "2.16.840.1.113669.632.20.1211.10000357775";

const QIDO = [
  "/studies",
  "/studies?limit=2",
  "/studies?limit=2&offset=1",
  "/studies?offset=100",
  "/studies?PatientName=b*",
  "/studies?PatientName=B*&fuzzymatching=true",
  "/studies?StudyDate=20000101-20091231",
  "/studies?ModalitiesInStudy=MR",
  "/studies?includefield=StudyDescription&includefield=00101010",
  "/studies?includefield=StudyDescription,InstitutionName",
  "/studies?includefield=all",
  `/studies?StudyInstanceUID=${BRAINIX_STUDY}`,
  "/series",
  "/series?Modality=CT",
  "/series?SeriesDescription=*flair*",
  `/studies/${BRAINIX_STUDY}/series`,
  `/studies/${BRAINIX_STUDY}/series?Modality=CT`,
  "/instances",
  `/studies/${BRAINIX_STUDY}/instances`,
  `/studies/${DUMMY_STUDY}/instances?includefield=ImageType`,
  "/studies/1.2.3.4/series",
  "/studies/1.2.3.4/instances",
  "/studies?limit=abc",
];

interface Answer {
  status: number;
  type: string | null;
  body: unknown;
}

async function ask(base: string, path: string, init?: RequestInit): Promise<Answer> {
  const response = await fetch(`${base}/dicom-web${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text.replaceAll(base, "BASE"));
  } catch {
    // Not JSON: compared as text.
  }
  // Orthanc's error bodies name its own routes; only their status and message are compared.
  if (response.status >= 400 && body && typeof body === "object" && "HttpStatus" in body) {
    body = { HttpStatus: (body as { HttpStatus: number }).HttpStatus };
  }
  return { status: response.status, type: response.headers.get("content-type"), body };
}

const retrieveUrlOf = (item: unknown) =>
  JSON.stringify((item as Record<string, { Value?: unknown[] }>)["00081190"]?.Value);

/**
 * PS3.18 gives matches no order, and the plugin's follows its SQL plan: the answers are compared
 * in the order of their URLs, but for limit and offset over all studies, whose order both share.
 */
function comparable(path: string, answer: Answer): unknown {
  if (!Array.isArray(answer.body) || path.startsWith("/studies?limit")) return answer.body;
  return answer.body.toSorted((a, b) => retrieveUrlOf(a).localeCompare(retrieveUrlOf(b)));
}

/** Keys in the order the answer lists them, at every depth. */
function keyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value && typeof value === "object") {
    return Object.entries(value).map(([k, v]) => [k, keyOrder(v)]);
  }
  return value;
}

describe.if(hasOrthanc)("DICOMweb answers equal the Orthanc DICOMweb plugin's", () => {
  let orthanc: RunningOrthanc;
  let pharos: InProcessServer;

  beforeAll(async () => {
    [orthanc, pharos] = await Promise.all([
      startOrthanc("DICOMWEB", { Plugins: [PLUGIN], DicomWeb: { Enable: true } }),
      startInProcess(),
    ]);
    for (const file of FILES) {
      const body = readFileSync(join(samplesDir, file));
      for (const url of [orthanc.url, pharos.url]) {
        const response = await fetch(`${url}/instances`, { method: "POST", body });
        expect(response.status).toBe(200);
      }
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all([orthanc?.stop(), pharos?.stop()]);
  });

  for (const path of QIDO) {
    test(`QIDO-RS ${path}`, async () => {
      const [theirs, ours] = await Promise.all([ask(orthanc.url, path), ask(pharos.url, path)]);
      expect(ours.status).toBe(theirs.status);
      if (theirs.status === 200) expect(ours.type).toBe(theirs.type);
      expect(keyOrder(comparable(path, ours))).toEqual(keyOrder(comparable(path, theirs)));
    });
  }
});

export { DUMMY_STUDY };
