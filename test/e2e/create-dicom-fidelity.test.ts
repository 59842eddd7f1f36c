// Pharos and a real Orthanc 1.10.1 given the same /tools/create-dicom requests: the files they
// create must read the same in dcmdump once the identifiers, dates and times each server
// generates are masked; the errors, the answers' keys and /instances/{id}/pdf must be the same.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildInstance, dicomDate } from "../../src/creating/instance.ts";
import { findElement, parseDicom } from "../../src/dicom/parser.ts";
import { Tags } from "../../src/dicom/tag.ts";
import { encodeJpeg } from "../../src/imaging/jpeg.ts";
import { encodePng } from "../../src/imaging/png.ts";
import { dcmtk, hasOrthanc, type RunningOrthanc, startOrthanc } from "../support/dimse.ts";
import { startInProcess } from "../support/in-process.ts";
import { samplesDir, type TestServer } from "../support/server.ts";

let orthanc: RunningOrthanc;
let pharos: TestServer;
let work: string;
/** The DummyCT.dcm instance on each server, whose study and series become parents. */
const parents: {
  study: string;
  series: string;
  patient: string;
  instance: string;
  latin2Study: string;
}[] = [];

const uri = (mime: string, bytes: Uint8Array) =>
  `data:${mime};base64,${Buffer.from(bytes).toString("base64")}`;

const ramp = (n: number, step: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * step) & 255);
const gray = encodePng({ format: "Grayscale8", width: 5, height: 3, pixels: ramp(15, 10) });
const gray16 = encodePng({
  format: "Grayscale16",
  width: 5,
  height: 3,
  pixels: Uint16Array.from({ length: 15 }, (_, i) => i * 1000),
});
const rgb = encodePng({ format: "RGB24", width: 5, height: 3, pixels: ramp(45, 5) });
const rgba = encodePng({ format: "RGBA32", width: 3, height: 2, pixels: ramp(24, 9) });
const jpeg = encodeJpeg({ format: "RGB24", width: 20, height: 12, pixels: ramp(720, 7) });
const jpegGray = encodeJpeg({ format: "Grayscale8", width: 16, height: 8, pixels: ramp(128, 3) });
const pdf = new Uint8Array(readFileSync(join(samplesDir, "HelloWorld.pdf")));
/** A camera's JPEG (YCbCr, chroma subsampled 2x1): the first frame of a baseline sample. */
const subsampled = (() => {
  const file = new Uint8Array(
    readFileSync(join(samplesDir, "TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm")),
  );
  const { dataset } = parseDicom(file);
  const frame = findElement(dataset, Tags.PixelData)!.fragments![1]!;
  return file.subarray(frame.offset, frame.offset + frame.length);
})();

const CREATIONS: [string, (side: number) => object][] = [
  ["tags", () => ({ Tags: { PatientName: "Hello^World", PatientID: "P1", Modality: "MR" } })],
  ["no tags", () => ({})],
  ["legacy form", () => ({ PatientName: "V1", StudyDescription: "x" })],
  ["legacy form, identifiers and character set", () => ({
    SOPInstanceUID: "1.2.3.9",
    SpecificCharacterSet: "ISO_IR 192",
    PatientName: "é",
  })],
  ["pdf", () => ({ Tags: { PatientName: "Pdf" }, Content: uri("application/pdf", pdf) })],
  ["pdf with a modality", () => ({
    Tags: { Modality: "DOC", SOPClassUID: "1.2.3" },
    Content: uri("application/pdf", pdf),
  })],
  ["gray png", () => ({ Tags: { PatientName: "A" }, Content: uri("image/png", gray) })],
  ["16-bit png", () => ({ Tags: {}, Content: uri("image/png", gray16) })],
  ["rgb png", () => ({ Tags: { PatientName: "A" }, Content: uri("image/png", rgb) })],
  ["rgba png", () => ({ Tags: {}, Content: uri("image/png", rgba) })],
  ["jpeg", () => ({ Tags: { PatientName: "J" }, Content: uri("image/jpeg", jpeg) })],
  ["gray jpeg", () => ({ Tags: {}, Content: uri("image/jpeg", jpegGray) })],
  ["subsampled jpeg", () => ({ Tags: {}, Content: uri("image/jpeg", subsampled) })],
  ["2x2 subsampled jpeg, odd size", () => ({ Tags: {}, Content: uri("image/jpeg", quartered) })],
  ["progressive jpeg", () => ({ Tags: {}, Content: uri("image/jpeg", progressive) })],
  ["sequence", () => ({
    Tags: {
      PatientName: "Seq",
      ReferencedImageSequence: [
        { ReferencedSOPClassUID: "1.2", ReferencedSOPInstanceUID: "1.3" },
        { ReferencedSOPClassUID: "1.4", ReferencedFrameNumber: "2" },
      ],
      ProcedureCodeSequence: [],
    },
  })],
  ["private tags", () => ({
    Tags: { "0009,0010": "GEMS_IDEN_01", "0009,1001": "x" },
    PrivateCreator: "GEMS_IDEN_01",
  })],
  ["unknown creator", () => ({ Tags: { "0009,1001": "x", "0009,1002": "1\\2" } })],
  ["text and numbers", () => ({
    Tags: { PatientName: "Jérôme", Rows: "", InstitutionName: null, PixelSpacing: "1\\2" },
  })],
  ["numbers as Orthanc casts them", () => ({
    Tags: { Rows: "-1", Columns: "+3", "0018,9087": "1e3", "0028,0106": "0" },
  })],
  ["utf-8", () => ({ Tags: { SpecificCharacterSet: "ISO_IR 192", StudyDescription: "é" } })],
  ["data uris", () => ({
    Tags: {
      "0009,1001": uri("application/octet-stream", Uint8Array.of(0, 1, 2)),
      PatientName: uri("application/octet-stream", Uint8Array.of(65, 66)),
      StudyDescription: uri("x/y", Uint8Array.of(65, 66)),
    },
  })],
  ["data uris as text", () => ({
    Tags: { PatientName: uri("application/octet-stream", Uint8Array.of(65, 66)) },
    InterpretBinaryTags: false,
  })],
  ["forced uids", () => ({
    Tags: { StudyInstanceUID: "1.2.3.4", SOPInstanceUID: "1.2.3.5" },
    Force: true,
  })],
  ["study parent", (side) => ({ Tags: { ImageComments: "x" }, Parent: parents[side]!.study })],
  ["series parent", (side) => ({
    Tags: { ImageComments: "y" },
    Parent: parents[side]!.series,
    Content: uri("image/png", gray),
  })],
  ["patient parent", (side) => ({ Tags: {}, Parent: parents[side]!.patient })],
  ["series of contents under a series parent", (side) => ({
    Tags: {},
    Parent: parents[side]!.series,
    Content: [uri("image/png", gray), uri("image/png", rgb)],
  })],
  ["latin-2 parent", (side) => ({
    Tags: { ImageComments: "žluťoučký", SeriesDescription: "é" },
    Parent: parents[side]!.latin2Study,
  })],
  ["utf-8, name in another script", () => ({
    Tags: { SpecificCharacterSet: "ISO_IR 192", PatientName: "李^小龙" },
  })],
];

const ERRORS: [string, (side: number) => string][] = [
  ["not json", () => '{"Tags":'],
  ["not an object", () => "[1]"],
  ["tags not an object", () => '{"Tags":[1]}'],
  ["unknown tag", () => '{"Tags":{"Nope":"1"}}'],
  ["number value", () => '{"Tags":{"PatientName":5}}'],
  ["bad number", () => '{"Tags":{"Rows":"abc"}}'],
  ["several numbers", () => '{"Tags":{"0018,1310":"1\\\\2\\\\3\\\\4"}}'],
  ["number out of range", () => '{"Tags":{"Rows":"70000"}}'],
  ["number with spaces", () => '{"Tags":{"0018,9087":" 1.5 "}}'],
  ["fraction for an integer", () => '{"Tags":{"Rows":"1.5"}}'],
  ["unknown character set", () => '{"Tags":{"SpecificCharacterSet":"FOO","PatientName":"a"}}'],
  ["a tag twice", () => '{"Tags":{"PatientName":"a","0010,0010":"b"}}'],
  ["pixel data", () => '{"Tags":{"PixelData":"abc"}}'],
  ["uid without force", () => '{"Tags":{"SOPInstanceUID":"1.2"}}'],
  ["force not boolean", () => '{"Tags":{},"Force":"yes"}'],
  ["creator not a string", () => '{"Tags":{},"PrivateCreator":5}'],
  ["unknown parent", () => '{"Tags":{},"Parent":"nope"}'],
  ["parent not a string", () => '{"Tags":{},"Parent":5}'],
  ["instance parent", (side) => `{"Tags":{},"Parent":"${parents[side]!.instance}"}`],
  ["inherited tag", (side) => `{"Tags":{"PatientName":"x"},"Parent":"${parents[side]!.study}"}`],
  ["content not a string", () => '{"Tags":{},"Content":5}'],
  ["not a data uri", () => '{"Tags":{},"Content":"nonsense"}'],
  ["unsupported mime", () => '{"Tags":{},"Content":"data:text/plain;base64,aGVsbG8="}'],
  ["bad png", () => '{"Tags":{},"Content":"data:image/png;base64,AAAA"}'],
  ["not a pdf", () => '{"Tags":{},"Content":"data:application/pdf;base64,JVBERg=="}'],
  ["bad second frame", () =>
    JSON.stringify({
      Tags: {},
      Content: [uri("image/png", gray), "data:application/pdf;base64,JVBERg=="],
    })],
];

/**
 * JPEGs whose chroma is subsampled 2x2, of an odd size, compressed by DCMTK's dcmcjpeg: baseline,
 * and progressive (spectral selection and successive approximation).
 */
let quartered = new Uint8Array(0);
let progressive = new Uint8Array(0);

async function compressedJpeg(options: string[], name: string): Promise<Uint8Array> {
  const width = 37;
  const height = 21;
  const pixels = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) ^ (i >> 3));
  const native = buildInstance({
    tags: [],
    charset: "ISO_IR 100",
    interpretBinaryTags: false,
    legacy: false,
    generateIdentifiers: true,
    payload: { kind: "image", image: { format: "RGB24", width, height, pixels } },
  });
  const source = join(work, "native.dcm");
  const target = join(work, `${name}.dcm`);
  writeFileSync(source, native);
  expect((await dcmtk(["dcmcjpeg", ...options, "+un", "+n1", source, target])).code).toBe(0);
  const file = new Uint8Array(readFileSync(target));
  const frame = findElement(parseDicom(file).dataset, Tags.PixelData)!.fragments![1]!;
  return file.subarray(frame.offset, frame.offset + frame.length);
}

beforeAll(async () => {
  if (!hasOrthanc) return;
  orthanc = await startOrthanc("ORTHANC");
  pharos = await startInProcess();
  work = mkdtempSync(join(tmpdir(), "pharos-create-"));
  quartered = await compressedJpeg(["+eb"], "quartered");
  progressive = await compressedJpeg(["+ep"], "progressive");
  for (const url of [orthanc.url, pharos.url]) {
    const r = await fetch(`${url}/instances`, {
      method: "POST",
      body: Bun.file(join(samplesDir, "DummyCT.dcm")),
    });
    const stored = await r.json();
    const latin2 = await fetch(`${url}/instances`, {
      method: "POST",
      body: Bun.file(join(samplesDir, "MarekLatin2.dcm")),
    });
    parents.push({
      latin2Study: (await latin2.json()).ParentStudy,
      instance: stored.ID,
      study: stored.ParentStudy,
      series: stored.ParentSeries,
      patient: stored.ParentPatient,
    });
  }
});

afterAll(async () => {
  await orthanc?.stop();
  await pharos?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const GENERATED_UID =
  /^(\s*\([0-9a-f]{4},[0-9a-f]{4}\) UI )\[(?:2\.25\.|1\.2\.276\.0\.7230010\.)[\d.]+\]\s+#\s*\d+,/;
const UUID = /\[[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\]\s+#\s*\d+/;

/** dcmdump of a file, with what each server generates masked. */
async function dump(bytes: Uint8Array, name: string): Promise<string> {
  const path = join(work, name);
  writeFileSync(path, bytes);
  const { out } = await dcmtk(["dcmdump", "-q", path]);
  const today = dicomDate(new Date());
  // dcmdump shows the first values only: the pixels are compared whole, by their hash.
  const { dataset } = parseDicom(bytes);
  const pixels = findElement(dataset, Tags.PixelData);
  const hash = pixels &&
    Bun.hash(bytes.subarray(pixels.offset, pixels.offset + pixels.length)).toString(16);
  return `pixels: ${hash}\n` + out.split("\n").filter((line) =>
    // The meta header's group length and implementation differ by construction.
    !/^\((0002,0000|0002,0012|0002,0013)\)/.test(line)
  ).map((line) => {
    const uid = GENERATED_UID.exec(line);
    if (uid) return `${uid[1]}<generated>`;
    if (UUID.test(line)) return line.replace(UUID, "<uuid>");
    if (/^\(....,....\) DA /.test(line)) return line.replace(`[${today}]`, "<today>");
    if (/^\(....,....\) TM /.test(line)) {
      const m = /\[(\d{6})\.000000\]/.exec(line);
      if (m && m[1] !== "120000") return line.replace(m[0], "<now>");
    }
    return line;
  }).join("\n");
}

async function created(url: string, body: string, name: string) {
  const r = await fetch(`${url}/tools/create-dicom`, { method: "POST", body });
  const answer = (await r.json()) as Record<string, string>;
  if (!r.ok) return { status: r.status, answer };
  const keys = Object.keys(answer).sort();
  const instances = answer.Path?.startsWith("/series/")
    ? ((await (await fetch(`${url}/series/${answer.ID}/instances`)).json()) as { ID: string }[])
      .map((i) => i.ID)
    : [answer.ID!];
  const dumps: string[] = [];
  for (const id of instances) {
    const file = await fetch(`${url}/instances/${id}/file`);
    dumps.push(await dump(new Uint8Array(await file.arrayBuffer()), `${name}-${id}.dcm`));
  }
  dumps.sort();
  return { status: r.status, keys, status2: answer.Status, dumps, id: answer.ID };
}

describe.skipIf(!hasOrthanc)("/tools/create-dicom beside Orthanc 1.10.1", () => {
  test("the same files are created, as dcmdump reads them", async () => {
    for (const [label, body] of CREATIONS) {
      const answers = [];
      for (const [side, url] of [orthanc.url, pharos.url].entries()) {
        const { id: _, ...answer } = await created(url, JSON.stringify(body(side)), `${side}`);
        answers.push(answer);
      }
      expect({ label, ...answers[1] }).toEqual({ label, ...answers[0]! });
      expect({ label, status: answers[0]!.status }).toEqual({ label, status: 200 });
    }
  }, 120_000);

  test("a list of contents makes a series, one instance per content", async () => {
    const body = JSON.stringify({
      Tags: { PatientName: "Series" },
      Content: [
        uri("image/png", gray),
        { Content: uri("image/png", rgb), Tags: { ImageComments: "second" } },
        uri("image/jpeg", jpegGray),
      ],
    });
    const answers = [];
    for (const [side, url] of [orthanc.url, pharos.url].entries()) {
      const { id: _, ...answer } = await created(url, body, `series-${side}`);
      answers.push(answer);
    }
    expect(answers[1]).toEqual(answers[0]!);
    expect(answers[0]!.dumps).toHaveLength(3);
    expect(answers[0]!.keys).toEqual(["ID", "Path", "Status"]);
  }, 60_000);

  test("bad requests get Orthanc's errors", async () => {
    for (const [label, body] of ERRORS) {
      const answers = [];
      for (const [side, url] of [orthanc.url, pharos.url].entries()) {
        const r = await fetch(`${url}/tools/create-dicom`, { method: "POST", body: body(side) });
        answers.push({ label, status: r.status, body: await r.json() });
      }
      expect(answers[1]).toEqual(answers[0]!);
    }
  }, 60_000);

  test("/instances/{id}/pdf answers the document, and 404 for other instances", async () => {
    const body = JSON.stringify({ Tags: {}, Content: uri("application/pdf", pdf) });
    const answers = [];
    for (const [side, url] of [orthanc.url, pharos.url].entries()) {
      const { id } = await created(url, body, `pdf-${side}`);
      const r = await fetch(`${url}/instances/${id}/pdf`);
      const other = await fetch(`${url}/instances/${parents[side]!.instance}/pdf`);
      const unknown = await fetch(`${url}/instances/nope/pdf`);
      answers.push({
        status: r.status,
        type: r.headers.get("content-type"),
        bytes: new Uint8Array(await r.arrayBuffer()),
        other: [other.status, await other.text()],
        unknown: [unknown.status, await unknown.json()],
      });
    }
    expect(answers[1]).toEqual(answers[0]!);
    expect(answers[0]!.bytes).toEqual(pdf);
  }, 60_000);
});
