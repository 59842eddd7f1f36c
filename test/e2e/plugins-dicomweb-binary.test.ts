// DicomWebBinaryCallback (issue 18): a plugin decides how the binary values of the DICOMweb
// metadata are written, in-process and in its own worker (PluginsIsolation).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";

const plugin = resolve(import.meta.dir, "../plugins/dicomweb-binary.ts");
const hung = resolve(import.meta.dir, "../plugins/dicomweb-binary-hung.ts");
const MULTIFRAME = {
  study: "1.2.840.113619.2.176.2025.1499492.7391.1175285944.390",
  series: "1.2.840.113619.2.176.2025.1499492.7391.1175285944.394",
  instance: "1.2.840.113619.2.176.2025.1499492.7040.1175286242.109",
};

type Dataset = Record<string, { vr: string; InlineBinary?: string; BulkDataURI?: string }>;

for (const isolation of ["InProcess", "Worker"]) {
  describe(`DicomWebBinaryCallback (${isolation})`, () => {
    let server: InProcessServer;
    let pdf: { study: string; series: string; instance: string };

    const metadata = async (uids: typeof MULTIFRAME) =>
      (await (await fetch(
        `${server.url}/dicom-web/studies/${uids.study}/series/${uids.series}/instances/${uids.instance}/metadata`,
      )).json() as Dataset[])[0]!;

    beforeAll(async () => {
      server = await startInProcess({
        config: { Plugins: [plugin], PluginsIsolation: { "dicomweb-binary": isolation } },
      });
      const stored = await fetch(`${server.url}/instances`, {
        method: "POST",
        body: readFileSync(join(samplesDir, "MultiframeWindowing.dcm")),
      });
      expect(stored.status).toBe(200);
      const document = readFileSync(join(samplesDir, "HelloWorld.pdf")).toString("base64");
      const created = await (await fetch(`${server.url}/tools/create-dicom`, {
        method: "POST",
        body: JSON.stringify({
          Tags: { PatientName: "PDF", Modality: "DOC" },
          Content: `data:application/pdf;base64,${document}`,
        }),
      })).json() as { ID: string };
      const tags = await (await fetch(`${server.url}/instances/${created.ID}/simplified-tags`))
        .json() as Record<string, string>;
      pdf = {
        study: tags.StudyInstanceUID!,
        series: tags.SeriesInstanceUID!,
        instance: tags.SOPInstanceUID!,
      };
    });

    afterAll(async () => {
      await server?.stop();
    });

    test("the plugin writes pixel data inline", async () => {
      const json = await metadata(MULTIFRAME);
      const raw = await fetch(
        `${server.url}/dicom-web/studies/${MULTIFRAME.study}/series/${MULTIFRAME.series}/instances/${MULTIFRAME.instance}/bulk/7fe00010`,
      );
      expect(raw.status).toBe(200);
      expect(json["7FE00010"]).toEqual({
        vr: "OW",
        InlineBinary: readPixelData(readFileSync(join(samplesDir, "MultiframeWindowing.dcm"))),
      });
    });

    test("the plugin gives its own bulk data URI", async () => {
      const json = await metadata(pdf);
      const server_uri =
        `${server.url}/dicom-web/studies/${pdf.study}/series/${pdf.series}/instances/${pdf.instance}/bulk/00420011`
          .replace("127.0.0.1", "localhost");
      const uri = json["00420011"]?.BulkDataURI ?? "";
      expect(uri.startsWith("https://archive.example/documents?from=")).toBe(true);
      expect(uri.replace("127.0.0.1", "localhost")).toEndWith(server_uri);
    });
  });
}

describe("a DicomWebBinaryCallback that never answers", () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await startInProcess({
      config: { Plugins: [hung], PluginCallbackTimeout: 1 },
    });
    const stored = await fetch(`${server.url}/instances`, {
      method: "POST",
      body: readFileSync(join(samplesDir, "MultiframeWindowing.dcm")),
    });
    expect(stored.status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("delays the metadata by its deadline only, then the server's bulk data URI is written", async () => {
    const started = performance.now();
    const [json] = await (await fetch(
      `${server.url}/dicom-web/studies/${MULTIFRAME.study}/series/${MULTIFRAME.series}/instances/${MULTIFRAME.instance}/metadata`,
    )).json() as Dataset[];
    expect(json!["7FE00010"]?.BulkDataURI).toEndWith(
      `/instances/${MULTIFRAME.instance}/bulk/7fe00010`,
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await fetch(`${server.url}/system`)).status).toBe(200);
  });
});

/** The 32 bytes of the sample's pixel data, found after its (7FE0,0010) OW header. */
function readPixelData(file: Buffer): string {
  const header = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0]);
  const at = file.lastIndexOf(header);
  const length = file.readUInt32LE(at + 8);
  return file.subarray(at + 12, at + 12 + length).toString("base64");
}
