// A real DICOMweb client (dicomweb-client, the library OHIF is built on) runs a viewer's sequence
// against Pharos: QIDO studies, series and instances, WADO-RS metadata, then frames; and stores
// an instance with STOW-RS.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { api } from "dicomweb-client";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";
import { XhrOverFetch } from "../support/xhr-over-fetch.ts";

type Dataset = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;

const IMAGING_PLUGIN = resolve(import.meta.dir, "../plugins/imaging.ts");

const FILES = [
  "Brainix/Flair/IM-0001-0001.dcm",
  "Brainix/Flair/IM-0001-0002.dcm",
  "Brainix/Epi/IM-0001-0001.dcm",
  "MultiframeWindowing.dcm",
];

/** The calls a viewer makes; the library's own typings mark every option as required. */
interface ViewerClient {
  searchForStudies(options?: { queryParams?: Record<string, string> }): Promise<unknown>;
  searchForSeries(options: { studyInstanceUID: string }): Promise<unknown>;
  searchForInstances(options: Record<string, unknown>): Promise<unknown>;
  retrieveSeriesMetadata(options: Record<string, string>): Promise<unknown>;
  retrieveInstanceFrames(options: Record<string, unknown>): Promise<unknown>;
  retrieveInstance(options: Record<string, string>): Promise<unknown>;
  storeInstances(options: { datasets: ArrayBuffer[] }): Promise<unknown>;
}

const value = (dataset: Dataset, tag: string) => dataset[tag]?.Value?.[0];

describe("a viewer's sequence of DICOMweb calls through dicomweb-client", () => {
  let server: InProcessServer;
  let client: ViewerClient;

  beforeAll(async () => {
    Object.assign(globalThis, { XMLHttpRequest: XhrOverFetch });
    // A decoding plugin (DCMTK's dcmdjpeg behind it), as the built-in decoders keep Orthanc's
    // refusal of JPEG.
    server = await startInProcess({ config: { Plugins: [IMAGING_PLUGIN] } });
    for (const file of FILES) {
      const response = await fetch(`${server.url}/instances`, {
        method: "POST",
        body: readFileSync(join(samplesDir, file)),
      });
      expect(response.status).toBe(200);
    }
    type Options = ConstructorParameters<typeof api.DICOMwebClient>[0];
    client = new api.DICOMwebClient(
      { url: `${server.url}/dicom-web` } as Options,
    ) as unknown as ViewerClient;
  });

  afterAll(async () => {
    await server?.stop();
  });

  test("studies → series → instances → metadata → frames", async () => {
    const studies = await client.searchForStudies({
      queryParams: { PatientName: "BRAINIX" },
    }) as Dataset[];
    expect(studies).toHaveLength(1);
    const studyInstanceUID = value(studies[0]!, "0020000D") as string;
    expect(value(studies[0]!, "00201208")).toBe(3);

    const series = await client.searchForSeries({ studyInstanceUID }) as Dataset[];
    expect(series.map((s) => value(s, "0008103E")).sort()).toEqual([
      "T2W/FE-EPI",
      "sT2W/FLAIR",
    ]);
    const flair = series.find((s) => value(s, "0008103E") === "sT2W/FLAIR")!;
    const seriesInstanceUID = value(flair, "0020000E") as string;

    const instances = await client.searchForInstances({
      studyInstanceUID,
      seriesInstanceUID,
    }) as Dataset[];
    expect(instances).toHaveLength(2);

    const metadata = await client.retrieveSeriesMetadata({
      studyInstanceUID,
      seriesInstanceUID,
    }) as Dataset[];
    expect(metadata).toHaveLength(2);
    const first = metadata[0]!;
    const sopInstanceUID = value(first, "00080018") as string;
    expect(first["7FE00010"]?.BulkDataURI).toContain(`/instances/${sopInstanceUID}/bulk/7fe00010`);
    const rows = value(first, "00280010") as number;
    const columns = value(first, "00280011") as number;

    const frames = await client.retrieveInstanceFrames({
      studyInstanceUID,
      seriesInstanceUID,
      sopInstanceUID,
      frameNumbers: [1],
    }) as ArrayBuffer[];
    expect(frames).toHaveLength(1);
    // 16-bit uncompressed pixels: two bytes per pixel.
    expect(frames[0]!.byteLength).toBe(rows * columns * 2);
  });

  test("frames of a multi-frame instance, and the whole instance", async () => {
    const [instance] = await client.searchForInstances({
      queryParams: { SOPClassUID: "1.2.840.10008.5.1.4.1.1.4" },
    }) as Dataset[];
    expect(instance).toBeDefined();
    const uids = {
      studyInstanceUID: value(instance!, "0020000D") as string,
      seriesInstanceUID: value(instance!, "0020000E") as string,
      sopInstanceUID: value(instance!, "00080018") as string,
    };
    const multi = (await client.searchForInstances({
      queryParams: { NumberOfFrames: "4" },
      // NumberOfFrames is no indexed tag: it is matched against the files.
    }) as Dataset[])[0]!;
    const frames = await client.retrieveInstanceFrames({
      studyInstanceUID: value(multi, "0020000D") as string,
      seriesInstanceUID: value(multi, "0020000E") as string,
      sopInstanceUID: value(multi, "00080018") as string,
      frameNumbers: [2, 4],
    }) as ArrayBuffer[];
    expect(frames).toHaveLength(2);
    // The same bytes as Orthanc's REST API gives for frames 1 and 3 (0-based).
    const [id] = await (await fetch(`${server.url}/tools/lookup`, {
      method: "POST",
      body: value(multi, "00080018") as string,
    })).json() as { ID: string }[];
    for (const [i, frame] of [1, 3].entries()) {
      const raw = await fetch(`${server.url}/instances/${id!.ID}/frames/${frame}/raw`);
      expect(Buffer.from(frames[i]!)).toEqual(Buffer.from(await raw.arrayBuffer()));
    }
    const file = await client.retrieveInstance(uids) as ArrayBuffer;
    expect(Buffer.from(file).subarray(128, 132).toString()).toBe("DICM");
  });

  test("a JPEG frame asked uncompressed is decoded by the codecs; asked as stored, it is the JPEG", async () => {
    const body = readFileSync(join(samplesDir, "TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm"));
    expect((await fetch(`${server.url}/instances`, { method: "POST", body })).status).toBe(200);
    const uids = {
      studyInstanceUID: "1.2.840.113663.1298.6234813.1.298.20000329.1115122",
      seriesInstanceUID: "1.2.840.113663.1298.6234813.2.299.20000329.1115132",
      sopInstanceUID: "1.2.840.113663.1298.1.3.715.20000329.1115326",
    };
    const [decoded] = await client.retrieveInstanceFrames({
      ...uids,
      frameNumbers: [1],
    }) as ArrayBuffer[];
    expect(decoded!.byteLength).toBe(480 * 640 * 3);
    const [jpeg] = await client.retrieveInstanceFrames({
      ...uids,
      frameNumbers: [1],
      mediaTypes: [{ mediaType: "image/jpeg", transferSyntaxUID: "1.2.840.10008.1.2.4.50" }],
    }) as ArrayBuffer[];
    expect([...new Uint8Array(jpeg!, 0, 2)]).toEqual([0xff, 0xd8]);
  });

  test("thumbnails (PS3.18) are the rendered first image, in JPEG or PNG", async () => {
    const study = "2.16.840.1.113669.632.20.1211.10000357775";
    const jpeg = await fetch(`${server.url}/dicom-web/studies/${study}/thumbnail`);
    expect(jpeg.headers.get("content-type")).toBe("image/jpeg");
    expect([...new Uint8Array(await jpeg.arrayBuffer(), 0, 2)]).toEqual([0xff, 0xd8]);
    const png = await fetch(`${server.url}/dicom-web/studies/${study}/thumbnail`, {
      headers: { Accept: "image/png" },
    });
    expect(png.headers.get("content-type")).toBe("image/png");
  });

  test("STOW-RS through the client stores the instance", async () => {
    const bytes = readFileSync(join(samplesDir, "DummyCT.dcm"));
    const answer = await client.storeInstances({
      datasets: [new Uint8Array(bytes).buffer as ArrayBuffer],
    }) as unknown;
    const stored = typeof answer === "string" ? JSON.parse(answer) : answer;
    expect((stored as Dataset)["00081199"]?.Value).toHaveLength(1);
    const studies = await client.searchForStudies() as Dataset[];
    expect(studies).toHaveLength(4);
  });
});
