// Hostile uploads, generated here: each gets Orthanc's status and error, the server stays up, and
// nothing is stored that should not be. Memory is checked as the server's peak resident size
// (VmHWM), so the server runs in a process of its own. The hostile files Orthanc 1.10.1 survives
// are also compared with its answers in the golden scenario hostile-files.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { deflateRawSync, gzipSync } from "node:zlib";
import { deeplyNested, deflatedZeroRun } from "../support/hostile-dicom.ts";
import { makeZip } from "../support/zip.ts";
import { type RunningServer, samplesDir, startPharos } from "../support/server.ts";

let server: RunningServer;
beforeAll(async () => {
  server = await startPharos();
});
afterAll(async () => {
  await server?.stop();
});

const sample = (name: string) => new Uint8Array(readFileSync(`${samplesDir}/${name}`));
const FIRST = sample("Brainix/Flair/IM-0001-0001.dcm");
const SECOND = sample("Brainix/Flair/IM-0001-0002.dcm");
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
function signatureAt(b: Uint8Array, signature: number, from = 0): number {
  for (let i = from; i + 4 <= b.length; i++) if (view(b).getUint32(i, true) === signature) return i;
  throw new Error("no such signature");
}
const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;

/** A ZIP with one deflated entry whose content is `size` zero bytes. */
function zeroBomb(size: number): Uint8Array {
  const zeros = new Uint8Array(size);
  const zip = makeZip([{ name: "zeros.dcm", data: new Uint8Array(deflateRawSync(zeros)) }]);
  const central = signatureAt(zip, CENTRAL);
  for (const [at, shift] of [[0, 0], [central, 2]] as const) {
    view(zip).setUint16(at + 8 + shift, 8, true); // deflated
    view(zip).setUint32(at + 14 + shift, Bun.hash.crc32(zeros), true);
    view(zip).setUint32(at + 22 + shift, size, true);
  }
  return zip;
}

async function statistics(): Promise<{ CountInstances: number }> {
  return await (await fetch(`${server.url}/statistics`)).json();
}

async function upload(
  body: Uint8Array,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/instances`, { method: "POST", body });
  return { status: res.status, body: await res.json() };
}

/** The server's peak resident memory so far, in MiB. */
function peakMiB(): number {
  const status = readFileSync(`/proc/${server.process.pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

test("a ZIP of 64 MiB of zeros in 64 KiB is skipped without being inflated", async () => {
  const before = await statistics();
  const answer = await upload(zeroBomb(64 * 1024 * 1024));
  expect(answer).toEqual({ status: 200, body: [] as unknown as Record<string, unknown> });
  expect(await statistics()).toEqual(before);
  // It used to take the server past 1 GiB; Orthanc 1.10.1 stays under 100 MiB.
  expect(peakMiB()).toBeLessThan(300);
});

const entryError = {
  status: 400,
  body: expect.objectContaining({
    Details: "Invalid file or unsupported compression method (e.g. Deflate64)",
    OrthancStatus: 15,
  }),
};

test("a local header offset out of the archive is Orthanc's 400", async () => {
  const zip = makeZip([{ name: "a.dcm", data: FIRST }]);
  view(zip).setUint32(signatureAt(zip, CENTRAL) + 42, 0x7fffffff, true);
  const before = await statistics();
  expect(await upload(zip)).toEqual(entryError);
  expect(await statistics()).toEqual(before);
});

test("an unsupported compression method (bzip2) is Orthanc's 400", async () => {
  const zip = makeZip([{ name: "a.dcm", data: FIRST }]);
  view(zip).setUint16(8, 12, true);
  view(zip).setUint16(signatureAt(zip, CENTRAL) + 10, 12, true);
  const before = await statistics();
  expect(await upload(zip)).toEqual(entryError);
  expect(await statistics()).toEqual(before);
});

test("a ZIP64 end record out of the archive is Orthanc's 400", async () => {
  const zip = makeZip([{ name: "a.dcm", data: FIRST }]);
  const end = signatureAt(zip, END);
  view(zip).setUint32(end + 16, 0xffffffff, true);
  const locator = new Uint8Array(20);
  view(locator).setUint32(0, 0x07064b50, true);
  view(locator).setBigUint64(8, 0x7fffffffn, true);
  const hostile = new Uint8Array([...zip.subarray(0, end), ...locator, ...zip.subarray(end)]);
  expect(await upload(hostile)).toEqual({
    status: 400,
    body: expect.objectContaining({ Details: "Cannot open ZIP archive from memory buffer" }),
  });
});

test("a bad second local header: the first entry stays stored, the answer is Orthanc's 400", async () => {
  const zip = makeZip([{ name: "a.dcm", data: FIRST }, { name: "b.dcm", data: SECOND }]);
  view(zip).setUint32(signatureAt(zip, LOCAL, 4), 0x12345678, true);
  const before = await statistics();
  expect(await upload(zip)).toEqual(entryError);
  expect((await statistics()).CountInstances).toBe(before.CountInstances + 1);
  expect((await fetch(`${server.url}/system`)).status).toBe(200);
});

test("20,000 nested sequences are Orthanc's 400 Bad file format, not a stack overflow", async () => {
  // Orthanc 1.10.1 itself crashes on this file.
  const before = await statistics();
  const answer = await upload(deeplyNested(20_000).bytes);
  expect(answer.status).toBe(400);
  expect(answer.body.Message).toBe("Bad file format");
  expect(await statistics()).toEqual(before);
  expect((await fetch(`${server.url}/system`)).status).toBe(200);
});

test("a deflated file holding 64 MiB of zeros after its dataset is stored in bounded memory", async () => {
  const hostile = deflatedZeroRun(64 * 1024 * 1024);
  expect(hostile.bytes.length).toBeLessThan(128 * 1024);
  const answer = await upload(hostile.bytes);
  // The ID Orthanc 1.10.1 gives it (it stores the file, the zeros read as one (0000,0000)).
  expect(answer).toMatchObject({
    status: 200,
    body: { ID: "8231fd13-9e144923-24c4f700-7cfbb967-c6dc29f9" },
  });
  // Millions of (0000,0000) elements are read past, not kept: the inflated 64 MiB is all it costs.
  expect(peakMiB()).toBeLessThan(300);
});

test("a gzip-encoded body of 1 GiB of zeros is refused without being inflated", async () => {
  const body = new Uint8Array(gzipSync(new Uint8Array(1 << 30), { level: 9 }));
  expect(body.length).toBeLessThan(1_100_000);
  const before = await statistics();
  const res = await fetch(`${server.url}/instances`, {
    method: "POST",
    body,
    headers: { "Content-Encoding": "gzip" },
  });
  expect(res.status).toBe(400);
  expect((await res.json()).Details).toBe(
    `Cannot parse an invalid DICOM file (size: ${1 << 30} bytes)`,
  );
  expect(await statistics()).toEqual(before);
  expect(peakMiB()).toBeLessThan(300);
});
