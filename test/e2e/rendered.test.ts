// /rendered against Orthanc 1.10.1 (with its GDCM plugin when installed, for JPEG 2000) on the
// same files and arguments: status, content type, size, and every pixel the same, smoothing
// included (Pharos computes the window, the 5×5 Gaussian and the nearest-neighbor fit in the
// same single-precision steps).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type RecordingOrthanc, startRecordingOrthanc } from "../golden/orthanc.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { decodePng } from "../support/png.ts";
import { samplesDir } from "../support/server.ts";

const GDCM = "/usr/share/orthanc/plugins/libOrthancGdcm.so";
const FILES: Record<string, string> = {
  ct: "TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm",
  mr: "Brainix/Epi/IM-0001-0001.dcm",
  rgb: "TransferSyntaxes/1.2.840.10008.1.2.1.dcm",
  jpeg: "TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm",
  // No window in the file: Orthanc windows the whole range of BitsStored.
  rle: "TransferSyntaxes/1.2.840.10008.1.2.5.dcm",
  "jpeg-ls": "TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm",
  // A rescale of its own on each frame.
  multiframe: "MultiframeWindowing.dcm",
  monochrome1: "MONOCHROME1:Brainix/Epi/IM-0001-0001.dcm",
  ...(existsSync(GDCM) ? { j2k: "TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm" } : {}),
};
const REQUESTS = [
  "rendered",
  "frames/0/rendered",
  "frames/1/rendered",
  "rendered?width=100",
  "rendered?height=100",
  "rendered?width=100&height=100",
  "rendered?width=100&height=100&smooth=1",
  "rendered?width=33&smooth=1",
  "rendered?width=700&smooth=1",
  "rendered?window-center=0&window-width=100",
  "rendered?window-center=40",
  "rendered?window-width=300",
  "rendered?window-center=-100&window-width=0.5",
  "rendered?width=abc",
];

let orthanc: RecordingOrthanc;
let pharos: InProcessServer;
const ids = new Map<string, { orthanc: string; pharos: string }>();

/**
 * The sample's bytes; "MONOCHROME1:" before the name turns its MONOCHROME2 into MONOCHROME1 (same
 * length), which /rendered inverts after smoothing and fitting.
 */
function sample(name: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(join(samplesDir, name.replace(/^MONOCHROME1:/, ""))));
  if (!name.startsWith("MONOCHROME1:")) return bytes;
  const text = new TextEncoder().encode("MONOCHROME2");
  for (let at = bytes.indexOf(text[0]!); at >= 0; at = bytes.indexOf(text[0]!, at + 1)) {
    if (text.every((b, i) => bytes[at + i] === b)) bytes[at + 10] = "1".charCodeAt(0);
  }
  return bytes;
}

async function upload(url: string, file: string): Promise<string> {
  const res = await fetch(`${url}/instances`, { method: "POST", body: sample(file) });
  return ((await res.json()) as { ID: string }).ID;
}

beforeAll(async () => {
  orthanc = await startRecordingOrthanc(existsSync(GDCM) ? { Plugins: [GDCM] } : {});
  pharos = await startInProcess();
  for (const [name, file] of Object.entries(FILES)) {
    ids.set(name, {
      orthanc: await upload(orthanc.url, file),
      pharos: await upload(pharos.url, file),
    });
  }
}, 60_000);

afterAll(async () => {
  await orthanc?.stop();
  await pharos?.stop();
});

describe("/rendered as in Orthanc 1.10.1", () => {
  for (const name of Object.keys(FILES)) {
    for (const request of REQUESTS) {
      test(`${name} ${request}`, async () => {
        const id = ids.get(name)!;
        const [a, b] = await Promise.all([
          fetch(`${orthanc.url}/instances/${id.orthanc}/${request}`),
          fetch(`${pharos.url}/instances/${id.pharos}/${request}`),
        ]);
        expect(b.status).toBe(a.status);
        expect(b.headers.get("content-type")).toBe(a.headers.get("content-type"));
        if (a.status !== 200) return;
        const expected = decodePng(new Uint8Array(await a.arrayBuffer()));
        const actual = decodePng(new Uint8Array(await b.arrayBuffer()));
        expect(actual).toEqual(expected);
      });
    }
  }
  test("returnUnsupportedImage: a placeholder PNG instead of a 415", async () => {
    const id = ids.get("ct")!.pharos;
    for (const route of ["frames/1/rendered", "frames/1/preview", "frames/1/image-uint16"]) {
      expect((await fetch(`${pharos.url}/instances/${id}/${route}`)).status).toBe(415);
      const res = await fetch(`${pharos.url}/instances/${id}/${route}?returnUnsupportedImage`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      expect(decodePng(new Uint8Array(await res.arrayBuffer())).width).toBe(64);
    }
  });
  test("a repeated rendering gives the same bytes; another Accept or argument its own", async () => {
    const url = `${pharos.url}/instances/${ids.get("mr")!.pharos}/rendered?width=64`;
    const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer());
    const first = await bytes(await fetch(url));
    expect(await bytes(await fetch(url))).toEqual(first);
    const jpeg = await fetch(url, { headers: { Accept: "image/jpeg" } });
    expect(jpeg.headers.get("content-type")).toBe("image/jpeg");
    expect(decodePng(await bytes(await fetch(`${url}0`))).width).toBe(640);
    expect(decodePng(first).width).toBe(64);
  });
  test("JPEG on request, with its quality", async () => {
    const id = ids.get("ct")!;
    const jpeg = { headers: { Accept: "image/jpeg" } };
    const small = await fetch(`${pharos.url}/instances/${id.pharos}/rendered?quality=10`, jpeg);
    const large = await fetch(`${pharos.url}/instances/${id.pharos}/rendered?quality=95`, jpeg);
    expect(small.headers.get("content-type")).toBe("image/jpeg");
    expect((await small.arrayBuffer()).byteLength).toBeLessThan(
      (await large.arrayBuffer()).byteLength,
    );
    const bad = await fetch(`${pharos.url}/instances/${id.pharos}/rendered?quality=500`, jpeg);
    expect(bad.status).toBe(415);
  });
});
