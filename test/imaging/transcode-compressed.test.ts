// The built-in transcoder compresses: /instances/{id}/file?transcode= to JPEG baseline, JPEG
// lossless, JPEG-LS lossless, JPEG 2000 lossless and HTJ2K lossless gives files dcmdump reads, whose frames
// decode back to the same pixels (lossless) or close to them (JPEG baseline, > 30 dB); and back
// from a compressed syntax to the native ones.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDicom } from "../../src/dicom/parser.ts";
import { dcmtk, startStoreScp } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";

/** JPEG lossless, JPEG-LS, JPEG 2000, and HTJ2K (no sample has it: this decodes it too). */
const LOSSLESS = [
  "1.2.840.10008.1.2.4.70",
  "1.2.840.10008.1.2.4.80",
  "1.2.840.10008.1.2.4.90",
  "1.2.840.10008.1.2.4.201",
];
const SOURCES = {
  "native MR": "Brainix/Epi/IM-0001-0001.dcm",
  "JPEG 2000 CT": "TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm",
  "big endian RGB": "TransferSyntaxes/1.2.840.10008.1.2.2.dcm",
  "explicit RGB": "TransferSyntaxes/1.2.840.10008.1.2.1.dcm",
  "JPEG-LS CT": "TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm",
  "JPEG 2000 lossy CT": "TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm",
};

let pharos: InProcessServer;
const ids = new Map<string, string>();

beforeAll(async () => {
  pharos = await startInProcess();
  for (const [name, file] of Object.entries(SOURCES)) {
    const res = await fetch(`${pharos.url}/instances`, {
      method: "POST",
      body: readFileSync(join(samplesDir, file)),
    });
    ids.set(name, ((await res.json()) as { ID: string }).ID);
  }
});
afterAll(() => pharos?.stop());

const numpy = async (id: string) =>
  new Uint8Array(
    await (await fetch(`${pharos.url}/instances/${id}/frames/0/numpy?rescale=false`)).arrayBuffer(),
  );

async function roundTrip(name: string, syntax: string) {
  const res = await fetch(`${pharos.url}/instances/${ids.get(name)}/file?transcode=${syntax}`);
  expect(res.status).toBe(200);
  const file = new Uint8Array(await res.arrayBuffer());
  expect(parseDicom(file).transferSyntax).toBe(syntax);
  const dir = mkdtempSync(join(tmpdir(), "pharos-compressed-"));
  try {
    writeFileSync(join(dir, "f.dcm"), file);
    const dump = await dcmtk(["dcmdump", "-q", join(dir, "f.dcm")]);
    expect(dump.out).toContain("PixelData");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Stored as another instance (a new SOP Instance UID would be needed to keep both).
  await fetch(`${pharos.url}/instances/${ids.get(name)}`, { method: "DELETE" });
  const back = await fetch(`${pharos.url}/instances`, { method: "POST", body: file });
  const id = ((await back.json()) as { ID: string }).ID;
  ids.set(name, id);
  return id;
}

describe("transcoding to compressed syntaxes", () => {
  for (const name of ["native MR", "JPEG 2000 CT"]) {
    for (const syntax of LOSSLESS) {
      test(`${name} to ${syntax} decodes back to the same pixels`, async () => {
        const before = await numpy(ids.get(name)!);
        const id = await roundTrip(name, syntax);
        expect(await numpy(id)).toEqual(before);
      });
    }
  }
  test("RGB to JPEG baseline is YBR_FULL_422 and close to the original", async () => {
    const before = await numpy(ids.get("big endian RGB")!);
    const id = await roundTrip("big endian RGB", "1.2.840.10008.1.2.4.50");
    const after = await numpy(id);
    expect(after.length).toBe(before.length);
    let mse = 0;
    for (let i = 128; i < before.length; i++) mse += (before[i]! - after[i]!) ** 2;
    mse /= before.length - 128;
    expect(10 * Math.log10(255 ** 2 / mse)).toBeGreaterThan(30);
    const tags = await (await fetch(`${pharos.url}/instances/${id}/tags?simplify`)).json();
    expect(tags.LossyImageCompression).toBe("01");
  });
  for (const syntax of ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2"]) {
    test(`JPEG 2000 CT back to native ${syntax}: the same pixels`, async () => {
      const before = await numpy(ids.get("JPEG 2000 CT")!);
      const id = await roundTrip("JPEG 2000 CT", syntax);
      expect(await numpy(id)).toEqual(before);
    });
  }
  test("lossy-quality sets JPEG baseline's quality; out of 1..100 is Orthanc's 400", async () => {
    const id = ids.get("explicit RGB")!;
    const size = async (quality: number) => {
      const res = await fetch(
        `${pharos.url}/instances/${id}/file?transcode=1.2.840.10008.1.2.4.50&lossy-quality=${quality}`,
      );
      expect(res.status).toBe(200);
      return (await res.arrayBuffer()).byteLength;
    };
    expect(await size(10)).toBeLessThan(await size(95));
    const bad = await fetch(
      `${pharos.url}/instances/${id}/file?transcode=1.2.840.10008.1.2.4.50&lossy-quality=0`,
    );
    expect(bad.status).toBe(400);
  });
  test("C-STORE to a peer that accepts only uncompressed syntaxes: decompressed, same pixels", async () => {
    const scp = await startStoreScp("SCP");
    try {
      const modality = { AET: "SCP", Host: "127.0.0.1", Port: scp.port };
      await fetch(`${pharos.url}/modalities/scp`, {
        method: "PUT",
        body: JSON.stringify(modality),
      });
      const sent = ["JPEG-LS CT", "JPEG 2000 lossy CT"].map((name) => ids.get(name)!);
      const store = await (await fetch(`${pharos.url}/modalities/scp/store`, {
        method: "POST",
        body: JSON.stringify({ Resources: sent }),
      })).json();
      expect(store).toMatchObject({ InstancesCount: 2, FailedInstancesCount: 0 });
      const before = await Promise.all(sent.map(numpy));
      for (const id of sent) await fetch(`${pharos.url}/instances/${id}`, { method: "DELETE" });
      const after: Uint8Array[] = [];
      for (const file of scp.files()) {
        const body = readFileSync(file);
        const dump = await dcmtk(["dcmdump", "-M", file]);
        expect(dump.out).toContain("=LittleEndian");
        const res = await fetch(`${pharos.url}/instances`, { method: "POST", body });
        after.push(await numpy(((await res.json()) as { ID: string }).ID));
      }
      const key = (a: Uint8Array) => `${a.length}:${Bun.hash(a)}`;
      expect(after.map(key).sort()).toEqual(before.map(key).sort());
    } finally {
      await scp.stop();
    }
  });
  test("16-bit gray cannot become JPEG baseline: Orthanc's error", async () => {
    const res = await fetch(
      `${pharos.url}/instances/${ids.get("native MR")}/file?transcode=1.2.840.10008.1.2.4.50`,
    );
    expect(res.status).toBe(500);
  });
});
