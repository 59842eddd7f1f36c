// The REST API as a client sees it: an in-process server on a free port over a temp folder.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startInProcess } from "../support/in-process.ts";
import { samplesDir, type TestServer, upload } from "../support/server.ts";
import { makeZip } from "../support/zip.ts";

const BRAINIX = join(samplesDir, "Brainix/Epi/IM-0001-0001.dcm");
const BRAINIX_ID = "1d429ccb-bdcc78a1-7d129d6a-ba4966ed-fe4dbd87";

let server: TestServer;
beforeAll(async () => {
  server = await startInProcess();
});
afterAll(async () => {
  await server.stop();
});

const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
const json = async (path: string) => (await get(path)).json();

describe("upload", () => {
  test("a DICOM body is stored once, then reported AlreadyStored", async () => {
    const first = await upload(server.url, BRAINIX);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      ID: BRAINIX_ID,
      ParentPatient: "16738bc3-e47ed42a-43ce044c-a3414a45-cb069bd0",
      ParentSeries: "2ac1316d-3e432022-62eabff2-c59f5475-9b1ac3f8",
      ParentStudy: "27f7126f-4f66fb14-03f4081b-f9341db2-53925988",
      Path: `/instances/${BRAINIX_ID}`,
      Status: "Success",
    });
    const again = await (await upload(server.url, BRAINIX)).json();
    expect(again.Status).toBe("AlreadyStored");
    // The file made for the second upload while it was parsed is gone before the answer.
    const files = readdirSync(join(server.dir, "storage"), {
      recursive: true,
      withFileTypes: true,
    });
    expect(files.filter((e) => e.isFile()).length).toBe(1);
  });

  test("the stored file is byte-identical to the upload", async () => {
    const original = new Uint8Array(await Bun.file(BRAINIX).arrayBuffer());
    const res = await get(`/instances/${BRAINIX_ID}/file`);
    expect(res.headers.get("content-type")).toBe("application/dicom");
    const body = new Uint8Array(await res.arrayBuffer());
    expect(createHash("sha1").update(body).digest("hex")).toBe(
      createHash("sha1").update(original).digest("hex"),
    );
  });

  test("non-DICOM and truncated bodies get Orthanc's 400 and store nothing", async () => {
    const before = (await json("/statistics")).CountInstances;
    const bad = await get("/instances", { method: "POST", body: "hello" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      Details: "Cannot parse an invalid DICOM file (size: 5 bytes)",
      HttpError: "Bad Request",
      HttpStatus: 400,
      Message: "Bad file format",
      Method: "POST",
      OrthancError: "Bad file format",
      OrthancStatus: 15,
      Uri: "/instances",
    });
    const truncated = (await Bun.file(join(samplesDir, "Knee/T1/IM-0001-0001.dcm")).arrayBuffer())
      .slice(0, 3000);
    expect((await get("/instances", { method: "POST", body: truncated })).status).toBe(400);
    expect((await json("/statistics")).CountInstances).toBe(before);
  });

  test("a ZIP archive stores each DICOM entry", async () => {
    const files = ["Knee/T1/IM-0001-0001.dcm", "Knee/T1/IM-0001-0002.dcm"];
    const zip = makeZip(
      await Promise.all(files.map(async (f, i) => ({
        name: `file${i}.dcm`,
        data: new Uint8Array(await Bun.file(join(samplesDir, f)).arrayBuffer()),
      }))),
    );
    const res = await get("/instances", { method: "POST", body: zip });
    expect(res.status).toBe(200);
    const answers = (await res.json()) as { Status: string }[];
    expect(answers.map((a) => a.Status)).toEqual(["Success", "Success"]);
  });

  test("a multipart body stores each file and answers an empty 200, as Orthanc 1.10", async () => {
    const before = (await json("/statistics")).CountInstances;
    const form = new FormData();
    form.append("a", Bun.file(join(samplesDir, "Knee/T2/IM-0001-0001.dcm")));
    form.append("b", Bun.file(join(samplesDir, "Knee/T2/IM-0001-0002.dcm")));
    const res = await get("/instances", { method: "POST", body: form });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect((await json("/statistics")).CountInstances).toBe(before + 2);
  });
});

describe("browse", () => {
  test("lists, expand, limit and since", async () => {
    const all = (await json("/instances")) as string[];
    expect(all).toContain(BRAINIX_ID);
    const page = (await json("/instances?since=1&limit=2")) as string[];
    expect(page).toEqual(all.slice(1, 3));
    const expanded = (await json("/series?expand")) as { Type: string }[];
    expect(expanded.every((s) => s.Type === "Series")).toBe(true);
    const missing = await get("/instances?limit=2");
    expect(missing.status).toBe(400);
  });

  test("an instance, its parents and its tags", async () => {
    const instance = await json(`/instances/${BRAINIX_ID}`);
    expect(Object.keys(instance)).toEqual([
      "FileSize",
      "FileUuid",
      "ID",
      "IndexInSeries",
      "Labels", // Orthanc 1.12 contract
      "MainDicomTags",
      "ParentSeries",
      "Type",
    ]);
    expect(instance.MainDicomTags.SOPInstanceUID).toBe(
      "1.3.46.670589.11.0.0.11.4.2.0.8743.5.5396.2006120114333648576",
    );
    const study = await json(`/instances/${BRAINIX_ID}/study`);
    expect(study.ID).toBe("27f7126f-4f66fb14-03f4081b-f9341db2-53925988");
    expect(study.PatientMainDicomTags.PatientID).toBe("5Yp0E");
    const tags = await json(`/instances/${BRAINIX_ID}/tags`);
    expect(tags["0010,0020"]).toEqual({ Name: "PatientID", Type: "String", Value: "5Yp0E" });
    expect(tags["7fe0,0010"]).toEqual({ Name: "PixelData", Type: "Null", Value: null });
    expect((await json(`/instances/${BRAINIX_ID}/tags?short`))["0010,0020"]).toBe("5Yp0E");
    expect((await json(`/instances/${BRAINIX_ID}/simplified-tags`)).PatientID).toBe("5Yp0E");
    expect((await json(`/instances/${BRAINIX_ID}/header`))["0002,0010"].Name).toBe(
      "TransferSyntaxUID",
    );
    expect(await json(`/instances/${BRAINIX_ID}/frames`)).toEqual([0]);
    // Raw value bytes, padding included (this file pads with NUL), as Orthanc answers.
    expect(await (await get(`/instances/${BRAINIX_ID}/content/0010-0020`)).text()).toBe("5Yp0E\0");
    const stats = await json(`/series/2ac1316d-3e432022-62eabff2-c59f5475-9b1ac3f8/statistics`);
    expect(stats.CountInstances).toBe(1);
  });

  test("system, statistics and tools", async () => {
    const system = await json("/system");
    expect(system.HttpPort).toBe(server.port);
    expect(system.Name).toBe("PharosTest");
    expect(await (await get("/tools/now")).text()).toMatch(/^\d{8}T\d{6}$/);
    expect(await (await get("/tools/generate-uid?level=study")).text()).toMatch(/^2\.25\.\d+$/);
    expect(await (await get("/tools/default-encoding")).text()).toBe("Latin1");
    expect((await get("/tools/default-encoding", { method: "PUT", body: "Utf8" })).status).toBe(
      200,
    );
    expect(await (await get("/tools/default-encoding")).text()).toBe("Utf8");
    await get("/tools/default-encoding", { method: "PUT", body: "Latin1" });
    expect((await get("/tools/default-encoding", { method: "PUT", body: "Klingon" })).status).toBe(
      400,
    );
  });
});

describe("errors", () => {
  test("unknown ids and routes give 404 with Orthanc's JSON", async () => {
    expect((await get("/patients/nope")).status).toBe(404);
    const res = await get("/instances/nope/tags");
    expect(res.status).toBe(404);
    expect((await res.json()).OrthancStatus).toBe(17);
    expect((await get("/no/such/route")).status).toBe(404);
  });

  test("wrong methods give 405 with Allow", async () => {
    const res = await get("/system", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect((await get("/instances", { method: "PUT" })).headers.get("allow")).toBe("GET,POST");
    expect((await get(`/instances/${BRAINIX_ID}`, { method: "POST" })).headers.get("allow")).toBe(
      "GET,DELETE",
    );
  });
});

describe("delete", () => {
  test("cascades and reports the remaining ancestor", async () => {
    const knee = (await json("/series?expand")) as {
      ID: string;
      Instances: string[];
      ParentStudy: string;
    }[];
    const series = knee.find((s) => s.Instances.length === 2)!;
    const first = await (await get(`/instances/${series.Instances[0]}`, { method: "DELETE" }))
      .json();
    expect(first.RemainingAncestor).toEqual({
      ID: series.ID,
      Path: `/series/${series.ID}`,
      Type: "Series",
    });
    const second = await (await get(`/instances/${series.Instances[1]}`, { method: "DELETE" }))
      .json();
    expect(second.RemainingAncestor.Type).toBe("Study");
    expect((await get(`/series/${series.ID}`)).status).toBe(404);

    const patient = (await json(`/instances/${BRAINIX_ID}/patient`)).ID;
    const gone = await (await get(`/patients/${patient}`, { method: "DELETE" })).json();
    expect(gone).toEqual({ RemainingAncestor: null });
    expect((await get(`/instances/${BRAINIX_ID}`)).status).toBe(404);
    expect((await get(`/instances/${BRAINIX_ID}/file`)).status).toBe(404);
  });
});

describe("find", () => {
  const find = (body: unknown) =>
    get("/tools/find", {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  test("finds studies by patient name and series by modality", async () => {
    await upload(server.url, join(samplesDir, "Knee/T1/IM-0001-0003.dcm"));
    const studies = await (await find({ Level: "Study", Query: { PatientName: "*" } })).json();
    expect(studies.length).toBeGreaterThan(0);
    const series = await (await find({ Level: "Series", Query: { Modality: "mr" }, Expand: true }))
      .json();
    expect(
      series.every((s: { MainDicomTags: { Modality: string } }) =>
        s.MainDicomTags.Modality === "MR"
      ),
    ).toBe(true);
    expect(await (await find({ Level: "Series", Query: { Modality: "XA" } })).json()).toEqual([]);
  });

  test("bad queries get Orthanc's errors", async () => {
    const bad = await find("{not json");
    expect(bad.status).toBe(400);
    expect((await bad.json()).Details).toBe("The body must contain a JSON object");
    expect((await (await find({ Query: {} })).json()).Details).toBe(
      'Field "Level" is missing, or should be a string',
    );
    expect((await find({ Level: "Bogus", Query: {} })).status).toBe(400);
    expect((await find({ Level: "Study", Query: { NotATag: "x" } })).status).toBe(500);
    expect((await (await find({ Level: "Study", Query: { PatientName: 3 } })).json()).Details)
      .toBe('Tag "PatientName" should be associated with a string');
  });
});
