// Bad DICOMweb input: malformed multipart bodies, a wrong boundary, STOW of what is not DICOM,
// unknown UIDs and bad query parameters get a status and a body, never a crash or a hang, and
// what is stored is left as it was.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";

const DUMMY = "DummyCT.dcm";
const STUDY = "1.2.840.113619.2.176.2025.1499492.7391.1171285944.390";
const SERIES = "1.2.840.113619.2.176.2025.1499492.7391.1171285944.394";
const INSTANCE = "1.2.840.113619.2.176.2025.1499492.7040.1171286242.109";
const PATH = `/studies/${STUDY}/series/${SERIES}/instances/${INSTANCE}`;
const STOW_TYPE = (boundary: string) =>
  `multipart/related; type="application/dicom"; boundary=${boundary}`;

function multipart(boundary: string, parts: Uint8Array[], close = true): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), part);
    chunks.push(Buffer.from("\r\n"));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

describe("bad DICOMweb input", () => {
  let server: InProcessServer;
  const dummy = readFileSync(join(samplesDir, DUMMY));
  let storedMd5: string;

  const web = (path: string, init?: RequestInit) => fetch(`${server.url}/dicom-web${path}`, init);
  const stow = (body: Uint8Array, type = STOW_TYPE("B")) =>
    web("/studies", { method: "POST", headers: { "Content-Type": type }, body });
  const statistics = async () =>
    await (await fetch(`${server.url}/statistics`)).json() as { CountInstances: number };

  beforeAll(async () => {
    server = await startInProcess();
    const stored = await (await fetch(`${server.url}/instances`, { method: "POST", body: dummy }))
      .json() as { ID: string };
    storedMd5 = new Bun.CryptoHasher("md5").update(
      new Uint8Array(
        await (await fetch(`${server.url}/instances/${stored.ID}/file`)).arrayBuffer(),
      ),
    ).digest("hex");
  });

  afterAll(async () => {
    await server?.stop();
  });

  test("a body cut in the middle of a part is a 400 and stores nothing", async () => {
    const body = multipart("B", [dummy], false).subarray(0, 2000);
    const response = await stow(body);
    expect(response.status).toBe(400);
    expect((await response.json()).HttpStatus).toBe(400);
    expect((await statistics()).CountInstances).toBe(1);
  });

  test("a part without the end of its header is a 400", async () => {
    const response = await stow(Buffer.from("--B\r\nContent-Type: application/dicom"));
    expect(response.status).toBe(400);
  });

  test("a body without its boundary stores nothing and says so", async () => {
    const response = await stow(multipart("OTHER", [dummy]));
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer["00081199"]).toEqual({ vr: "SQ" });
    expect(answer["00081198"]).toEqual({ vr: "SQ" });
  });

  test("STOW of non-DICOM data is a 400; the DICOM parts beside it are stored", async () => {
    const other = readFileSync(join(samplesDir, "Brainix/Flair/IM-0001-0001.dcm"));
    const response = await stow(multipart("B", [Buffer.from("not DICOM at all"), other]));
    expect(response.status).toBe(400);
    const answer = await response.json();
    expect(answer["00081199"].Value).toHaveLength(1);
    expect((await statistics()).CountInstances).toBe(2);
  });

  test("a STOW body that is not multipart/related is a 415", async () => {
    const response = await stow(dummy, "application/dicom");
    expect(response.status).toBe(415);
    expect((await response.json()).HttpStatus).toBe(415);
    const noType = await stow(multipart("B", [dummy]), "multipart/related; boundary=B");
    expect(noType.status).toBe(415);
  });

  test("STOW into another study is a 409 that names the refused instance", async () => {
    const response = await web("/studies/1.2.3", {
      method: "POST",
      headers: { "Content-Type": STOW_TYPE("B") },
      body: multipart("B", [dummy]),
    });
    expect(response.status).toBe(409);
    const failed = (await response.json())["00081198"].Value[0];
    expect(failed["00081155"].Value).toEqual([INSTANCE]);
    expect(failed["00081197"].Value).toEqual([0x0110]);
  });

  test("unknown UIDs are 404 at every WADO-RS resource", async () => {
    for (
      const path of [
        "/studies/1.2.3",
        "/studies/1.2.3/metadata",
        `/studies/${STUDY}/series/1.2.3`,
        `/studies/${STUDY}/series/1.2.3/metadata`,
        `/studies/${STUDY}/series/${SERIES}/instances/1.2.3`,
        `/studies/${STUDY}/series/${SERIES}/instances/1.2.3/frames/1`,
        `/studies/${STUDY}/series/${SERIES}/instances/1.2.3/bulk/7fe00010`,
        `/studies/1.2.3/series/${SERIES}/instances/${INSTANCE}/rendered`,
        `${PATH}/bulk/00100010/1/00100010`,
        `${PATH}/bulk/nothex`,
      ]
    ) {
      const response = await web(path);
      expect([path, response.status]).toEqual([path, 404]);
    }
  });

  test("bad frame numbers and bad query parameters are 400s", async () => {
    for (
      const path of [
        `${PATH}/frames/0`,
        `${PATH}/frames/x`,
        `${PATH}/frames/1,,2`,
        `${PATH}/frames/99`,
        "/studies?limit=abc",
        "/studies?offset=-1",
        "/studies?NoSuchAttribute=1",
        "/studies?includefield=NoSuchAttribute",
        "/studies?StudyDate=*2020",
      ]
    ) {
      const response = await web(path);
      expect([path, response.status]).toEqual([path, 400]);
    }
  });

  test("after all of it, the stored file is unchanged", async () => {
    const [id] = await (await fetch(`${server.url}/tools/lookup`, {
      method: "POST",
      body: INSTANCE,
    })).json() as { ID: string }[];
    const bytes = await (await fetch(`${server.url}/instances/${id!.ID}/file`)).arrayBuffer();
    expect(new Bun.CryptoHasher("md5").update(new Uint8Array(bytes)).digest("hex")).toBe(
      storedMd5,
    );
    expect(Buffer.from(bytes)).toEqual(dummy);
  });
});
