// The built-in WebDAV folders (read-only /webdav/by-studies/) through a running server, and
// WebDavEnabled turning them off.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type RunningServer, samplesDir, startPharos, upload } from "../support/server.ts";

const KNEE = join(samplesDir, "Knee/T1/IM-0001-0001.dcm");
const KNEE2 = join(samplesDir, "Knee/T1/IM-0001-0002.dcm");

let server: RunningServer;
beforeAll(async () => {
  server = await startPharos();
  for (const file of [KNEE, KNEE2]) expect((await upload(server.url, file)).status).toBe(200);
});
afterAll(async () => {
  await server.stop();
});

/** Names as Pharos builds them: "/" and "\\" become "_", surrounding blanks are dropped. */
const folderName = (text: string) => text.replace(/[/\\]/g, "_").trim();

const propfind = (path: string, depth = "1") =>
  fetch(`${server.url}${path}`, { method: "PROPFIND", headers: { Depth: depth } });

/** The hrefs of a multistatus answer, and each response's XML. */
async function hrefs(res: Response): Promise<Map<string, string>> {
  expect(res.status).toBe(207);
  const out = new Map<string, string>();
  for (const m of (await res.text()).matchAll(/<D:response>(.*?)<\/D:response>/gs)) {
    out.set(decodeURIComponent(/<D:href>(.*?)<\/D:href>/.exec(m[1]!)![1]!), m[1]!);
  }
  return out;
}

describe("built-in WebDAV", () => {
  test("/webdav/ lists by-studies; OPTIONS allows reading only", async () => {
    expect([...(await hrefs(await propfind("/webdav/"))).keys()]).toEqual([
      "/webdav/",
      "/webdav/by-studies/",
    ]);
    const options = await fetch(`${server.url}/webdav/by-studies/`, { method: "OPTIONS" });
    expect(options.headers.get("allow")).toBe("OPTIONS, PROPFIND, GET, HEAD");
  });

  test("study folder → series folder → .dcm files with the stored bytes", async () => {
    const study = (await (await fetch(`${server.url}/studies?expand`)).json())[0];
    const patient = study.PatientMainDicomTags;
    const studyName = folderName(
      `${patient.PatientID} - ${patient.PatientName} - ${
        study.MainDicomTags.StudyDescription ?? ""
      }`,
    );
    const studies = await hrefs(await propfind("/webdav/by-studies"));
    expect([...studies.keys()]).toEqual([
      "/webdav/by-studies/",
      `/webdav/by-studies/${studyName}/`,
    ]);

    const seriesList = await hrefs(
      await propfind(`/webdav/by-studies/${encodeURIComponent(studyName)}/`),
    );
    expect(seriesList.size).toBe(2);
    const seriesHref = [...seriesList.keys()][1]!;
    const series = (await (await fetch(`${server.url}/series?expand`)).json())[0];
    const seriesName = folderName(
      `${series.MainDicomTags.Modality} - ${series.MainDicomTags.SeriesDescription ?? ""}`,
    );
    expect(seriesHref).toBe(`/webdav/by-studies/${studyName}/${seriesName}/`);

    const encoded = seriesHref.split("/").map(encodeURIComponent).join("/");
    const files = await hrefs(await propfind(encoded));
    const instances = await (await fetch(`${server.url}/instances?expand`)).json();
    const expected = instances.map((i: { MainDicomTags: { SOPInstanceUID: string } }) =>
      `${seriesHref}${i.MainDicomTags.SOPInstanceUID}.dcm`
    ).sort();
    expect([...files.keys()].slice(1).sort()).toEqual(expected);
    for (const [href, xml] of [...files].slice(1)) {
      expect(xml).toContain("<D:getcontenttype>application/dicom</D:getcontenttype>");
      const res = await fetch(`${server.url}${href.split("/").map(encodeURIComponent).join("/")}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/dicom");
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(xml).toContain(`<D:getcontentlength>${bytes.byteLength}</D:getcontentlength>`);
      const sources = await Promise.all(
        [KNEE, KNEE2].map(async (f) => new Uint8Array(await Bun.file(f).arrayBuffer())),
      );
      expect(sources.some((s) => Buffer.compare(s, bytes) === 0)).toBe(true);
    }

    // Read-only: no writes; unknown paths are 404.
    const put = await fetch(`${server.url}${encoded}x.dcm`, { method: "PUT", body: "x" });
    expect(put.status).toBe(405);
    expect((await propfind("/webdav/by-studies/nope/")).status).toBe(404);
    expect((await fetch(`${server.url}/webdav/by-studies/nope/a/b.dcm`)).status).toBe(404);
    expect((await propfind("/webdav/by-patients/")).status).toBe(404);
  });

  test("WebDavEnabled: false turns the folders off", async () => {
    const off = await startPharos({ config: { WebDavEnabled: false } });
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
