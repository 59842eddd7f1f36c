// The DicomWeb section of the configuration, with the option names of Orthanc's plugin: Enable,
// Root, EnableWado, WadoRoot, Host and Ssl (the URLs in the answers).
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";

const servers: InProcessServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function start(DicomWeb: Record<string, unknown>): Promise<InProcessServer> {
  const server = await startInProcess({ config: { DicomWeb } });
  servers.push(server);
  const stored = await fetch(`${server.url}/instances`, {
    method: "POST",
    body: readFileSync(join(samplesDir, "DummyCT.dcm")),
  });
  expect(stored.status).toBe(200);
  return server;
}

const DUMMY_STUDY = "1.2.840.113619.2.176.2025.1499492.7391.1171285944.390";
/** MultiframeWindowing.dcm's: its pixel data is a bulk data URI in the metadata. */
const MULTIFRAME_STUDY = "1.2.840.113619.2.176.2025.1499492.7391.1175285944.390";

const WADO =
  "?requestType=WADO&objectUID=1.2.840.113619.2.176.2025.1499492.7040.1171286242.109&contentType=application/dicom";

describe("the DicomWeb section", () => {
  test("by default: /dicom-web/ and /wado, URLs from the request's Host", async () => {
    const server = await start({});
    const [study] = await (await fetch(`${server.url}/dicom-web/studies`)).json();
    expect(study["00081190"].Value[0]).toStartWith(
      `http://127.0.0.1:${server.port}/dicom-web/studies/`,
    );
    expect((await fetch(`${server.url}/wado${WADO}`)).status).toBe(200);
  });

  test("Root, WadoRoot, Host and Ssl", async () => {
    const server = await start({
      Root: "/web/",
      WadoRoot: "/legacy-wado",
      Host: "viewer.example:8443",
      Ssl: true,
    });
    expect((await fetch(`${server.url}/dicom-web/studies`)).status).toBe(404);
    const [study] = await (await fetch(`${server.url}/web/studies`)).json();
    expect(study["00081190"].Value[0]).toStartWith("https://viewer.example:8443/web/studies/");
    expect((await fetch(`${server.url}/legacy-wado${WADO}`)).status).toBe(200);
    expect((await fetch(`${server.url}/wado${WADO}`)).status).toBe(404);
  });

  test("Enable false and EnableWado false", async () => {
    const off = await start({ Enable: false });
    expect((await fetch(`${off.url}/dicom-web/studies`)).status).toBe(404);
    const noWado = await start({ EnableWado: false });
    expect((await fetch(`${noWado.url}/dicom-web/studies`)).status).toBe(200);
    expect((await fetch(`${noWado.url}/wado${WADO}`)).status).toBe(404);
  });

  test("a stable series' metadata is cached ahead, and answered for any Host", async () => {
    const server = await startInProcess({ config: { StableAge: 1 } });
    servers.push(server);
    const stored = await (await fetch(`${server.url}/instances`, {
      method: "POST",
      body: readFileSync(join(samplesDir, "MultiframeWindowing.dcm")),
    })).json() as { ID: string; ParentSeries: string };
    const deadline = Date.now() + 10_000;
    const stable = async () => {
      const { Changes } = await (await fetch(`${server.url}/changes?limit=100`)).json() as {
        Changes: { ChangeType: string }[];
      };
      return Changes.some((c) => c.ChangeType === "StableSeries");
    };
    while (!(await stable())) {
      if (Date.now() > deadline) throw new Error("the series never became stable");
      await Bun.sleep(50);
    }
    // The cache is filled on StableSeries; with the file gone, only the cache can answer.
    const { Uuid } = await (await fetch(
      `${server.url}/instances/${stored.ID}/attachments/dicom/info`,
    )).json() as { Uuid: string };
    const file = [...new Bun.Glob(`**/${Uuid}`).scanSync(server.dir)][0]!;
    let answer: Response | undefined;
    while (!answer || answer.status !== 200) {
      if (Date.now() > deadline) throw new Error("the metadata was never cached");
      answer = undefined;
      rmSync(join(server.dir, file), { force: true });
      answer = await fetch(`${server.url}/dicom-web/studies/${MULTIFRAME_STUDY}/metadata`, {
        headers: { Host: "viewer.example" },
      });
      await answer.arrayBuffer();
      if (answer.status !== 200) await Bun.sleep(50);
    }
    const [metadata] =
      await (await fetch(`${server.url}/dicom-web/studies/${MULTIFRAME_STUDY}/metadata`, {
        headers: { Host: "other.example:8080" },
      })).json();
    expect(JSON.stringify(metadata)).toContain("http://other.example:8080/dicom-web/studies/");
    expect(JSON.stringify(metadata)).not.toContain("viewer.example");
  });

  test("an instance deleted and stored again with other values is not answered from the caches", async () => {
    const server = await start({});
    const base = `${server.url}/dicom-web/studies/${DUMMY_STUDY}`;
    const name = async () => {
      const [metadata] = await (await fetch(`${base}/metadata`)).json();
      const [study] = await (await fetch(`${server.url}/dicom-web/studies`)).json();
      return [metadata["00100010"].Value[0].Alphabetic, study["00100010"].Value[0].Alphabetic];
    };
    expect(await name()).toEqual(["KNIX", "KNIX"]);
    const [id] = await (await fetch(`${server.url}/instances`)).json() as string[];
    const modified = await (await fetch(`${server.url}/instances/${id}/modify`, {
      method: "POST",
      body: JSON.stringify({
        Replace: { PatientName: "RENAMED" },
        Keep: ["SOPInstanceUID", "SeriesInstanceUID", "StudyInstanceUID"],
        Force: true,
      }),
    })).arrayBuffer();
    expect((await fetch(`${server.url}/instances/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await fetch(`${server.url}/instances`, { method: "POST", body: modified })).status)
      .toBe(200);
    expect(await name()).toEqual(["RENAMED", "RENAMED"]);
  });

  test("a bad value stops the start with the option named", async () => {
    await expect(startInProcess({ config: { DicomWeb: { Enable: "yes" } } })).rejects.toThrow(
      /DicomWeb/,
    );
  });
});
