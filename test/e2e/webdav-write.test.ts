// Orthanc's built-in WebDAV share through a running server, write side: deleting resources
// (WebDavDeleteAllowed) and importing files written into /webdav/uploads/ (WebDavUploadAllowed).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startInProcess } from "../support/in-process.ts";
import { samplesDir, type TestServer, upload, waitFor } from "../support/server.ts";
import { makeZip } from "../support/zip.ts";

const KNEE = join(samplesDir, "Knee/T1/IM-0001-0001.dcm");
const KNEE2 = join(samplesDir, "Knee/T1/IM-0001-0002.dcm");
const BRAINIX = join(samplesDir, "Brainix/Flair/IM-0001-0001.dcm");
const BRAINIX2 = join(samplesDir, "Brainix/Flair/IM-0001-0002.dcm");
const BRAINIX3 = join(samplesDir, "Brainix/Flair/IM-0001-0003.dcm");
const DUMMY_CT = join(samplesDir, "DummyCT.dcm");

const bytesOf = async (file: string) => new Uint8Array(await Bun.file(file).arrayBuffer());

let server: TestServer;
beforeAll(async () => {
  server = await startInProcess({ config: { WebDavDeleteAllowed: true } });
});
afterAll(async () => {
  await server.stop();
});

const dav = (path: string, method: string, body?: Uint8Array | string) =>
  fetch(`${server.url}${path}`, { method, body, headers: { Depth: "1" } });
const json = async (path: string) => await (await fetch(`${server.url}${path}`)).json();
const count = async () => (await json("/statistics")).CountInstances as number;

/** The display names in a folder's PROPFIND listing (the folder itself left out). */
async function listing(path: string): Promise<string[]> {
  const res = await dav(path, "PROPFIND");
  expect(res.status).toBe(207);
  const names = [...(await res.text()).matchAll(/<D:displayname>(.*?)<\/D:displayname>/g)];
  return names.slice(1).map((m) => m[1]!);
}

async function reset(...files: string[]): Promise<string[]> {
  for (const id of await json("/patients")) {
    await fetch(`${server.url}/patients/${id}`, { method: "DELETE" });
  }
  const ids: string[] = [];
  for (const f of files) ids.push((await (await upload(server.url, f)).json()).ID);
  return ids;
}

describe("built-in WebDAV: deleting (WebDavDeleteAllowed)", () => {
  test("an instance file: 204 and the instance is gone; again: 403", async () => {
    const [first, second] = await reset(KNEE, KNEE2);
    const file =
      `/webdav/by-patients/887%20-%20KNEE/20080819%20-%20IRM%20DU%20GENOU/MR%20-%20T1W_aTSE/${first}.dcm`;
    expect((await dav(file, "DELETE")).status).toBe(204);
    expect(await json("/instances")).toEqual([second]);
    expect((await dav(file, "DELETE")).status).toBe(403);
    // Not a .dcm file of the series: refused.
    expect((await dav(file.replace(".dcm", ".txt"), "DELETE")).status).toBe(403);
  });

  test("a series folder, a study folder, a patient folder delete what they hold", async () => {
    await reset(KNEE, KNEE2, BRAINIX, DUMMY_CT);
    const brainix = "/webdav/by-studies/5Yp0E%20-%20BRAINIX%20-%20IRM%20crbrale%2C%20neuro-crne";
    expect((await dav(`${brainix}/MR%20-%20sT2WFLAIR`, "DELETE")).status).toBe(204);
    expect(await count()).toBe(3);
    expect(await listing("/webdav/by-studies")).not.toContain(
      "5Yp0E - BRAINIX - IRM crbrale, neuro-crne",
    );
    expect((await dav("/webdav/by-patients/887%20-%20KNEE", "DELETE")).status).toBe(204);
    expect(await count()).toBe(1);
    // What a recursive delete already removed can still be deleted (Orthanc answers 204).
    expect((await dav("/webdav/by-patients/887%20-%20KNEE", "DELETE")).status).toBe(204);
  });

  test("by-dates: a year folder deletes the studies of that year", async () => {
    await reset(KNEE, BRAINIX);
    expect((await dav("/webdav/by-dates/2006", "DELETE")).status).toBe(204);
    expect(await listing("/webdav/by-dates")).toEqual(["2008"]);
    expect(await count()).toBe(1);
  });

  test("by-uids: a series folder by its UIDs; study.json can be deleted without effect", async () => {
    const [id] = await reset(KNEE, BRAINIX);
    const instance = await json(`/instances/${id}`);
    const series = await json(`/series/${instance.ParentSeries}`);
    const study = await json(`/studies/${series.ParentStudy}`);
    const folder = `/webdav/by-uids/${study.MainDicomTags.StudyInstanceUID}`;
    expect((await dav(`${folder}/study.json`, "DELETE")).status).toBe(204);
    expect(await count()).toBe(2);
    expect((await dav(`${folder}/${series.MainDicomTags.SeriesInstanceUID}`, "DELETE")).status)
      .toBe(204);
    expect(await count()).toBe(1);
    expect((await fetch(`${server.url}/studies/${study.ID}`)).status).toBe(404);
  });

  test("the share's root and unknown roots are refused", async () => {
    expect((await dav("/webdav/", "DELETE")).status).toBe(403);
    expect((await dav("/webdav/nope", "DELETE")).status).toBe(403);
  });
});

describe("built-in WebDAV: uploads (WebDavUploadAllowed)", () => {
  test("a DICOM file written into a new folder is imported, then leaves uploads/", async () => {
    await reset();
    expect((await dav("/webdav/uploads/in", "MKCOL")).status).toBe(201);
    expect((await dav("/webdav/uploads/in", "MKCOL")).status).toBe(403);
    expect((await dav("/webdav/uploads/in/knee.dcm", "PUT", await bytesOf(KNEE))).status).toBe(
      201,
    );
    await waitFor(async () => (await count()) === 1, "the WebDAV import");
    await waitFor(async () => (await listing("/webdav/uploads/in")).length === 0, "the removal");
    const [id] = await json("/instances");
    expect(await (await fetch(`${server.url}/instances/${id}/metadata/Origin`)).text()).toBe(
      "WebDav",
    );
    // The folder itself stays until Orthanc's idle cleanup, or a DELETE.
    expect(await listing("/webdav/uploads")).toEqual(["in"]);
    expect((await dav("/webdav/uploads/in", "DELETE")).status).toBe(204);
    expect(await listing("/webdav/uploads")).toEqual([]);
  });

  test("non-DICOM files are dropped, empty files kept, ZIP archives imported entry by entry", async () => {
    await reset();
    expect((await dav("/webdav/uploads/empty.dcm", "PUT", "")).status).toBe(201);
    expect((await dav("/webdav/uploads/notes.txt", "PUT", "not DICOM")).status).toBe(201);
    const zip = makeZip([
      { name: "a.dcm", data: await bytesOf(BRAINIX2) },
      { name: "b.dcm", data: await bytesOf(BRAINIX3) },
      { name: "readme.txt", data: new TextEncoder().encode("hello") },
    ]);
    expect((await dav("/webdav/uploads/study.zip", "PUT", zip)).status).toBe(201);
    await waitFor(async () => (await count()) === 2, "the ZIP import");
    await waitFor(
      async () => (await listing("/webdav/uploads")).join() === "empty.dcm",
      "only the empty file left",
    );
    const empty = await fetch(`${server.url}/webdav/uploads/empty.dcm`);
    expect(empty.status).toBe(200);
    expect(empty.headers.get("content-type")).toBe("application/dicom");
    expect((await dav("/webdav/uploads/empty.dcm", "DELETE")).status).toBe(204);
    expect(await listing("/webdav/uploads")).not.toContain("empty.dcm");
  });

  test("writes outside uploads/ or into a missing folder are refused", async () => {
    expect((await dav("/webdav/uploads/missing/x.dcm", "PUT", "x")).status).toBe(403);
    expect((await dav("/webdav/by-studies/x.dcm", "PUT", "x")).status).toBe(403);
    expect((await dav("/webdav/by-studies/new", "MKCOL")).status).toBe(403);
    expect((await dav("/webdav/uploads", "MKCOL")).status).toBe(400);
  });

  test("WebDavUploadAllowed: false hides uploads/ and refuses writes", async () => {
    const off = await startInProcess({ config: { WebDavUploadAllowed: false } });
    try {
      const root = await fetch(`${off.url}/webdav/`, {
        method: "PROPFIND",
        headers: { Depth: "1" },
      });
      expect(await root.text()).not.toContain("uploads");
      const put = await fetch(`${off.url}/webdav/uploads/x.dcm`, {
        method: "PUT",
        body: await bytesOf(KNEE),
      });
      expect(put.status).toBe(403);
      expect((await (await fetch(`${off.url}/statistics`)).json()).CountInstances).toBe(0);
    } finally {
      await off.stop();
    }
  });
});
