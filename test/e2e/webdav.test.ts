// Orthanc's built-in WebDAV share through a running server, read side: the five root folders,
// folder and file names, properties and XML as Orthanc 1.10.1 answers them, the faked
// LOCK/UNLOCK/PROPPATCH, and WebDavEnabled. Writes are in webdav-write.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startInProcess } from "../support/in-process.ts";
import { samplesDir, type TestServer, upload } from "../support/server.ts";

const KNEE = join(samplesDir, "Knee/T1/IM-0001-0001.dcm");
const KNEE2 = join(samplesDir, "Knee/T1/IM-0001-0002.dcm");
const BRAINIX = join(samplesDir, "Brainix/Flair/IM-0001-0001.dcm");

let server: TestServer;
/** Orthanc ids of the instances, in upload order. */
const ids: string[] = [];
beforeAll(async () => {
  server = await startInProcess();
  for (const file of [KNEE, KNEE2, BRAINIX]) {
    const res = await upload(server.url, file);
    expect(res.status).toBe(200);
    ids.push((await res.json()).ID);
  }
});
afterAll(async () => {
  await server.stop();
});

const dav = (path: string, method: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method, headers });
const propfind = (path: string, depth = "1") => dav(path, "PROPFIND", { Depth: depth });

interface Entry {
  href: string;
  name: string;
  xml: string;
}

/** The responses of a multistatus answer, in order. */
async function entries(res: Response): Promise<Entry[]> {
  expect(res.status).toBe(207);
  expect(res.headers.get("content-type")).toBe("application/xml; charset=UTF-8");
  return [...(await res.text()).matchAll(/<D:response>(.*?)<\/D:response>/gs)].map((m) => ({
    href: /<D:href>(.*?)<\/D:href>/.exec(m[1]!)![1]!,
    name: /<D:displayname>(.*?)<\/D:displayname>/.exec(m[1]!)![1]!,
    xml: m[1]!,
  }));
}
const hrefs = async (path: string) => (await entries(await propfind(path))).map((e) => e.href);

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe("built-in WebDAV: reading", () => {
  test("the root: Orthanc's five folders, in Orthanc's XML", async () => {
    expect(await hrefs("/webdav/")).toEqual([
      "/webdav/",
      "/webdav/by-dates",
      "/webdav/by-patients",
      "/webdav/by-studies",
      "/webdav/by-uids",
      "/webdav/uploads",
    ]);
    const zero = await (await propfind("/webdav", "0")).text();
    expect(zero.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/g, "T")).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>
<D:multistatus xmlns:D="DAV:">
  <D:response>
    <D:href>/webdav/</D:href>
    <D:propstat>
      <D:status>HTTP/1.1 200 OK</D:status>
      <D:prop>
        <D:displayname>webdav</D:displayname>
        <D:creationdate>T</D:creationdate>
        <D:getlastmodified>T</D:getlastmodified>
        <D:resourcetype>
          <D:collection />
        </D:resourcetype>
      </D:prop>
    </D:propstat>
  </D:response>
</D:multistatus>
`,
    );
  });

  test("OPTIONS on the root only; PROPFIND needs Depth 0 or 1", async () => {
    for (const path of ["/webdav", "/webdav/"]) {
      const res = await dav(path, "OPTIONS");
      expect(res.status).toBe(200);
      expect(res.headers.get("dav")).toBe("1,2");
      expect(res.headers.get("allow")).toBe(
        "GET, PUT, DELETE, OPTIONS, PROPFIND, HEAD, LOCK, UNLOCK, PROPPATCH, MKCOL",
      );
    }
    expect((await dav("/webdav/by-studies/", "OPTIONS")).status).toBe(404);

    const none = await dav("/webdav/", "PROPFIND");
    expect(none.status).toBe(500);
    expect((await none.json()).Details).toBe("WebDAV PROPFIND without depth");
    const two = await propfind("/webdav/", "2");
    expect(two.status).toBe(500);
    expect((await two.json()).Details).toBe(
      "WebDAV PROPFIND at unsupported depth (can only be 0 or 1): 2",
    );
    const infinity = await propfind("/webdav/", "infinity");
    expect(infinity.status).toBe(400);
    expect((await infinity.json()).Method).toBe("GET");
  });

  test("by-patients: patient, study, series folders, then '<instance id>.dcm' files", async () => {
    expect(await hrefs("/webdav/by-patients/")).toEqual([
      "/webdav/by-patients/",
      "/webdav/by-patients/5Yp0E%20-%20BRAINIX",
      "/webdav/by-patients/887%20-%20KNEE",
    ]);
    const patient = "/webdav/by-patients/887%20-%20KNEE";
    expect(await hrefs(patient)).toEqual([
      `${patient}/`,
      `${patient}/20080819%20-%20IRM%20DU%20GENOU`,
    ]);
    const series = `${patient}/20080819%20-%20IRM%20DU%20GENOU/MR%20-%20T1W_aTSE`;
    const files = await entries(await propfind(series));
    expect(files[0]!.href).toBe(`${series}/`);
    expect(files[0]!.name).toBe("MR - T1W_aTSE");
    expect(files.slice(1).map((f) => f.name)).toEqual([`${ids[0]}.dcm`, `${ids[1]}.dcm`]);

    const bytes = new Uint8Array(await Bun.file(KNEE).arrayBuffer());
    const file = files[1]!;
    expect(file.xml).toContain("<D:resourcetype />");
    expect(file.xml).toContain(`<D:getcontentlength>${bytes.byteLength}</D:getcontentlength>`);
    expect(file.xml).toContain("<D:getcontenttype>application/dicom</D:getcontenttype>");
    const got = await fetch(`${server.url}${file.href}`);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("application/dicom");
    expect(got.headers.get("last-modified")).toMatch(ISO);
    expect(Buffer.compare(new Uint8Array(await got.arrayBuffer()), bytes)).toBe(0);

    // PROPFIND on a file describes its folder, then the file.
    const self = await entries(await propfind(file.href, "0"));
    expect(self.map((e) => e.href)).toEqual([`${series}/`, file.href]);
  });

  test("by-studies: names drop non-ASCII characters; hrefs are percent-encoded", async () => {
    expect(await hrefs("/webdav/by-studies")).toEqual([
      "/webdav/by-studies/",
      "/webdav/by-studies/5Yp0E%20-%20BRAINIX%20-%20IRM%20crbrale%2C%20neuro-crne",
      "/webdav/by-studies/887%20-%20KNEE%20-%20IRM%20DU%20GENOU",
    ]);
    const study = (await entries(await propfind("/webdav/by-studies")))[1]!;
    expect(study.name).toBe("5Yp0E - BRAINIX - IRM crbrale, neuro-crne");
    expect(await hrefs(study.href)).toEqual([
      `${study.href}/`,
      `${study.href}/MR%20-%20sT2WFLAIR`,
    ]);
  });

  test("by-dates: years, then YYYY-MM, then the studies of the month", async () => {
    expect(await hrefs("/webdav/by-dates")).toEqual([
      "/webdav/by-dates/",
      "/webdav/by-dates/2006",
      "/webdav/by-dates/2008",
    ]);
    expect(await hrefs("/webdav/by-dates/2008")).toEqual([
      "/webdav/by-dates/2008/",
      "/webdav/by-dates/2008/2008-08",
    ]);
    expect(await hrefs("/webdav/by-dates/2008/2008-08")).toEqual([
      "/webdav/by-dates/2008/2008-08/",
      "/webdav/by-dates/2008/2008-08/887%20-%20KNEE%20-%20IRM%20DU%20GENOU",
    ]);
    // A month without studies is an empty folder; a year that is not 4 characters an error.
    expect(await hrefs("/webdav/by-dates/2008/2008-01")).toEqual([
      "/webdav/by-dates/2008/2008-01/",
    ]);
    expect((await propfind("/webdav/by-dates/abc")).status).toBe(400);
  });

  test("by-uids: UID folders, study.json and series.json, '<SOPInstanceUID>.dcm'", async () => {
    const knee = await (await fetch(`${server.url}/instances/${ids[0]}?expand`)).json();
    const series = await (await fetch(`${server.url}/series/${knee.ParentSeries}`)).json();
    const study = await (await fetch(`${server.url}/studies/${series.ParentStudy}`)).json();
    const studyUid = study.MainDicomTags.StudyInstanceUID;
    const seriesUid = series.MainDicomTags.SeriesInstanceUID;
    expect(await hrefs("/webdav/by-uids")).toContain(`/webdav/by-uids/${studyUid}`);

    const studyFolder = await entries(await propfind(`/webdav/by-uids/${studyUid}`));
    expect(studyFolder.map((e) => e.name)).toEqual([studyUid, "study.json", seriesUid]);
    const info = await fetch(`${server.url}/webdav/by-uids/${studyUid}/study.json`);
    expect(info.headers.get("content-type")).toBe("application/json");
    const text = await info.text();
    // JsonCpp's styled writer with DOS newlines, as Orthanc writes it.
    expect(text.startsWith(`{\r\n\t"ID" : "${study.ID}",\r\n`)).toBe(true);
    expect(text).toContain(`\t"MainDicomTags" : \r\n\t{\r\n`);
    expect(JSON.parse(text)).toEqual(study);
    expect(studyFolder[1]!.xml).toContain(
      `<D:getcontentlength>${new TextEncoder().encode(text).byteLength}</D:getcontentlength>`,
    );

    const seriesFolder = await entries(await propfind(`/webdav/by-uids/${studyUid}/${seriesUid}`));
    const sops = await Promise.all(
      series.Instances.map(async (id: string) =>
        (await (await fetch(`${server.url}/instances/${id}`)).json()).MainDicomTags.SOPInstanceUID
      ),
    );
    expect(seriesFolder.map((e) => e.name)).toEqual([
      seriesUid,
      "series.json",
      ...sops.map((uid) => `${uid}.dcm`),
    ]);
    const seriesInfo = await fetch(
      `${server.url}/webdav/by-uids/${studyUid}/${seriesUid}/series.json`,
    );
    expect(JSON.parse(await seriesInfo.text())).toEqual(series);
    const dcm = await fetch(`${server.url}/webdav/by-uids/${studyUid}/${seriesUid}/${sops[0]}.dcm`);
    expect(dcm.status).toBe(200);
    expect(new Uint8Array(await dcm.arrayBuffer()).byteLength).toBeGreaterThan(1000);

    // Any UID path is a folder, empty when nothing matches.
    expect(await hrefs("/webdav/by-uids/1.2.3/4.5.6")).toEqual(["/webdav/by-uids/1.2.3/4.5.6/"]);
  });

  test("missing things: unknown root 404, unknown folder below a known one empty, GET of a folder 404", async () => {
    expect((await propfind("/webdav/nope")).status).toBe(404);
    expect(await hrefs("/webdav/by-patients/nope/deeper")).toEqual([
      "/webdav/by-patients/nope/deeper/",
    ]);
    expect((await dav("/webdav/by-studies/", "GET")).status).toBe(404);
    expect((await dav("/webdav/by-studies/nope/x.dcm", "GET")).status).toBe(404);
  });

  test("LOCK, UNLOCK and PROPPATCH are granted without effect; MOVE and COPY are refused", async () => {
    const lock = await dav("/webdav/by-studies/a%20b", "LOCK");
    expect(lock.status).toBe(201);
    const token = lock.headers.get("lock-token")!;
    expect(token).toMatch(/^opaquelocktoken:0x[0-9a-f]{32}$/);
    const body = await lock.text();
    expect(body).toContain(`<D:locktoken>\n        <D:href>${token}</D:href>`);
    expect(body).toContain("<D:lockroot>\n        <D:href>/webdav/by-studies/a b</D:href>");
    expect(body).toContain("<D:timeout>Second-3599</D:timeout>");
    expect((await dav("/webdav/by-studies/a%20b", "UNLOCK")).status).toBe(204);
    const patch = await dav("/webdav/x", "PROPPATCH");
    expect(patch.status).toBe(207);
    expect(await patch.text()).toContain(
      "<D:response>\n    <D:href>/webdav/x</D:href>\n    <D:propstat />",
    );
    for (const method of ["MOVE", "COPY"]) {
      const res = await dav("/webdav/uploads/x", method);
      expect(res.status).toBe(400);
      expect(await res.text()).toBe("Error 400: Bad Request\nBad request");
    }
  });

  test("WebDavDeleteAllowed is false by default: DELETE is refused and nothing is deleted", async () => {
    const patient = "/webdav/by-patients/887%20-%20KNEE";
    expect((await dav(patient, "DELETE")).status).toBe(403);
    expect(await (await fetch(`${server.url}/instances`)).json()).toHaveLength(3);
  });

  test("WebDavEnabled: false turns the share off", async () => {
    const off = await startInProcess({ config: { WebDavEnabled: false } });
    try {
      const res = await fetch(`${off.url}/webdav/by-studies/`, {
        method: "PROPFIND",
        headers: { Depth: "1" },
      });
      expect(res.status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});
