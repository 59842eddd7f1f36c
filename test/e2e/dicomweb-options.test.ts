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

  test("a series asked while it is received is cached ahead when stable; one never asked is not", async () => {
    const server = await startInProcess({ config: { StableAge: 1 } });
    servers.push(server);
    const store = async (body: Uint8Array | Buffer) =>
      await (await fetch(`${server.url}/instances`, { method: "POST", body })).json() as {
        ID: string;
      };
    const fileOf = async (id: string) => {
      const { Uuid } = await (await fetch(`${server.url}/instances/${id}/attachments/dicom/info`))
        .json() as { Uuid: string };
      return join(server.dir, [...new Bun.Glob(`**/${Uuid}`).scanSync(server.dir)][0]!);
    };
    const metadata = (study: string, host: string) =>
      fetch(`${server.url}/dicom-web/studies/${study}/metadata`, { headers: { Host: host } });
    const first = await store(readFileSync(join(samplesDir, "MultiframeWindowing.dcm")));
    const never = await store(readFileSync(join(samplesDir, "DummyCT.dcm")));
    // A viewer opens the series while a second instance of it is still to come.
    expect((await metadata(MULTIFRAME_STUDY, "viewer.example")).status).toBe(200);
    const second = await store(
      new Uint8Array(
        await (await fetch(`${server.url}/instances/${first.ID}/modify`, {
          method: "POST",
          body: JSON.stringify({ Keep: ["SeriesInstanceUID", "StudyInstanceUID"], Force: true }),
        })).arrayBuffer(),
      ),
    );
    const deadline = Date.now() + 10_000;
    const stableSeries = async () => {
      const { Changes } = await (await fetch(`${server.url}/changes?limit=100`)).json() as {
        Changes: { ChangeType: string }[];
      };
      return Changes.filter((c) => c.ChangeType === "StableSeries").length;
    };
    while ((await stableSeries()) < 2) {
      if (Date.now() > deadline) throw new Error("the series never became stable");
      await Bun.sleep(50);
    }
    // With the files gone, only the cache can answer.
    const secondFile = await fileOf(second.ID);
    rmSync(await fileOf(never.ID));
    let answer: Response | undefined;
    while (!answer || answer.status !== 200) {
      if (Date.now() > deadline) throw new Error("the metadata was never cached");
      rmSync(secondFile, { force: true });
      answer = await metadata(MULTIFRAME_STUDY, "viewer.example");
      await answer.arrayBuffer();
      if (answer.status !== 200) await Bun.sleep(50);
    }
    const both = await (await metadata(MULTIFRAME_STUDY, "other.example:8080")).json();
    expect(both).toHaveLength(2);
    expect(JSON.stringify(both)).toContain("http://other.example:8080/dicom-web/studies/");
    expect(JSON.stringify(both)).not.toContain("viewer.example");
    // The series nobody asked for was not read again at StableSeries: its file is needed.
    expect((await metadata(DUMMY_STUDY, "viewer.example")).status).not.toBe(200);
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
