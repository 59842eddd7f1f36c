// Every compressed sample decodes through the built-in WASM codecs, against real Orthanc 1.10.1
// with its GDCM plugin (for JPEG 2000) in the same run: lossless syntaxes pixel-exact, lossy ones
// within LOSSY_PSNR_DB of Orthanc's pixels (the codecs differ: libjpeg-turbo vs DCMTK's IJG,
// OpenJPEG vs GDCM's), and the preview answered alike. Orthanc's /numpy fails on what GDCM
// decodes, so JPEG 2000 is compared through /image-int16; the YBR_ICT sample, which Orthanc+GDCM
// cannot show, is compared with nothing but must decode.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type RecordingOrthanc, startRecordingOrthanc } from "../golden/orthanc.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { decodePng } from "../support/png.ts";
import { samplesDir } from "../support/server.ts";

const GDCM = "/usr/share/orthanc/plugins/libOrthancGdcm.so";
const LOSSY_PSNR_DB = 40;

const LOSSLESS = [
  "TransferSyntaxes/1.2.840.10008.1.2.4.57.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm",
  "Formats/Jpeg.dcm",
  "Formats/JpegLossless.dcm",
];
const LOSSY = [
  "TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.51.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.81.dcm",
];
const J2K_LOSSLESS = "TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm";
const J2K_LOSSY = "TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm";
const J2K_YBR_ICT = "Formats/jp2k91YBR-ICT.dcm";
/** The RLE file holds the same pixels as the JPEG-LS and JPEG 2000 lossless ones. */
const RLE_ORIGINAL = "TransferSyntaxes/1.2.840.10008.1.2.5.dcm";
const ALL = [...LOSSLESS, ...LOSSY, J2K_LOSSLESS, J2K_LOSSY];

let orthanc: RecordingOrthanc;
let pharos: InProcessServer;
const ids = new Map<string, { orthanc: string; pharos: string }>();

async function upload(url: string, file: string): Promise<string> {
  const res = await fetch(`${url}/instances`, {
    method: "POST",
    body: readFileSync(join(samplesDir, file)),
  });
  return ((await res.json()) as { ID: string }).ID;
}

beforeAll(async () => {
  orthanc = await startRecordingOrthanc(existsSync(GDCM) ? { Plugins: [GDCM] } : {});
  pharos = await startInProcess();
  for (const file of [...ALL, J2K_YBR_ICT, RLE_ORIGINAL]) {
    ids.set(file, {
      orthanc: await upload(orthanc.url, file),
      pharos: await upload(pharos.url, file),
    });
  }
}, 60_000);

afterAll(async () => {
  await orthanc?.stop();
  await pharos?.stop();
});

interface Npy {
  header: string;
  values: number[];
}

/** The header and samples of a .npy answer (dtypes u1, i2, u2, as the frames give). */
function parseNpy(bytes: Uint8Array): Npy {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint16(8, true);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
  const data = bytes.subarray(10 + headerLength);
  const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const dtype = /'descr': '([^']+)'/.exec(header)?.[1];
  const values = dtype === "|u1" ? [...data] : Array.from(
    { length: data.length / 2 },
    (_, i) => dtype === "<i2" ? dataView.getInt16(2 * i, true) : dataView.getUint16(2 * i, true),
  );
  return { header, values };
}

async function int16(url: string, id: string): Promise<number[]> {
  const res = await fetch(`${url}/instances/${id}/frames/0/image-int16`);
  expect(res.status).toBe(200);
  return decodePng(new Uint8Array(await res.arrayBuffer())).samples;
}

async function frame(url: string, id: string): Promise<Npy> {
  const res = await fetch(`${url}/instances/${id}/frames/0/numpy?rescale=false`);
  expect(res.status).toBe(200);
  return parseNpy(new Uint8Array(await res.arrayBuffer()));
}

function psnr(reference: number[], values: number[]): number {
  let mse = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    mse += (r - values[i]!) ** 2;
    if (r < min) min = r;
    if (r > max) max = r;
  }
  mse /= reference.length;
  return mse === 0 ? Infinity : 10 * Math.log10((max - min) ** 2 / mse);
}

describe("compressed transfer syntaxes decode as in Orthanc", () => {
  for (const file of LOSSLESS) {
    test(`${file} is pixel-exact`, async () => {
      const id = ids.get(file)!;
      const [expected, actual] = await Promise.all([
        frame(orthanc.url, id.orthanc),
        frame(pharos.url, id.pharos),
      ]);
      expect(actual.header).toBe(expected.header);
      expect(actual.values.length).toBe(expected.values.length);
      expect(actual.values).toEqual(expected.values);
    });
  }
  for (const file of LOSSY) {
    test(`${file} is within ${LOSSY_PSNR_DB} dB`, async () => {
      const id = ids.get(file)!;
      const [expected, actual] = await Promise.all([
        frame(orthanc.url, id.orthanc),
        frame(pharos.url, id.pharos),
      ]);
      expect(actual.header).toBe(expected.header);
      expect(psnr(expected.values, actual.values)).toBeGreaterThan(LOSSY_PSNR_DB);
    });
  }
  test("JPEG 2000 lossless is pixel-exact, against Orthanc+GDCM and the RLE original", async () => {
    const id = ids.get(J2K_LOSSLESS)!;
    expect(await int16(pharos.url, id.pharos)).toEqual(await int16(orthanc.url, id.orthanc));
    const original = await frame(pharos.url, ids.get(RLE_ORIGINAL)!.pharos);
    expect((await frame(pharos.url, id.pharos)).values).toEqual(original.values);
    const jpegLs = ids.get("TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm")!;
    expect((await frame(pharos.url, jpegLs.pharos)).values).toEqual(original.values);
  });
  test(`JPEG 2000 lossy is within ${LOSSY_PSNR_DB} dB of Orthanc+GDCM`, async () => {
    const id = ids.get(J2K_LOSSY)!;
    const [expected, actual] = await Promise.all([
      int16(orthanc.url, id.orthanc),
      int16(pharos.url, id.pharos),
    ]);
    expect(actual.length).toBe(expected.length);
    expect(psnr(expected, actual)).toBeGreaterThan(LOSSY_PSNR_DB);
  });
  test("JPEG 2000 in YBR_ICT decodes to RGB", async () => {
    const res = await fetch(`${pharos.url}/instances/${ids.get(J2K_YBR_ICT)!.pharos}/preview`);
    expect(res.status).toBe(200);
    const png = decodePng(new Uint8Array(await res.arrayBuffer()));
    expect([png.width, png.height, png.colorType]).toEqual([1660, 965, 2]);
  });
  for (const file of ALL) {
    test(`${file}: the preview is a PNG of the same size`, async () => {
      const id = ids.get(file)!;
      const [expected, actual] = await Promise.all([
        fetch(`${orthanc.url}/instances/${id.orthanc}/preview`),
        fetch(`${pharos.url}/instances/${id.pharos}/preview`),
      ]);
      expect(actual.status).toBe(expected.status);
      expect(actual.headers.get("content-type")).toBe(expected.headers.get("content-type"));
      const [a, b] = [
        new Uint8Array(await actual.arrayBuffer()),
        new Uint8Array(await expected.arrayBuffer()),
      ];
      // PNG IHDR: width and height.
      expect([...a.subarray(16, 24)]).toEqual([...b.subarray(16, 24)]);
    });
  }
});
