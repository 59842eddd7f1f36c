// Pharos and a real Orthanc 1.10.1 given the same files and the same /modify and /anonymize
// requests: the files they answer must read the same in dcmdump, once the UIDs and patient ids
// each server generates (and the lengths that depend on them) are masked, and the errors must
// be the same.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dcmtk, hasOrthanc, type RunningOrthanc, startOrthanc } from "../support/dimse.ts";
import { startInProcess } from "../support/in-process.ts";
import { maskedDump } from "../support/masked-dump.ts";
import { samplesDir, type TestServer } from "../support/server.ts";

const FILES = [
  "DummyCT.dcm",
  "Brainix/Flair/IM-0001-0001.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.2.dcm",
  "Knee/T1/IM-0001-0001.dcm",
  "MarekLatin2.dcm",
  "Encodings/DavidClunie/SCSX2",
  "Encodings/Lena-ascii.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm",
];

const REQUESTS: [string, object][] = [
  ["modify", { Replace: { PatientName: "Hello^World", StudyDescription: "Edited" } }],
  ["modify", { Remove: ["StudyDescription", "SeriesDescription"], Replace: { Rows: "12" } }],
  ["modify", { Replace: { SOPInstanceUID: "1.2.3.4" }, Force: true }],
  ["modify", { Keep: ["SOPInstanceUID"], Force: true, RemovePrivateTags: true }],
  ["modify", { Replace: { PatientName: "Jérôme", InstitutionName: null } }],
  ["modify", {
    Replace: { "ReferencedImageSequence[0].ReferencedSOPClassUID": "1.2" },
  }],
  ["modify", { Replace: { "0009,1001": "x" } }],
  ["anonymize", {}],
  ["anonymize", { DicomVersion: "2008" }],
  ["anonymize", { DicomVersion: "2017c" }],
  ["anonymize", { KeepPrivateTags: true, Keep: ["StudyDescription", "PatientName"] }],
  ["anonymize", { Replace: { PatientName: "Someone" }, Remove: ["Modality"] }],
];

const ERRORS: [string, string][] = [
  ["modify", '{"Replace":{"SOPInstanceUID":"1.2"}}'],
  ["modify", '{"Remove":["SeriesInstanceUID"]}'],
  ["modify", '{"Keep":["StudyInstanceUID"]}'],
  ["modify", '{"Replace":{"PatientID":"X"}}'],
  ["modify", '{"Replace":{"Nope":"1"}}'],
  ["modify", '{"Keep":["Nope"]}'],
  ["modify", '{"Replace":'],
  ["modify", "[1]"],
  ["modify", '{"Replace":[1]}'],
  ["modify", '{"Remove":"PatientName"}'],
  ["modify", '{"Force":"yes"}'],
  ["modify", '{"Replace":{"PatientName":["a"]}}'],
  ["modify", '{"PrivateCreator":5}'],
  ["modify", '{"Replace":{"Rows":"abc"}}'],
  ["anonymize", '{"DicomVersion":"2010"}'],
  ["anonymize", '{"Keep":["SOPInstanceUID"]}'],
];

let orthanc: RunningOrthanc;
let pharos: TestServer;
let work: string;
const ids = new Map<string, string>();
/** Numbers the files dumped. */
let n = 0;

beforeAll(async () => {
  if (!hasOrthanc) return;
  orthanc = await startOrthanc("ORTHANC");
  pharos = await startInProcess();
  work = mkdtempSync(join(tmpdir(), "pharos-editing-"));
  for (const file of FILES) {
    for (const url of [orthanc.url, pharos.url]) {
      const r = await fetch(`${url}/instances`, {
        method: "POST",
        body: Bun.file(join(samplesDir, file)),
      });
      expect(r.status).toBe(200);
      ids.set(file, ((await r.json()) as { ID: string }).ID);
    }
  }
});

afterAll(async () => {
  await orthanc?.stop();
  await pharos?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** dcmdump of a file, values that do not come from the source masked (new UIDs and ids). */
const dump = (bytes: Uint8Array, source: string, name: string) =>
  maskedDump(bytes, source, join(work, name));

describe.skipIf(!hasOrthanc)("/modify and /anonymize beside Orthanc 1.10.1", () => {
  test("the same files come back, as dcmdump reads them", async () => {
    for (const file of FILES) {
      const source = (await dcmtk(["dcmdump", "-q", join(samplesDir, file)])).out;
      for (const [operation, body] of REQUESTS) {
        const dumps: string[] = [];
        const statuses: number[] = [];
        for (const url of [orthanc.url, pharos.url]) {
          const r = await fetch(`${url}/instances/${ids.get(file)}/${operation}`, {
            method: "POST",
            body: JSON.stringify(body),
          });
          statuses.push(r.status);
          const bytes = new Uint8Array(await r.arrayBuffer());
          dumps.push(
            r.ok ? await dump(bytes, source, `${n++}.dcm`) : new TextDecoder().decode(bytes),
          );
        }
        const label = `${file} ${operation} ${JSON.stringify(body)}`;
        expect({ label, status: statuses[1] }).toEqual({ label, status: statuses[0]! });
        expect({ label, dump: dumps[1] }).toEqual({ label, dump: dumps[0]! });
      }
    }
  }, 120_000);

  // Orthanc 1.10.1 writes the new SpecificCharacterSet over text it leaves in the old one (the
  // file then lies about its text); Pharos re-encodes the text, as the issue asks, and as DCMTK's
  // own conversion does: its output is compared with dcmconv's instead.
  test("a new SpecificCharacterSet re-encodes the text, as dcmconv +U8 does", async () => {
    for (
      const file of [
        "Brainix/Flair/IM-0001-0001.dcm",
        "MarekLatin2.dcm",
        "Encodings/DavidClunie/SCSX2",
      ]
    ) {
      const source = join(samplesDir, file);
      const r = await fetch(`${pharos.url}/instances/${ids.get(file)}/modify`, {
        method: "POST",
        // The SOP Instance UID kept, as dcmconv keeps it.
        body: JSON.stringify({
          Replace: { SpecificCharacterSet: "ISO_IR 192" },
          Keep: ["SOPInstanceUID"],
          Force: true,
        }),
      });
      expect(r.status).toBe(200);
      const converted = join(work, `${n++}-u8.dcm`);
      await dcmtk(["dcmconv", "-q", "+U8", source, converted]);
      const sourceDump = (await dcmtk(["dcmdump", "-q", source])).out;
      const expected = await dump(await Bun.file(converted).bytes(), sourceDump, `${n++}.dcm`);
      const actual = await dump(new Uint8Array(await r.arrayBuffer()), sourceDump, `${n++}.dcm`);
      expect({ file, actual }).toEqual({ file, actual: expected });
      expect(actual).toContain("ISO_IR 192");
    }
  });

  test("a series, study or patient is modified into new resources by a job", async () => {
    const cases: [string, string, object][] = [
      ["series", "modify", { Replace: { SeriesDescription: "Edited" } }],
      ["studies", "anonymize", {}],
      ["patients", "modify", { Replace: { PatientID: "Moved" }, Force: true }],
      ["series", "anonymize", { Asynchronous: true }],
    ];
    const source = (await dcmtk(["dcmdump", "-q", join(samplesDir, "DummyCT.dcm")])).out;
    for (const [path, operation, body] of cases) {
      const answers = await Promise.all([orthanc.url, pharos.url].map(async (url, side) => {
        const single = { series: "series", studies: "study", patients: "patient" }[path];
        const parent = await (await fetch(`${url}/instances/${ids.get("DummyCT.dcm")}/${single}`))
          .json();
        const r = await fetch(`${url}/${path}/${parent.ID}/${operation}`, {
          method: "POST",
          body: JSON.stringify(body),
        });
        let answer = (await r.json()) as Record<string, unknown>;
        if ("Path" in answer && String(answer.Path).startsWith("/jobs/")) {
          const deadline = Date.now() + 10000;
          let job: Record<string, unknown>;
          do job = await (await fetch(`${url}/jobs/${answer.ID}`)).json(); while (
            job.State !== "Success" && Date.now() < deadline
          );
          expect(job.Type).toBe("ResourceModification");
          expect(job.Progress).toBe(100);
          answer = job.Content as Record<string, unknown>;
        }
        const level = String(answer.Path).split("/")[1]!;
        const children = await (await fetch(`${url}/${level}/${answer.ID}/instances`)).json();
        const origin = operation === "anonymize" ? "AnonymizedFrom" : "ModifiedFrom";
        // Earlier cases add instances to the study and the patient: the copy of DummyCT.dcm is
        // the one whose origin is it.
        let child: string | undefined;
        for (const { ID } of children as { ID: string }[]) {
          const metadata = await (await fetch(`${url}/instances/${ID}/metadata?expand`)).json();
          if (metadata[origin] === ids.get("DummyCT.dcm")) child = ID;
        }
        const file = new Uint8Array(
          await (await fetch(`${url}/instances/${child}/file`)).arrayBuffer(),
        );
        return {
          keys: Object.keys(answer).sort(),
          type: answer.Type,
          count: answer.InstancesCount,
          found: child !== undefined,
          dump: await dump(file, source, `level-${side}-${path}.dcm`),
        };
      }));
      expect(answers[1]).toEqual(answers[0]!);
    }
    const refusals = await Promise.all([orthanc.url, pharos.url].map(async (url) => {
      const refused = async (single: string, plural: string, body: object) => {
        const parent = await (await fetch(`${url}/instances/${ids.get("DummyCT.dcm")}/${single}`))
          .json();
        const r = await fetch(`${url}/${plural}/${parent.ID}/modify`, {
          method: "POST",
          body: JSON.stringify(body),
        });
        const json = (await r.json()) as { OrthancError: string; Details: string };
        return { status: r.status, error: json.OrthancError, details: json.Details };
      };
      return [
        await refused("patient", "patients", { Replace: { PatientName: "X" } }),
        await refused("series", "series", { Replace: { Rows: "abc" } }),
      ];
    }));
    expect(refusals[1]).toEqual(refusals[0]!);

    // KeepSource false: the source is gone once its copy is stored.
    const moves = await Promise.all([orthanc.url, pharos.url].map(async (url) => {
      const knee = ids.get("Knee/T1/IM-0001-0001.dcm");
      const series = await (await fetch(`${url}/instances/${knee}/series`)).json();
      const r = await fetch(`${url}/series/${series.ID}/modify`, {
        method: "POST",
        body: JSON.stringify({ Replace: { SeriesDescription: "Moved" }, KeepSource: false }),
      });
      const answer = (await r.json()) as { InstancesCount: number };
      const source = await fetch(`${url}/series/${series.ID}`);
      return { status: r.status, count: answer.InstancesCount, source: source.status };
    }));
    expect(moves[1]).toEqual(moves[0]!);
    expect(moves[0]!.source).toBe(404);
  }, 60_000);

  test("the same requests are refused with the same error", async () => {
    const id = ids.get("DummyCT.dcm");
    for (const [operation, body] of ERRORS) {
      const answers = await Promise.all([orthanc.url, pharos.url].map(async (url) => {
        const r = await fetch(`${url}/instances/${id}/${operation}`, { method: "POST", body });
        const json = (await r.json()) as Record<string, unknown>;
        return { body, status: r.status, error: json.OrthancError, details: json.Details };
      }));
      expect(answers[1]).toEqual(answers[0]!);
    }
  });
});
