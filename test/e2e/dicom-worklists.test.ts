// Modality worklists: .wl files written by DCMTK's dump2dcm, queried with `findscu -W`
// (Pharos as worklist SCP, with the worklist permissions), and with
// /modalities/{id}/find-worklist (Pharos as worklist SCU against itself).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dcmtk } from "../support/dimse.ts";
import { startInProcess } from "../support/in-process.ts";
import { freePort, type TestServer } from "../support/server.ts";

let pharos: TestServer;
let dicomPort: number;
const dir = mkdtempSync(join(tmpdir(), "pharos-worklists-"));

function worklistDump(
  name: string,
  patientId: string,
  modality: string,
  date: string,
  station: string,
): string {
  return `(0008,0005) CS [ISO_IR 100]
(0008,0050) SH [ACC-${patientId}]
(0010,0010) PN [${name}]
(0010,0020) LO [${patientId}]
(0010,0030) DA [19700101]
(0010,0040) CS [O]
(0020,000d) UI [1.2.3.4.${patientId.replace(/\D/g, "")}]
(0032,1060) LO [Brain MRI]
(0040,0100) SQ (Sequence with explicit length #=1)
  (fffe,e000) na (Item with explicit length #=5)
    (0008,0060) CS [${modality}]
    (0040,0001) AE [${station}]
    (0040,0002) DA [${date}]
    (0040,0003) TM [101500]
    (0040,0009) SH [SPS-${patientId}]
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)
(fffe,e0dd) na (SequenceDelimitationItem for re-encoding)
(0040,1001) SH [RP-${patientId}]
`;
}

beforeAll(async () => {
  const database = join(dir, "WorklistsDatabase");
  mkdirSync(database);
  const entries: [string, string, string, string, string, string][] = [
    ["wl1", "DOE^JOHN", "WL001", "MR", "20240110", "SCANNER1"],
    ["wl2", "DOE^JANE", "WL002", "CT", "20240111", "SCANNER2"],
    ["wl3", "MARTIN^PAUL", "WL003", "MR", "20240215", "SCANNER2"],
  ];
  for (const [file, name, id, modality, date, station] of entries) {
    writeFileSync(join(dir, `${file}.dump`), worklistDump(name, id, modality, date, station));
    const r = await dcmtk([
      "dump2dcm",
      "-g",
      join(dir, `${file}.dump`),
      join(database, `${file}.wl`),
    ]);
    expect(r.code).toBe(0);
  }
  writeFileSync(join(database, "notes.txt"), "not a worklist");
  writeFileSync(join(database, "broken.wl"), "not DICOM");
  dicomPort = freePort();
  pharos = await startInProcess({
    dir,
    config: {
      DicomPort: dicomPort,
      DicomAet: "PHAROS",
      Worklists: { Enable: true, Database: "WorklistsDatabase" },
      DicomModalities: {
        scanner1: ["SCANNER1", "127.0.0.1", 1],
        noworklist: { AET: "NOWL", Host: "127.0.0.1", Port: 1, AllowFindWorklist: false },
        self: ["PHAROS", "127.0.0.1", dicomPort],
      },
    },
  });
}, 60000);
afterAll(async () => {
  await pharos?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const findWorklist = (aet: string, keys: string[]) =>
  dcmtk([
    "findscu",
    "-v",
    "-W",
    "-aet",
    aet,
    "-aec",
    "PHAROS",
    ...keys.flatMap((k) => ["-k", k]),
    "127.0.0.1",
    String(dicomPort),
  ]);

/** The values of a tag in findscu's dump of the answers (not of the request), in order. */
function values(out: string, tag: string): string[] {
  const start = out.indexOf("Find Response");
  out = start < 0 ? "" : out.slice(start);
  const re = new RegExp(`\\(${tag}\\) [A-Z]{2} \\[([^\\]]*)\\]`, "g");
  return [...out.matchAll(re)].map((m) => m[1]!.trim());
}

test("findscu -W: a modality and a date range in the scheduled step", async () => {
  const r = await findWorklist("SCANNER1", [
    "PatientName",
    "PatientID",
    "AccessionNumber",
    "ScheduledProcedureStepSequence[0].Modality=MR",
    "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20240101-20240131",
    "ScheduledProcedureStepSequence[0].ScheduledStationAETitle",
  ]);
  expect(r.code).toBe(0);
  expect(values(r.out, "0010,0020")).toEqual(["WL001"]);
  expect(values(r.out, "0010,0010")).toEqual(["DOE^JOHN"]);
  expect(values(r.out, "0008,0050")).toEqual(["ACC-WL001"]);
  expect(values(r.out, "0040,0001")).toEqual(["SCANNER1"]);
  expect(values(r.out, "0040,0002")).toEqual(["20240110"]);
  // Only the requested keys come back (plus the worklist's character set).
  expect(r.out).not.toContain("(0032,1060)");
  expect(values(r.out, "0008,0005")).toEqual(["ISO_IR 100"]);
});

test("findscu -W: wildcards, case-insensitive names, several answers", async () => {
  const r = await findWorklist("SCANNER1", ["PatientName=doe*", "PatientID"]);
  expect(r.code).toBe(0);
  expect(values(r.out, "0010,0020").sort()).toEqual(["WL001", "WL002"]);
  const station = await findWorklist("SCANNER1", [
    "PatientID",
    "ScheduledProcedureStepSequence[0].ScheduledStationAETitle=SCANNER2",
  ]);
  expect(values(station.out, "0010,0020").sort()).toEqual(["WL002", "WL003"]);
  const none = await findWorklist("SCANNER1", ["PatientID=NOPE"]);
  expect(none.code).toBe(0);
  expect(values(none.out, "0010,0020")).toEqual([]);
});

test("AllowFindWorklist: a modality without it, and an unknown AET, are aborted", async () => {
  const refused = await findWorklist("NOWL", ["PatientID"]);
  expect(values(refused.out, "0010,0020")).toEqual([]);
  expect(refused.out).not.toContain("Received Final Find Response (Success)");
  const unknown = await findWorklist("STRANGER", ["PatientID"]);
  expect(values(unknown.out, "0010,0020")).toEqual([]);
  // Accepted (DicomAlwaysAllowEcho/Store), then aborted at the worklist C-FIND, as Orthanc does.
  expect(unknown.out).toContain("Peer Aborted Association");
  // The regular C-FIND permission is separate: the same modality can still query worklists.
  const ok = await findWorklist("SCANNER1", ["PatientID=WL003"]);
  expect(values(ok.out, "0010,0020")).toEqual(["WL003"]);
});

test("POST /modalities/{id}/find-worklist against Pharos's own worklist SCP", async () => {
  const res = await fetch(`${pharos.url}/modalities/self/find-worklist`, {
    method: "POST",
    body: JSON.stringify({
      PatientID: "",
      PatientName: "",
      ScheduledProcedureStepSequence: [{ Modality: "MR", ScheduledStationAETitle: "" }],
    }),
  });
  expect(res.status).toBe(200);
  const answers = (await res.json()) as Record<string, unknown>[];
  expect(answers.map((a) => a.PatientID).sort()).toEqual(["WL001", "WL003"]);
  const first = answers.find((a) => a.PatientID === "WL001")!;
  expect(first.PatientName).toBe("DOE^JOHN");
  expect(first.ScheduledProcedureStepSequence).toEqual([
    { Modality: "MR", ScheduledStationAETitle: "SCANNER1" },
  ]);
  // Orthanc 1.12's form: {"Query": …, "Short": true}.
  const short = await fetch(`${pharos.url}/modalities/self/find-worklist`, {
    method: "POST",
    body: JSON.stringify({ Query: { PatientID: "WL002" }, Short: true }),
  });
  expect(short.status).toBe(200);
  expect(await short.json()).toEqual([{ "0008,0005": "ISO_IR 100", "0010,0020": "WL002" }]);
});
