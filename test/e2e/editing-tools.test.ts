// Pharos beside a real Orthanc 1.10.1, given the same files and the same requests: the bulk
// tools, merge and split, reconstruct, invalidate-tags and export must answer the same statuses,
// keys and values (new resources' ids aside, which come from generated UIDs), write the same
// files as dcmdump reads them, and refuse the same bad requests with the same errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dcmtk, hasOrthanc, type RunningOrthanc, startOrthanc } from "../support/dimse.ts";
import { startInProcess } from "../support/in-process.ts";
import { maskedDump } from "../support/masked-dump.ts";
import { samplesDir, type TestServer } from "../support/server.ts";

const FILES = [
  "DummyCT.dcm",
  "Knee/T1/IM-0001-0001.dcm",
  "Knee/T1/IM-0001-0002.dcm",
  "Knee/T2/IM-0001-0001.dcm",
  "Brainix/Flair/IM-0001-0001.dcm",
  "Brainix/Epi/IM-0001-0001.dcm",
  "Brainix/Epi/IM-0001-0002.dcm",
  "MarekLatin2.dcm",
  "Comunix/Ct/IM-0001-0001.dcm",
];

type Side = { url: string; name: string };
let orthanc: RunningOrthanc;
let pharos: TestServer;
let sides: Side[];
let work: string;
/** Orthanc's ids of each file's instance, series, study and patient (the same on both sides). */
const ids = new Map<string, Record<"instance" | "series" | "study" | "patient", string>>();

beforeAll(async () => {
  if (!hasOrthanc) return;
  const config = { RestApiWriteToFileSystemEnabled: true };
  orthanc = await startOrthanc("ORTHANC", config);
  pharos = await startInProcess({ config });
  sides = [{ url: orthanc.url, name: "orthanc" }, { url: pharos.url, name: "pharos" }];
  work = mkdtempSync(join(tmpdir(), "pharos-editing-tools-"));
  for (const file of FILES) {
    for (const { url } of sides) {
      const r = await fetch(`${url}/instances`, {
        method: "POST",
        body: Bun.file(join(samplesDir, file)),
      });
      const answer = await r.json();
      ids.set(file, {
        instance: answer.ID,
        series: answer.ParentSeries,
        study: answer.ParentStudy,
        patient: answer.ParentPatient,
      });
    }
  }
});

afterAll(async () => {
  await orthanc?.stop();
  await pharos?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const id = (file: string, level: "instance" | "series" | "study" | "patient" = "instance") =>
  ids.get(file)![level];

async function post(url: string, path: string, body: string | object) {
  const r = await fetch(`${url}${path}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, type: r.headers.get("content-type")?.split(";")[0] ?? null, json };
}

/** Every resource id a server holds, to tell the resources a request created. */
async function knownIds(url: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const level of ["patients", "studies", "series", "instances"]) {
    for (const x of await (await fetch(`${url}/${level}`)).json()) out.add(x);
  }
  return out;
}

/** Ids not in `known` become "<new>"; the volatile values of descriptions are dropped. */
function normalize(value: unknown, known: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v, known));
  if (typeof value === "string") {
    return /^[0-9a-f]{8}(-[0-9a-f]{8}){4}$/.test(value) && !known.has(value) ? "<new>" : value;
  }
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // Times, file uuids and stability differ by nature; Labels is Orthanc 1.12's.
    if (["LastUpdate", "ReceptionDate", "FileUuid", "IsStable", "Labels"].includes(key)) continue;
    if (["Path", "TargetStudyUID"].includes(key) && typeof v === "string") {
      out[key] = v.replace(/[0-9a-f]{8}(-[0-9a-f]{8}){4}/, (m) => known.has(m) ? m : "<new>")
        .replace(/^[0-9.]+$/, "<uid>");
      continue;
    }
    out[key] = normalize(v, known);
  }
  return out;
}

/** The same request to both servers, the answers normalized. */
async function both(path: string | ((side: Side) => string), body: string | object) {
  return await Promise.all(sides.map(async (side) => {
    const known = await knownIds(side.url);
    const answer = await post(side.url, typeof path === "string" ? path : path(side), body);
    return { ...answer, json: normalize(answer.json, known) };
  }));
}

async function expectSame(path: string, body: string | object) {
  const [o, p] = await both(path, body);
  expect({ path, body, ...p }).toEqual({ path, body, ...o! });
  return o!;
}

/** The error parts of an answer that Pharos must reproduce. */
async function expectSameError(path: string, body: string) {
  const answers = await Promise.all(sides.map(async ({ url }) => {
    // Details may name a resource a request created, whose id each server generates; the
    // samples' resources have the same ids on both.
    const samples = new Set([...ids.values()].flatMap((r) => Object.values(r)));
    const { status, json } = await post(url, path, body);
    const error = json as Record<string, unknown>;
    const details = typeof error.Details === "string"
      ? error.Details.replace(/[0-9a-f]{8}(-[0-9a-f]{8}){4}/g, (m) => samples.has(m) ? m : "<new>")
      : error.Details;
    return { path, body, status, error: error.OrthancError, details };
  }));
  expect(answers[1]).toEqual(answers[0]!);
}

async function waitForJob(url: string, job: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20000;
  for (;;) {
    const info = await (await fetch(`${url}/jobs/${job}`)).json();
    if (info.State === "Success" || info.State === "Failure" || Date.now() > deadline) return info;
    await Bun.sleep(20);
  }
}

describe.skipIf(!hasOrthanc)("editing tools beside Orthanc 1.10.1", () => {
  test("bulk-content describes resources at their level or at the one asked", async () => {
    const flair = "Brainix/Flair/IM-0001-0001.dcm";
    const cases: object[] = [
      { Resources: [id(flair, "patient"), id(flair), "nope"] },
      { Resources: [id(flair, "patient")], Level: "Instance", Metadata: false },
      { Resources: [id(flair)], Level: "Patient", Metadata: false, Full: true },
      { Resources: [id(flair, "patient"), id(flair)], Level: "Study", Metadata: false },
      { Resources: [id(flair, "series")], Level: "Series", Short: true },
      { Resources: [] },
    ];
    for (const body of cases) await expectSame("/tools/bulk-content", body);
    for (
      const body of [
        "[1]",
        "{",
        "{}",
        '{"Resources":"x"}',
        '{"Resources":[],"Level":"x"}',
        '{"Resources":[],"Metadata":"x"}',
      ]
    ) await expectSameError("/tools/bulk-content", body);
  });

  test("bulk-modify and bulk-anonymize: one job, every resource created listed", async () => {
    const knee1 = "Knee/T1/IM-0001-0001.dcm";
    const cases: [string, object][] = [
      // At the instance level (the default), series and studies stay the same.
      ["/tools/bulk-modify", {
        Resources: [id(knee1, "series"), id("DummyCT.dcm", "series")],
        Replace: { SeriesDescription: "B" },
      }],
      ["/tools/bulk-modify", { Resources: [id(knee1)], Level: "Study", Replace: { StudyID: "7" } }],
      ["/tools/bulk-modify", { Resources: [id(knee1)], Level: "Series" }],
      // Replacing a StudyInstanceUID implies the study level.
      ["/tools/bulk-modify", {
        Resources: [id("MarekLatin2.dcm")],
        Replace: { StudyInstanceUID: "1.2.3" },
        Force: true,
      }],
      ["/tools/bulk-anonymize", { Resources: [id("MarekLatin2.dcm")] }],
      // Replacing a PatientID implies the patient level.
      ["/tools/bulk-modify", {
        Resources: [id("Knee/T2/IM-0001-0001.dcm")],
        Replace: { PatientID: "Bulk" },
        Force: true,
      }],
      // Two instances of one series, anonymized at the instance level: one new series for both.
      ["/tools/bulk-anonymize", { Resources: [id(knee1), id("Knee/T1/IM-0001-0002.dcm")] }],
      ["/tools/bulk-anonymize", {
        Resources: [id("DummyCT.dcm", "study")],
        Level: "Study",
        Keep: ["StudyDescription"],
      }],
      ["/tools/bulk-modify", { Resources: [] }],
    ];
    for (const [path, body] of cases) await expectSame(path, body);

    // Asynchronous: the job is a ResourceModification whose content lists the same resources.
    const jobs = await Promise.all(sides.map(async ({ url }) => {
      const known = await knownIds(url);
      const { json } = await post(url, "/tools/bulk-anonymize", {
        Resources: [id(knee1, "study")],
        Asynchronous: true,
      });
      const info = await waitForJob(url, (json as { ID: string }).ID);
      return normalize({ Type: info.Type, State: info.State, Content: info.Content }, known);
    }));
    expect(jobs[1]).toEqual(jobs[0]!);
    expect((jobs[0] as { State: string }).State).toBe("Success");

    const errors = [
      "[1]",
      "{",
      '{"Replace":{"SeriesDescription":"B"}}',
      '{"Resources":"x"}',
      '{"Resources":[1]}',
      '{"Resources":["nope"]}',
      '{"Resources":["nope"],"Asynchronous":true}',
      `{"Resources":["${id(knee1)}"],"Level":"Foo"}`,
      `{"Resources":["${id(knee1)}"],"Level":"Patient"}`,
      `{"Resources":["${id(knee1)}"],"Replace":{"SOPInstanceUID":"1.2"}}`,
      `{"Resources":["${id(knee1)}"],"Replace":{"Nope":"1"}}`,
    ];
    // The same instance twice: its second copy is the first one, which Orthanc refuses.
    const flair = "Brainix/Flair/IM-0001-0001.dcm";
    errors.push(
      `{"Resources":["${id(flair, "series")}","${id(flair)}"],"Replace":{"StudyID":"2"}}`,
    );
    for (const body of errors) await expectSameError("/tools/bulk-modify", body);
    // Every identifier kept: the copy is the source, refused as well.
    await expectSameError(
      `/series/${id(flair, "series")}/modify`,
      '{"Keep":["SeriesInstanceUID","SOPInstanceUID"],"Force":true,"Replace":{"StudyID":"3"}}',
    );
    await expectSameError("/tools/bulk-anonymize", '{"Resources":[],"DicomVersion":"2010"}');
  });

  test("bulk-modify writes the files /modify writes", async () => {
    const file = "Brainix/Flair/IM-0001-0001.dcm";
    const source = (await dcmtk(["dcmdump", "-q", join(samplesDir, file)])).out;
    const dumps = await Promise.all(sides.map(async ({ url, name }) => {
      const { json } = await post(url, "/tools/bulk-modify", {
        Resources: [id(file)],
        Replace: { InstitutionName: "Bulk", PatientWeight: "7" },
        Remove: ["StationName"],
      });
      const created = (json as { Resources: { ID: string; Type: string }[] }).Resources
        .find((r) => r.Type === "Instance")!.ID;
      const bytes = new Uint8Array(
        await (await fetch(`${url}/instances/${created}/file`)).arrayBuffer(),
      );
      const metadata = await (await fetch(`${url}/instances/${created}/metadata/ModifiedFrom`))
        .text();
      return { metadata, dump: await maskedDump(bytes, source, join(work, `bulk-${name}.dcm`)) };
    }));
    expect(dumps[1]).toEqual(dumps[0]!);
    expect(dumps[0]!.metadata).toBe(id(file));
  });

  test("bulk-delete deletes what exists and skips the rest", async () => {
    const epi2 = "Brainix/Epi/IM-0001-0002.dcm";
    const answers = await Promise.all(sides.map(async ({ url }) => {
      const answer = await post(url, "/tools/bulk-delete", { Resources: [id(epi2), "nope"] });
      const gone = (await fetch(`${url}/instances/${id(epi2)}`)).status;
      return { ...answer, gone };
    }));
    expect(answers[1]).toEqual(answers[0]!);
    expect(answers[0]!.gone).toBe(404);
    for (const body of ["{}", '{"Resources":[1]}', "[1]", "{"]) {
      await expectSameError("/tools/bulk-delete", body);
    }
  });

  test("merge: the patient and study modules of the target, new series and instance UIDs", async () => {
    const target = id("Brainix/Flair/IM-0001-0001.dcm", "study");
    const moved = "Knee/T2/IM-0001-0001.dcm";
    const source = (await dcmtk(["dcmdump", "-q", join(samplesDir, moved)])).out;
    const flair =
      (await dcmtk(["dcmdump", "-q", join(samplesDir, "Brainix/Flair/IM-0001-0001.dcm")]))
        .out;
    const results = await Promise.all(sides.map(async ({ url, name }) => {
      const known = await knownIds(url);
      const answer = await post(url, `/studies/${target}/merge`, {
        // An instance listed with its series is moved once.
        Resources: [id(moved, "series"), id(moved)],
        KeepSource: true,
      });
      const series = await (await fetch(`${url}/studies/${target}/series`)).json();
      const copy = series.find((s: { MainDicomTags: { SeriesDescription: string } }) =>
        s.MainDicomTags.SeriesDescription === "T2W_TSE"
      );
      const bytes = new Uint8Array(
        await (await fetch(`${url}/instances/${copy.Instances[0]}/file`)).arrayBuffer(),
      );
      const sourceKept = (await fetch(`${url}/instances/${id(moved)}`)).status;
      return {
        answer: normalize(answer, known),
        sourceKept,
        dump: await maskedDump(bytes, source + flair, join(work, `merge-${name}.dcm`)),
      };
    }));
    expect(results[1]).toEqual(results[0]!);
    expect(results[0]!.sourceKept).toBe(200);

    // Without KeepSource, the source is deleted; asynchronously, a MergeStudy job.
    const epi = "Brainix/Epi/IM-0001-0001.dcm";
    const jobs = await Promise.all(sides.map(async ({ url }) => {
      const known = await knownIds(url);
      const { json } = await post(url, `/studies/${id(moved, "study")}/merge`, {
        Resources: [id(epi)],
        Asynchronous: true,
      });
      const info = await waitForJob(url, (json as { ID: string }).ID);
      const gone = (await fetch(`${url}/instances/${id(epi)}`)).status;
      return {
        info: normalize({ Type: info.Type, Content: info.Content, Progress: info.Progress }, known),
        gone,
      };
    }));
    expect(jobs[1]).toEqual(jobs[0]!);
    expect(jobs[0]!.gone).toBe(404);

    // A whole study merged without KeepSource: the source study is gone.
    const whole = await Promise.all(sides.map(async ({ url }) => {
      const known = await knownIds(url);
      const answer = await post(url, `/studies/${target}/merge`, {
        Resources: [id("MarekLatin2.dcm", "study")],
      });
      const gone = (await fetch(`${url}/studies/${id("MarekLatin2.dcm", "study")}`)).status;
      return { answer: normalize(answer, known), gone };
    }));
    expect(whole[1]).toEqual(whole[0]!);
    expect(whole[0]!.gone).toBe(404);

    const path = `/studies/${target}/merge`;
    for (
      const body of [
        "{}",
        '{"Resources":"x"}',
        '{"Resources":["nope"]}',
        `{"Resources":["${target}"]}`,
        `{"Resources":["${id("Brainix/Flair/IM-0001-0001.dcm", "series")}"]}`,
        `{"Resources":["${id("DummyCT.dcm", "patient")}"]}`,
      ]
    ) await expectSameError(path, body);
    await expectSameError("/studies/nope/merge", '{"Resources":[]}');
  });

  test("split: a new study with the series and instances taken out", async () => {
    const ct = "Comunix/Ct/IM-0001-0001.dcm";
    const study = id(ct, "study");
    const source = (await dcmtk(["dcmdump", "-q", join(samplesDir, ct)])).out;
    const results = await Promise.all(sides.map(async ({ url, name }) => {
      const known = await knownIds(url);
      const answer = await post(url, `/studies/${study}/split`, {
        Series: [id(ct, "series")],
        Replace: { StudyDescription: "Split", PatientName: "Other^Name", PatientID: "Split" },
        Remove: ["ReferringPhysicianName"],
        KeepSource: true,
      });
      const target = (answer.json as { TargetStudy: string }).TargetStudy;
      // The study named is the one the instances went to, under the new PatientID.
      expect((await fetch(`${url}/studies/${target}`)).status).toBe(200);
      const instances = await (await fetch(`${url}/studies/${target}/instances`)).json();
      const bytes = new Uint8Array(
        await (await fetch(`${url}/instances/${instances[0].ID}/file`)).arrayBuffer(),
      );
      const uid = (answer.json as { TargetStudyUID: string }).TargetStudyUID;
      return {
        answer: normalize(answer, known),
        // The new StudyInstanceUID is in the file, and the study's id comes from it.
        uidInFile: (await maskedDump(bytes, `[${uid}]`, join(work, `split-${name}-uid.dcm`)))
          .includes(`[${uid}]`),
        dump: await maskedDump(bytes, source, join(work, `split-${name}.dcm`)),
      };
    }));
    expect(results[1]).toEqual(results[0]!);
    expect(results[0]!.uidInFile).toBe(true);

    // Instances taken out asynchronously: a SplitStudy job; without KeepSource, moved.
    const jobs = await Promise.all(sides.map(async ({ url }) => {
      const known = await knownIds(url);
      const { json } = await post(url, `/studies/${study}/split`, {
        Instances: [id(ct)],
        Asynchronous: true,
      });
      const info = await waitForJob(url, (json as { ID: string }).ID);
      const gone = (await fetch(`${url}/instances/${id(ct)}`)).status;
      return {
        info: normalize({ Type: info.Type, Content: info.Content, Progress: info.Progress }, known),
        gone,
      };
    }));
    expect(jobs[1]).toEqual(jobs[0]!);
    expect(jobs[0]!.gone).toBe(404);

    const knee = "Knee/T1/IM-0001-0002.dcm";
    const path = `/studies/${id(knee, "study")}/split`;
    const instances = `"Instances":["${id(knee)}"]`;
    for (
      const body of [
        "{}",
        '{"Series":[]}',
        '{"Series":"x"}',
        `{"Instances":["${id(ct)}"]}`,
        `{"Series":["${id(ct, "series")}"]}`,
        `{"Series":["x"],${instances}}`,
        `{"Remove":["Modality"],${instances}}`,
        `{"Replace":{"StudyInstanceUID":"1.2"},${instances}}`,
        `{"Remove":["StudyInstanceUID"],${instances}}`,
        `{"Replace":{"PatientName":5},${instances}}`,
        `{"Replace":{"Nope":"5"},${instances}}`,
        `{"Replace":{"Modality":"X"},"Instances":["nope"]}`,
      ]
    ) await expectSameError(path, body);
  });

  test("reconstruct: the ancestors' main tags come from the instances read again", async () => {
    const knee = "Knee/T1/IM-0001-0001.dcm";
    const results = await Promise.all(sides.map(async ({ url }) => {
      // A second instance of the same study that disagrees on the study and patient tags.
      const other = await (await fetch(`${url}/instances/${id(knee)}/modify`, {
        method: "POST",
        body: JSON.stringify({
          Replace: { SOPInstanceUID: "1.2.3.4", StudyDescription: "Other", PatientName: "Renamed" },
          Force: true,
        }),
      })).arrayBuffer();
      const stored = await (await fetch(`${url}/instances`, { method: "POST", body: other }))
        .json();
      const tags = async () => {
        const s = await (await fetch(`${url}/studies/${id(knee, "study")}`)).json();
        const p = await (await fetch(`${url}/patients/${id(knee, "patient")}`)).json();
        return [s.MainDicomTags.StudyDescription, p.MainDicomTags.PatientName];
      };
      const before = await tags();
      const one = await post(url, `/instances/${stored.ID}/reconstruct`, "");
      const afterInstance = await tags();
      const whole = await post(url, `/studies/${id(knee, "study")}/reconstruct`, "");
      const afterStudy = await tags();
      const all = await post(url, "/tools/reconstruct", "");
      const files = await post(url, `/series/${id(knee, "series")}/reconstruct`, {
        ReconstructFiles: true,
      });
      const invalidate = await post(url, "/tools/invalidate-tags", "");
      const unknown = (await post(url, "/patients/nope/reconstruct", "")).status;
      return { before, one, afterInstance, whole, afterStudy, all, files, invalidate, unknown };
    }));
    expect(results[1]).toEqual(results[0]!);
    expect(results[0]!.afterInstance).toEqual(["Other", "Renamed"]);
    expect(results[0]!.afterStudy).not.toEqual(results[0]!.afterInstance);
  });

  test("Transcode writes the modified files in the syntax asked, or fails as Orthanc", async () => {
    const file = "Brainix/Flair/IM-0001-0001.dcm";
    const source = (await dcmtk(["dcmdump", "-q", join(samplesDir, file)])).out;
    for (const syntax of ["1.2.840.10008.1.2", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"]) {
      const dumps = await Promise.all(sides.map(async ({ url, name }) => {
        const r = await fetch(`${url}/instances/${id(file)}/modify`, {
          method: "POST",
          body: JSON.stringify({ Transcode: syntax, Replace: { PatientName: "T" } }),
        });
        const bytes = new Uint8Array(await r.arrayBuffer());
        return maskedDump(bytes, source, join(work, `transcode-${name}.dcm`));
      }));
      expect(dumps[1]).toEqual(dumps[0]!);
      expect(dumps[0]).toContain(`TransferSyntaxUID`);
    }
    // A series job: the new instances are stored in the syntax asked.
    const stored = await Promise.all(sides.map(async ({ url }) => {
      const { json } = await post(url, `/series/${id(file, "series")}/modify`, {
        Transcode: "1.2.840.10008.1.2",
        Replace: { SeriesDescription: "Implicit" },
      });
      const created = await (await fetch(`${url}/series/${(json as { ID: string }).ID}/instances`))
        .json();
      return (await fetch(`${url}/instances/${created[0].ID}/metadata/TransferSyntax`)).text();
    }));
    expect(stored[1]).toBe(stored[0]!);
    expect(stored[0]).toBe("1.2.840.10008.1.2");
    // A 16-bit image has no JPEG baseline form: the instance is refused, a job stores it as is.
    const jpeg = '{"Transcode":"1.2.840.10008.1.2.4.50","Replace":{"SeriesDescription":"J"}}';
    await expectSameError(`/instances/${id(file)}/modify`, jpeg);
    const kept = await Promise.all(sides.map(async ({ url }) => {
      const { status, json } = await post(url, `/series/${id(file, "series")}/modify`, jpeg);
      const created = await (await fetch(`${url}/series/${(json as { ID: string }).ID}/instances`))
        .json();
      const syntax =
        await (await fetch(`${url}/instances/${created[0].ID}/metadata/TransferSyntax`))
          .text();
      return { status, syntax };
    }));
    expect(kept[1]).toEqual(kept[0]!);
    expect(kept[0]).toEqual({ status: 200, syntax: "1.2.840.10008.1.2.1" });
    const instance = `/instances/${id(file)}/modify`;
    for (const body of ['{"Transcode":5}', '{"Transcode":"1.2.3"}']) {
      await expectSameError(instance, body);
      await expectSameError(`/series/${id(file, "series")}/modify`, body);
      await expectSameError("/tools/bulk-modify", `{"Resources":["${id(file)}"],${body.slice(1)}`);
    }
  });

  test("export writes the stored file where the request says", async () => {
    const file = "DummyCT.dcm";
    const results = await Promise.all(sides.map(async ({ url, name }) => {
      const target = join(work, `export-${name}.dcm`);
      const ok = await post(url, `/instances/${id(file)}/export`, target);
      const written = readFileSync(target);
      const unwritable = await post(url, `/instances/${id(file)}/export`, "/nonexistent/x.dcm");
      const unknown = await post(url, "/instances/nope/export", target);
      return {
        ok,
        same: Buffer.compare(written, readFileSync(join(samplesDir, file))) === 0,
        unwritable: {
          status: unwritable.status,
          error: (unwritable.json as never)["OrthancError"],
        },
        unknown: unknown.status,
      };
    }));
    expect(results[1]).toEqual(results[0]!);
    expect(results[0]!.same).toBe(true);
  });
});

describe.skipIf(!hasOrthanc)("export without RestApiWriteToFileSystemEnabled", () => {
  test("is refused with a bare 403 before anything is looked up", async () => {
    const servers = [await startOrthanc("ORTHANC2"), await startInProcess()];
    try {
      const answers = await Promise.all(servers.map(async ({ url }) => {
        const r = await fetch(`${url}/instances/nope/export`, { method: "POST", body: "/tmp/x" });
        return { status: r.status, body: await r.text() };
      }));
      expect(answers[1]).toEqual(answers[0]!);
      expect(answers[0]).toEqual({ status: 403, body: "" });
    } finally {
      for (const server of servers) await server.stop();
    }
  });
});

// Orthanc 1.12's KeepLabels (1.10.1 has no labels): the new resources get their sources' labels.
describe("KeepLabels", () => {
  test("modify, bulk-modify and split copy the labels of the sources, or not", async () => {
    const server = await startInProcess();
    try {
      const stored = await (await fetch(`${server.url}/instances`, {
        method: "POST",
        body: Bun.file(join(samplesDir, "Knee/T1/IM-0001-0001.dcm")),
      })).json();
      for (const [level, resource] of [["series", stored.ParentSeries], ["instances", stored.ID]]) {
        await fetch(`${server.url}/${level}/${resource}/labels/from-${level}`, { method: "PUT" });
      }
      const labelsOf = async (path: string) =>
        (await (await fetch(`${server.url}${path}`)).json()).Labels;
      const modify = async (keepLabels: boolean) => {
        const r = await fetch(`${server.url}/series/${stored.ParentSeries}/modify`, {
          method: "POST",
          body: JSON.stringify({ Replace: { SeriesDescription: "L" }, KeepLabels: keepLabels }),
        });
        const { ID } = await r.json();
        const [instance] = await (await fetch(`${server.url}/series/${ID}/instances`)).json();
        return [await labelsOf(`/series/${ID}`), await labelsOf(`/instances/${instance.ID}`)];
      };
      expect(await modify(true)).toEqual([["from-series"], ["from-instances"]]);
      expect(await modify(false)).toEqual([[], []]);

      const bulk = await (await fetch(`${server.url}/tools/bulk-modify`, {
        method: "POST",
        body: JSON.stringify({ Resources: [stored.ID], KeepLabels: true }),
      })).json();
      const copy = bulk.Resources.find((r: { Type: string }) => r.Type === "Instance").ID;
      expect(await labelsOf(`/instances/${copy}`)).toEqual(["from-instances"]);

      const split = await (await fetch(`${server.url}/studies/${stored.ParentStudy}/split`, {
        method: "POST",
        body: JSON.stringify({ Instances: [stored.ID], KeepLabels: true, KeepSource: true }),
      })).json();
      const [moved] = await (await fetch(`${server.url}/studies/${split.TargetStudy}/instances`))
        .json();
      expect(await labelsOf(`/instances/${moved.ID}`)).toEqual(["from-instances"]);
    } finally {
      await server.stop();
    }
  });
});

// Orthanc 1.11's ReconstructFiles: each file stored again as the configuration asks now.
describe("ReconstructFiles", () => {
  test("compresses the files stored before StorageCompression was turned on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pharos-reconstruct-files-"));
    try {
      const before = await startInProcess({ dir });
      const sample = join(samplesDir, "Knee/T1/IM-0001-0001.dcm");
      const { ID } = await (await fetch(`${before.url}/instances`, {
        method: "POST",
        body: Bun.file(sample),
      })).json();
      await before.stop({ keep: true });
      const after = await startInProcess({ dir, config: { StorageCompression: true } });
      try {
        const compressed = () =>
          fetch(`${after.url}/instances/${ID}/attachments/dicom/is-compressed`).then((r) =>
            r.text()
          );
        expect(await compressed()).toBe("0");
        await fetch(`${after.url}/instances/${ID}/reconstruct`, { method: "POST" });
        expect(await compressed()).toBe("0");
        const r = await fetch(`${after.url}/instances/${ID}/reconstruct`, {
          method: "POST",
          body: JSON.stringify({ ReconstructFiles: true }),
        });
        expect(r.status).toBe(200);
        expect(await compressed()).toBe("1");
        const file = new Uint8Array(
          await (await fetch(`${after.url}/instances/${ID}/file`)).arrayBuffer(),
        );
        expect(Buffer.compare(file, readFileSync(sample))).toBe(0);
      } finally {
        await after.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Orthanc 1.12's RequestedTags in bulk-content (1.10.1 ignores the field).
describe("bulk-content RequestedTags", () => {
  test("each description carries the tags asked, read from the instances when not indexed", async () => {
    const server = await startInProcess();
    try {
      const stored = await (await fetch(`${server.url}/instances`, {
        method: "POST",
        body: Bun.file(join(samplesDir, "Knee/T1/IM-0001-0001.dcm")),
      })).json();
      const answer = await (await fetch(`${server.url}/tools/bulk-content`, {
        method: "POST",
        body: JSON.stringify({
          Resources: [stored.ParentSeries],
          Metadata: false,
          RequestedTags: ["PatientName", "Rows", "SeriesDescription"],
        }),
      })).json();
      expect(answer).toHaveLength(1);
      expect(answer[0].RequestedTags).toEqual({
        PatientName: "KNEE",
        Rows: "512",
        SeriesDescription: "T1W_aTSE",
      });
      expect(answer[0].Metadata).toBeUndefined();
      const refused = await fetch(`${server.url}/tools/bulk-content`, {
        method: "POST",
        body: JSON.stringify({ Resources: [], RequestedTags: ["Nope"] }),
      });
      expect(refused.status).toBe(500);
      expect((await refused.json()).OrthancError).toBe("Unknown DICOM tag");
    } finally {
      await server.stop();
    }
  });
});

// Orthanc 1.12's LimitToThisLevelMainDicomTags (1.10.1 ignores the field).
describe("LimitToThisLevelMainDicomTags", () => {
  test("rebuilds the resource's own main tags only, from one of its instances", async () => {
    const server = await startInProcess();
    try {
      const url = server.url;
      const stored = await (await fetch(`${url}/instances`, {
        method: "POST",
        body: Bun.file(join(samplesDir, "Knee/T1/IM-0001-0001.dcm")),
      })).json();
      const other = await (await fetch(`${url}/instances/${stored.ID}/modify`, {
        method: "POST",
        body: JSON.stringify({
          Replace: { SOPInstanceUID: "1.2.3.4", StudyDescription: "Other", PatientName: "Renamed" },
          Force: true,
        }),
      })).arrayBuffer();
      await fetch(`${url}/instances`, { method: "POST", body: other });
      const names = async () => [
        (await (await fetch(`${url}/studies/${stored.ParentStudy}`)).json()).MainDicomTags
          .StudyDescription,
        (await (await fetch(`${url}/patients/${stored.ParentPatient}`)).json()).MainDicomTags
          .PatientName,
      ];
      expect(await names()).toEqual(["IRM DU GENOU", "KNEE"]);
      const r = await fetch(`${url}/studies/${stored.ParentStudy}/reconstruct`, {
        method: "POST",
        body: JSON.stringify({ LimitToThisLevelMainDicomTags: true }),
      });
      expect(r.status).toBe(200);
      // The study read from the last instance indexed; its patient left as it was.
      expect(await names()).toEqual(["Other", "KNEE"]);
      const refused = await fetch(`${url}/studies/${stored.ParentStudy}/reconstruct`, {
        method: "POST",
        body: JSON.stringify({ LimitToThisLevelMainDicomTags: "yes" }),
      });
      expect(refused.status).toBe(400);
    } finally {
      await server.stop();
    }
  });
});
