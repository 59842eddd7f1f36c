// Pharos and a real Orthanc 1.10.1 with its DICOMweb plugin given the same files and the same
// DICOMweb requests: status, content type and the DICOM JSON (keys in order, values) must be the
// same once each server's own address is masked.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hasOrthanc, type RunningOrthanc, startOrthanc } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { mediaParameters, parseMultipart } from "../../src/dicomweb/multipart.ts";
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

const DUMMY_SERIES = "1.2.840.113619.2.176.2025.1499492.7391.1175285944.394";
const DUMMY_INSTANCE = "1.2.840.113619.2.176.2025.1499492.7040.1175286242.109";
const DUMMY = `/studies/${DUMMY_STUDY}/series/${DUMMY_SERIES}/instances/${DUMMY_INSTANCE}`;

const KNEE =
  "/studies/2.16.840.1.113669.632.20.121711.10000160881/series/1.3.46.670589.11.17521.5.0.3124.2008081908564160709/instances/1.3.46.670589.11.17521.5.0.3124.2008081908590448738";

const METADATA = [
  `/studies/${BRAINIX_STUDY}/metadata`,
  `/studies/${DUMMY_STUDY}/series/${DUMMY_SERIES}/metadata`,
  `${DUMMY}/metadata`,
  "/studies/1.2.3/metadata",
  `/studies/${DUMMY_STUDY}/series/1.2.3/metadata`,
];

/** Binary answers: the multipart type, then each part's type and bytes. */
const BINARY: [string, string | undefined][] = [
  [DUMMY, undefined],
  [DUMMY, 'multipart/related; type="application/dicom"; transfer-syntax=*'],
  [`/studies/${DUMMY_STUDY}/series/${DUMMY_SERIES}`, 'multipart/related; type="application/dicom"'],
  [`${DUMMY}/frames/1`, undefined],
  [`${DUMMY}/frames/1`, 'multipart/related; type="application/octet-stream"; transfer-syntax=*'],
  [`${DUMMY}/frames/1,2`, undefined],
  [`${DUMMY}/bulk/7fe00010`, undefined],
  [KNEE, 'multipart/related; type="application/dicom"; transfer-syntax=*'],
  [KNEE, undefined],
  [`${KNEE}/frames/1`, 'multipart/related; type="application/octet-stream"; transfer-syntax=*'],
  [`${KNEE}/frames/1`, undefined],
  [`${DUMMY}/frames/5`, undefined],
  [`${DUMMY}/frames/0`, undefined],
  [`${DUMMY}/frames/x`, undefined],
];

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

interface BinaryAnswer {
  status: number;
  type?: string;
  parts?: { type: string; bytes: string }[];
}

async function askBinary(base: string, path: string, accept?: string): Promise<BinaryAnswer> {
  const response = await fetch(`${base}/dicom-web${path}`, {
    headers: accept ? { Accept: accept } : {},
  });
  const body = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200) return { status: response.status };
  const { type, params } = mediaParameters(response.headers.get("content-type") ?? "");
  const parts = parseMultipart(body, params.get("boundary")!).map((part) => ({
    type: part.contentType,
    bytes: new Bun.CryptoHasher("sha1").update(part.body).digest("hex"),
  }));
  return { status: response.status, type: `${type}; type=${params.get("type")}`, parts };
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

  for (const path of METADATA) {
    test(`WADO-RS ${path}`, async () => {
      const [theirs, ours] = await Promise.all([ask(orthanc.url, path), ask(pharos.url, path)]);
      expect(ours.status).toBe(theirs.status);
      if (theirs.status === 200) {
        expect(ours.type).toBe(theirs.type);
        expect((ours.body as unknown[]).length).toBeGreaterThan(0);
      }
      const bySop = (answer: Answer) =>
        Array.isArray(answer.body)
          ? answer.body.toSorted((a, b) =>
            JSON.stringify(a["00080018"]).localeCompare(JSON.stringify(b["00080018"]))
          )
          : answer.body;
      expect(keyOrder(bySop(ours))).toEqual(keyOrder(bySop(theirs)));
    });
  }

  for (const [path, accept] of BINARY) {
    test(`WADO-RS ${path} (Accept: ${accept ?? "none"})`, async () => {
      const [theirs, ours] = await Promise.all([
        askBinary(orthanc.url, path, accept),
        askBinary(pharos.url, path, accept),
      ]);
      if (path.startsWith(KNEE) && accept === undefined && theirs.status === 500) {
        // The Knee is JPEG 2000, which Orthanc 1.10.1 cannot decode without its GDCM plugin: it
        // fails to give the little endian the request defaults to, where Pharos's codecs do.
        expect({ status: ours.status, parts: (ours as { parts?: unknown[] }).parts?.length })
          .toEqual({ status: 200, parts: 1 });
        return;
      }
      expect(ours).toEqual(theirs);
    });
  }

  const XML: [string, string][] = [
    [
      `/studies/${DUMMY_STUDY}/series/${DUMMY_SERIES}/metadata`,
      'multipart/related; type="application/dicom+xml"',
    ],
    [`/studies/${BRAINIX_STUDY}/metadata`, 'multipart/related; type="application/dicom+xml"'],
    [`/studies?StudyInstanceUID=${BRAINIX_STUDY}`, "application/dicom+xml"],
    [`/studies/${BRAINIX_STUDY}/series`, "application/dicom+xml"],
    [
      `/studies?StudyInstanceUID=${BRAINIX_STUDY}`,
      'multipart/related; type="application/dicom+xml"',
    ],
  ];
  for (const [path, accept] of XML) {
    test(`XML ${path} (Accept: ${accept})`, async () => {
      const [theirs, ours] = await Promise.all(
        [orthanc.url, pharos.url].map(async (url) => {
          const response = await fetch(`${url}/dicom-web${path}`, { headers: { Accept: accept } });
          const body = new Uint8Array(await response.arrayBuffer());
          const { type, params } = mediaParameters(response.headers.get("content-type") ?? "");
          if (type !== "multipart/related") {
            return {
              status: response.status,
              type,
              json: JSON.parse(new TextDecoder().decode(body).replaceAll(url, "BASE")),
            };
          }
          const parts = parseMultipart(body, params.get("boundary")!).map((part) => ({
            type: part.contentType,
            xml: new TextDecoder().decode(part.body).replaceAll(url, "BASE"),
          }));
          // The order of several instances or matches is the servers' own.
          return {
            status: response.status,
            type,
            parts: parts.toSorted((a, b) => a.xml.localeCompare(b.xml)),
          };
        }),
      );
      expect(ours).toEqual(theirs!);
    });
  }

  const RENDERED = [
    `${DUMMY}/rendered`,
    `/studies/${DUMMY_STUDY}/series/${DUMMY_SERIES}/rendered`,
    `/studies/${BRAINIX_STUDY}/rendered`,
    `${DUMMY}/frames/2/rendered`,
    `${DUMMY}/frames/9/rendered`,
    "/studies/1.2.3/rendered",
  ];
  for (const path of RENDERED) {
    test(`WADO-RS ${path}`, async () => {
      const [theirs, ours] = await Promise.all(
        [orthanc.url, pharos.url].map((url) => fetch(`${url}/dicom-web${path}`)),
      );
      expect(ours!.status).toBe(theirs!.status);
      if (theirs!.status === 200) {
        expect(ours!.headers.get("content-type")).toBe(theirs!.headers.get("content-type"));
        const [a, b] = await Promise.all([ours!.arrayBuffer(), theirs!.arrayBuffer()]);
        // Both JPEG; the encoders differ.
        expect([...new Uint8Array(a, 0, 2)]).toEqual([...new Uint8Array(b, 0, 2)]);
      }
    });
  }

  const stowBody = (boundary: string, parts: [string, Uint8Array][]) => {
    const chunks: Uint8Array[] = [];
    for (const [type, body] of parts) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${type}\r\n\r\n`), body);
      chunks.push(Buffer.from("\r\n"));
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return Buffer.concat(chunks);
  };
  const epi2 = readFileSync(join(samplesDir, "Brainix/Epi/IM-0001-0002.dcm"));
  const flair3 = readFileSync(join(samplesDir, "Brainix/Flair/IM-0001-0003.dcm"));
  const STOW: [string, string, Uint8Array][] = [
    [
      "/studies",
      'multipart/related; type="application/dicom"; boundary=B1',
      stowBody("B1", [["application/dicom", epi2]]),
    ],
    [
      `/studies/${BRAINIX_STUDY}`,
      "multipart/related; boundary=B2",
      stowBody("B2", [["application/dicom", flair3]]),
    ],
    [
      "/studies/1.2.3",
      'multipart/related; type="application/dicom"; boundary=B3',
      stowBody("B3", [["application/dicom", epi2]]),
    ],
    [
      "/studies",
      'multipart/related; type="application/dicom"; boundary=B4',
      stowBody("B4", [["application/dicom", Buffer.from("not DICOM")]]),
    ],
    [
      "/studies",
      'multipart/related; type="application/dicom"; boundary=WRONG',
      stowBody("B5", [["application/dicom", epi2]]),
    ],
    ["/studies", "application/dicom", epi2],
  ];
  for (const [path, type, body] of STOW) {
    test(`STOW-RS ${path} (${type})`, async () => {
      const init = { method: "POST", headers: { "Content-Type": type }, body };
      const [theirs, ours] = await Promise.all([
        ask(orthanc.url, path, init),
        ask(pharos.url, path, init),
      ]);
      expect(ours.status).toBe(theirs.status);
      expect(keyOrder(ours.body)).toEqual(keyOrder(theirs.body));
    });
  }

  const WADO_URI = [
    `?requestType=WADO&studyUID=${DUMMY_STUDY}&seriesUID=${DUMMY_SERIES}&objectUID=${DUMMY_INSTANCE}&contentType=application/dicom`,
    `?requestType=WADO&studyUID=${DUMMY_STUDY}&seriesUID=${DUMMY_SERIES}&objectUID=${DUMMY_INSTANCE}`,
    `?requestType=WADO&studyUID=${DUMMY_STUDY}&seriesUID=${DUMMY_SERIES}&objectUID=${DUMMY_INSTANCE}&contentType=image/png`,
    `?requestType=WADO&studyUID=${DUMMY_STUDY}&seriesUID=${DUMMY_SERIES}&objectUID=1.2.3`,
    `?studyUID=${DUMMY_STUDY}&seriesUID=${DUMMY_SERIES}&objectUID=${DUMMY_INSTANCE}`,
  ];
  for (const query of WADO_URI) {
    test(`WADO-URI ${query}`, async () => {
      const [theirs, ours] = await Promise.all(
        [orthanc.url, pharos.url].map((url) => fetch(`${url}/wado${query}`)),
      );
      expect(ours!.status).toBe(theirs!.status);
      // The plugin labels its rendered JPEG "image/png" whatever is asked: Pharos does not.
      if (query.includes("application/dicom")) {
        expect(ours!.headers.get("content-type")).toBe(theirs!.headers.get("content-type"));
      }
      const [a, b] = await Promise.all([ours!.arrayBuffer(), theirs!.arrayBuffer()]);
      if (query.includes("application/dicom")) expect(Buffer.from(a)).toEqual(Buffer.from(b));
    });
  }

  for (const path of QIDO) {
    test(`QIDO-RS ${path}`, async () => {
      const [theirs, ours] = await Promise.all([ask(orthanc.url, path), ask(pharos.url, path)]);
      expect(ours.status).toBe(theirs.status);
      if (theirs.status === 200) expect(ours.type).toBe(theirs.type);
      expect(keyOrder(comparable(path, ours))).toEqual(keyOrder(comparable(path, theirs)));
    });
  }
});
