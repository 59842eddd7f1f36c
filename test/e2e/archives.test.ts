// Archives and DICOMDIR media (src/rest/archives.ts) beside real Orthanc 1.10.1 on the same
// files: the same entries in the same order, a DICOMDIR that DCMTK and dicom3tools accept,
// Orthanc's errors, the asynchronous jobs and their output, and a client that goes away.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readZip } from "../../src/archive/zip-reader.ts";
import { elementBytes, findElement, latin1, parseDicom } from "../../src/dicom/parser.ts";
import { Tags } from "../../src/dicom/tag.ts";
import { type RecordingOrthanc, startRecordingOrthanc } from "../golden/orthanc.ts";
import { dcmtk, hasOrthanc } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir, waitFor } from "../support/server.ts";

const work = mkdtempSync(join(tmpdir(), "pharos-archives-"));
let pharos: InProcessServer;
let orthanc: RecordingOrthanc | undefined;

/** DummyCT rewritten by dcmodify: odd names, missing and colliding tags, a 3-letter modality. */
const CRAFTED: string[][] = [
  [
    "(0010,0020)=PX1",
    "(0010,0010)=Weird^Name",
    "(0008,0050)=",
    "(0008,1030)=",
    "(0008,0060)=SEG",
    "(0008,103e)=a-b_c.d/e\\f:g*h?i|j<k>l(m)n  two  spaces ",
  ],
  [
    "(0010,0020)=PX1",
    "(0010,0010)=Weird^Name",
    "(0008,0050)=",
    "(0008,1030)=",
    "(0008,0060)=SEG",
    "(0008,103e)=a-b_c.d",
  ],
  [
    "(0010,0020)=PX,1",
    "(0010,0010)=Weird^Name",
    "(0008,0050)=ACC",
    "(0008,1030)=",
    "(0008,0060)=",
    "(0008,103e)=X",
  ],
  [
    "(0010,0020)=NOPE",
    "(0010,0010)=",
    "(0008,0050)=",
    "(0008,1030)=Study (long) description beyond sixty-four characters, for the archive names",
    "(0008,0060)=OPT",
    "(0008,103e)=",
  ],
];

async function files(): Promise<string[]> {
  const knee = [...new Bun.Glob("Knee/T1/*").scanSync(samplesDir)].sort().slice(0, 6);
  const out = [
    ...knee.map((f) => join(samplesDir, f)),
    ...["Image1.dcm", "Image2.dcm", "Image3.dcm"].map((f) =>
      join(samplesDir, "PatientIdsCollision", f)
    ),
    join(samplesDir, "DummyCT.dcm"),
  ];
  for (const [i, edits] of CRAFTED.entries()) {
    const path = join(work, `crafted${i}.dcm`);
    copyFileSync(join(samplesDir, "DummyCT.dcm"), path);
    const result = await dcmtk([
      "dcmodify",
      "-q",
      "-nb",
      "-gst",
      "-gse",
      "-gin",
      ...edits.flatMap((e) => ["-i", e]),
      path,
    ]);
    expect(result.code).toBe(0);
    out.push(path);
  }
  // DummyCT decompressed, on its own UIDs: a file the DCMTK tools' general purpose profile takes.
  const plain = join(work, "plain.dcm");
  expect((await dcmtk(["dcmdjpeg", join(samplesDir, "DummyCT.dcm"), plain])).code).toBe(0);
  expect((await dcmtk(["dcmodify", "-q", "-nb", "-gst", "-gse", "-gin", plain])).code).toBe(0);
  out.push(plain);
  return out;
}

async function upload(url: string, paths: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const path of paths) {
    const r = await fetch(`${url}/instances`, { method: "POST", body: Bun.file(path) });
    expect(r.status).toBe(200);
    ids.push(((await r.json()) as { ID: string }).ID);
  }
  return ids;
}

const names = (zip: Uint8Array) => readZip(zip).map((e) => e.name);

/** Each entry's name with the SOP Instance UID of the file it holds. */
function contents(zip: Uint8Array): string[] {
  return readZip(zip).map((e) => {
    if (e.name === "DICOMDIR") return e.name;
    const parsed = parseDicom(e.read());
    const uid = findElement(parsed.dataset, Tags.SopInstanceUid)!;
    return `${e.name} ${latin1(elementBytes(parsed.dataset, uid)).replace(/\0$/, "")}`;
  });
}

async function zipOf(url: string, path: string, body?: unknown): Promise<Uint8Array> {
  const r = await fetch(
    `${url}${path}`,
    body === undefined ? {} : { method: "POST", body: JSON.stringify(body) },
  );
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toBe("application/zip");
  return new Uint8Array(await r.arrayBuffer());
}

let instanceIds: string[] = [];

beforeAll(async () => {
  const paths = await files();
  pharos = await startInProcess();
  instanceIds = await upload(pharos.url, paths);
  if (hasOrthanc) {
    orthanc = await startRecordingOrthanc();
    await upload(orthanc.url, paths);
  }
}, 60_000);

afterAll(async () => {
  await pharos?.stop();
  await orthanc?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function list(url: string, level: string): Promise<string[]> {
  return (await (await fetch(`${url}/${level}`)).json()) as string[];
}

describe.skipIf(!hasOrthanc)("the same entries as Orthanc 1.10.1", () => {
  test("every patient, study and series archive, and /tools/create-archive", async () => {
    for (const level of ["patients", "studies", "series"]) {
      const ids = await list(pharos.url, level);
      expect(ids.sort()).toEqual((await list(orthanc!.url, level)).sort());
      for (const id of ids) {
        const ours = contents(await zipOf(pharos.url, `/${level}/${id}/archive`));
        expect(ours).toEqual(contents(await zipOf(orthanc!.url, `/${level}/${id}/archive`)));
      }
    }
    const everything = { Resources: [...await list(pharos.url, "patients"), instanceIds[0]] };
    const ours = names(await zipOf(pharos.url, "/tools/create-archive", everything));
    expect(contents(await zipOf(pharos.url, "/tools/create-archive", everything))).toEqual(
      contents(await zipOf(orthanc!.url, "/tools/create-archive", everything)),
    );
    // The names the crafted files test, as Orthanc gave them.
    expect(ours).toContain("PX1 Weird Name/ACC/X/00000000.dcm");
    if (Bun.which("unzip")) {
      // Info-ZIP checks every entry's CRC-32 and the central directory.
      const path = join(work, "everything.zip");
      await Bun.write(path, await zipOf(pharos.url, "/tools/create-archive", everything));
      const check = Bun.spawnSync(["unzip", "-tq", path]);
      expect(check.stdout.toString()).toContain("No errors detected");
    }
    expect(ours).toContain("COMMON HELLO/FOO SERIES/Unknown Series/00000000.dcm");
    const twins = ours.filter((n) => n.startsWith("PX1 Weird Name-2/Unknown Study")).sort();
    expect(twins.map((n) => n.split("/")[1]).sort()).toEqual(["Unknown Study", "Unknown Study-2"]);
    expect(twins.map((n) => n.split("/")[3])).toEqual(["SE000000.dcm", "SE000000.dcm"]);
  });

  test("media: IMAGES/IMn then DICOMDIR, in Orthanc's order", async () => {
    const everything = { Resources: await list(pharos.url, "patients") };
    const ours = contents(await zipOf(pharos.url, "/tools/create-media", everything));
    expect(ours).toEqual(contents(await zipOf(orthanc!.url, "/tools/create-media", everything)));
    expect(ours.at(-1)).toBe("DICOMDIR");
  });

  test("the same DICOMDIR tree: records, their order, their keys", async () => {
    const records = async (url: string) => {
      const zip = await zipOf(url, "/tools/create-media", { Resources: instanceIds });
      const path = join(work, "DICOMDIR");
      await Bun.write(path, readZip(zip).find((e) => e.name === "DICOMDIR")!.read());
      const dump = await dcmtk(["dcmdump", "-q", path]);
      const keys =
        /"Directory Record" \w+|\((0004,1500|0004,1511|0010,0020|0020,000d|0020,000e)\) \w\w \[[^\]]*\]/g;
      return dump.out.match(keys) ?? [];
    };
    const ours = await records(pharos.url);
    expect(ours.filter((r) => r.endsWith("IMAGE")).length).toBe(instanceIds.length);
    expect(ours).toEqual(await records(orthanc!.url));
  });
});

async function mediaFolder(path: string, body?: unknown): Promise<string> {
  const dir = mkdtempSync(join(work, "media-"));
  for (const entry of readZip(await zipOf(pharos.url, path, body))) {
    await Bun.write(join(dir, entry.name), entry.read());
  }
  return dir;
}

describe("DICOMDIR", () => {
  test("the Knee study's DICOMDIR passes dciodvfy, dcmdump and dcmmkdir", async () => {
    const studies = await list(pharos.url, "studies");
    let kneeStudy = "";
    for (const id of studies) {
      const s = (await (await fetch(`${pharos.url}/studies/${id}`)).json()) as {
        MainDicomTags: { StudyDescription?: string };
      };
      if (s.MainDicomTags.StudyDescription === "IRM DU GENOU") kneeStudy = id;
    }
    const dir = await mediaFolder(`/studies/${kneeStudy}/media`, { Extended: true });
    const dump = await dcmtk(["dcmdump", "-q", join(dir, "DICOMDIR")]);
    expect(dump.code).toBe(0);
    expect(dump.out).toContain("MediaStorageDirectoryStorage");
    expect(dump.out).toContain("(0004,1500) CS [IMAGES\\IM5]");
    expect(dump.out).toContain("(0008,103e) LO [T1W_aTSE]");
    expect(dump.out.match(/"Directory Record" IMAGE/g)?.length).toBe(6);
    if (Bun.which("dciodvfy")) {
      const check = Bun.spawnSync(["dciodvfy", join(dir, "DICOMDIR")]);
      const report = check.stderr.toString() + check.stdout.toString();
      expect(report).toContain("BasicDirectory");
      expect(report).not.toContain("Error");
    }
  });

  test("dcmmkdir reads the DICOMDIR back to update it", async () => {
    const plain = instanceIds.at(-1)!;
    const dir = await mediaFolder("/tools/create-media", { Resources: [plain] });
    const update = await dcmtk([
      "dcmmkdir",
      "+U",
      "-Pgp",
      "-W",
      "+I",
      "+D",
      join(dir, "DICOMDIR"),
      "+id",
      dir,
      "IMAGES/IM0",
    ]);
    expect(update.out).not.toContain("E:");
    expect(update.code).toBe(0);
    // It read the records: the file it was given is already in, once.
    const dump = await dcmtk(["dcmdump", "-q", join(dir, "DICOMDIR")]);
    expect(dump.out.match(/"Directory Record" IMAGE/g)?.length).toBe(1);
  });
});

describe("bad input, as Orthanc answers it", () => {
  const post = (path: string, body: string) =>
    fetch(`${pharos.url}${path}`, { method: "POST", body });

  test("unknown ids are 404", async () => {
    expect((await fetch(`${pharos.url}/studies/nope/archive`)).status).toBe(404);
    const r = await post("/tools/create-archive", '{"Resources":["nope"]}');
    expect(r.status).toBe(404);
    expect(((await r.json()) as { OrthancStatus: number }).OrthancStatus).toBe(17);
  });

  test("an empty list is an empty archive", async () => {
    const r = await post("/tools/create-archive", '{"Resources":[]}');
    expect(r.status).toBe(200);
    expect(readZip(new Uint8Array(await r.arrayBuffer()))).toEqual([]);
  });

  test("malformed bodies get Orthanc's details", async () => {
    const study = (await list(pharos.url, "studies"))[0]!;
    const cases: [string, string, string | undefined][] = [
      [
        "/tools/create-archive",
        '{"Resources":',
        "Expected a list of resources to archive in the body",
      ],
      [
        "/tools/create-archive",
        '{"Resources":"x"}',
        "Expected a list of strings (Orthanc identifiers)",
      ],
      ["/tools/create-archive", "{}", "Missing field Resources in the JSON body"],
      [`/studies/${study}/archive`, "", undefined],
      [
        `/studies/${study}/archive`,
        '{"Synchronous":"yes"}',
        "Boolean value expected in field: Synchronous",
      ],
      [
        `/studies/${study}/archive`,
        '{"Priority":"x"}',
        "Integer value expected in field: Priority",
      ],
    ];
    for (const [path, body, details] of cases) {
      const r = await post(path, body);
      expect(r.status).toBe(400);
      const json = (await r.json()) as { Details?: string; OrthancStatus: number };
      expect([json.OrthancStatus, json.Details]).toEqual([15, details]);
    }
    const r = await post(`/studies/${study}/archive`, '{"Transcode":"1.2.3"}');
    expect(r.status).toBe(400);
    expect(((await r.json()) as { Details: string }).Details).toBe(
      "Unknown transfer syntax: 1.2.3",
    );
  });
});

describe("asynchronous jobs", () => {
  test("an Archive job's output downloads until a newer one replaces it", async () => {
    const study = (await list(pharos.url, "studies"))[0]!;
    const start = async (path: string) => {
      const r = await fetch(`${pharos.url}${path}`, {
        method: "POST",
        body: '{"Asynchronous":true,"Priority":3}',
      });
      const { ID } = (await r.json()) as { ID: string };
      let job: {
        State: string;
        Type: string;
        Priority: number;
        Content: { InstancesCount: number };
      } | undefined;
      await waitFor(async () => {
        job = await (await fetch(`${pharos.url}/jobs/${ID}`)).json();
        return job!.State === "Success";
      }, "the archive job");
      return { id: ID, job: job! };
    };
    const first = await start(`/studies/${study}/archive`);
    expect([first.job.Type, first.job.Priority]).toEqual(["Archive", 3]);
    const output = await fetch(`${pharos.url}/jobs/${first.id}/archive`);
    expect(output.status).toBe(200);
    const entries = names(new Uint8Array(await output.arrayBuffer()));
    expect(entries).toEqual(names(await zipOf(pharos.url, `/studies/${study}/archive`)));
    expect(entries.length).toBe(first.job.Content.InstancesCount);
    const second = await start(`/studies/${study}/media`);
    expect(second.job.Type).toBe("Media");
    expect((await fetch(`${pharos.url}/jobs/${second.id}/archive`)).status).toBe(200);
    // MediaArchiveSize is 1: the first output is gone.
    const gone = await fetch(`${pharos.url}/jobs/${first.id}/archive`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { Details: string }).Details).toBe(
      "Job has no such output: archive",
    );
  });
});

test("a client that disconnects stops the archive, and the server goes on", async () => {
  // Reads made slow and counted, so that the archive cannot be over before the client leaves.
  const core = pharos.pharos.core;
  const read = core.dicomBytes.bind(core);
  let reads = 0;
  core.dicomBytes = async (instance) => {
    reads++;
    await Bun.sleep(10);
    return read(instance);
  };
  try {
    const controller = new AbortController();
    const all = { Resources: await list(pharos.url, "patients") };
    const r = await fetch(`${pharos.url}/tools/create-archive`, {
      method: "POST",
      body: JSON.stringify(all),
      signal: controller.signal,
    });
    const reader = r.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    controller.abort();
    await reader.closed.catch(() => {});
    // A whole archive afterwards: the first one, had it gone on, would have read them all too.
    const before = reads;
    const again = await zipOf(pharos.url, "/tools/create-archive", all);
    expect(names(again).length).toBe(instanceIds.length);
    expect(reads - instanceIds.length).toBeLessThan(instanceIds.length);
    expect(before).toBeLessThan(instanceIds.length);
  } finally {
    core.dicomBytes = read;
  }
});

test("a file missing from storage is left out, as Orthanc does, and the server goes on", async () => {
  const first = instanceIds[0]!;
  const info = (await (await fetch(`${pharos.url}/instances/${first}/attachments/dicom/info`))
    .json()) as { Uuid: string };
  const [stored] = [...new Bun.Glob(`**/${info.Uuid}`).scanSync(pharos.dir)];
  const path = join(pharos.dir, stored!);
  const aside = join(work, "aside.dcm");
  renameSync(path, aside);
  try {
    const series = ((await (await fetch(`${pharos.url}/instances/${first}`)).json()) as {
      ParentSeries: string;
    }).ParentSeries;
    const entries = names(await zipOf(pharos.url, `/series/${series}/archive`));
    // Orthanc 1.10.1 answers the other five, numbered as if the first were there.
    expect(entries.map((n) => n.split("/")[3])).toEqual(
      ["MR000001.dcm", "MR000002.dcm", "MR000003.dcm", "MR000004.dcm", "MR000005.dcm"],
    );
  } finally {
    renameSync(aside, path);
  }
  expect((await fetch(`${pharos.url}/instances/${first}/file`)).status).toBe(200);
});

test("Transcode: files re-encoded where the transcoders can, kept as stored elsewhere", async () => {
  const plain = instanceIds.at(-1)!;
  const jpeg = instanceIds.at(-2)!;
  const syntaxes = (zip: Uint8Array) =>
    readZip(zip).map((e) => parseDicom(e.read()).transferSyntax);
  const implicit = "1.2.840.10008.1.2";
  const posted = await zipOf(pharos.url, "/tools/create-archive", {
    Resources: [plain, jpeg],
    Transcode: implicit,
  });
  const stored = parseDicom(await Bun.file(join(samplesDir, "DummyCT.dcm")).bytes()).transferSyntax;
  expect(new Set(syntaxes(posted))).toEqual(new Set([implicit, stored]));
  const series = ((await (await fetch(`${pharos.url}/instances/${plain}`)).json()) as {
    ParentSeries: string;
  }).ParentSeries;
  const got = await zipOf(pharos.url, `/series/${series}/archive?transcode=${implicit}`);
  expect(syntaxes(got)).toEqual([implicit]);
});
