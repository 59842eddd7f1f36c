// What /tools/create-dicom does beyond Orthanc 1.10.1, after the 1.12 documentation: with
// Encapsulate, a baseline JPEG is kept as it is, in the JPEG Baseline transfer syntax, and DCMTK
// decompresses it to the pixels the decoder gives; /pdf looks at the document's MIME type.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { elementBytes, findElement, parseDicom } from "../../src/dicom/parser.ts";
import { Tags } from "../../src/dicom/tag.ts";
import { TransferSyntax } from "../../src/dicom/uids.ts";
import { decodeJpeg } from "../../src/imaging/jpeg-decode.ts";
import { encodeJpeg } from "../../src/imaging/jpeg.ts";
import { dcmtk } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";

let server: InProcessServer;
let work: string;

beforeAll(async () => {
  server = await startInProcess();
  work = mkdtempSync(join(tmpdir(), "pharos-create-"));
});

afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

const create = async (body: object) => {
  const r = await fetch(`${server.url}/tools/create-dicom`, {
    method: "POST",
    body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, string> };
};
const fileOf = async (id: string) =>
  new Uint8Array(await (await fetch(`${server.url}/instances/${id}/file`)).arrayBuffer());
const uri = (mime: string, bytes: Uint8Array) =>
  `data:${mime};base64,${Buffer.from(bytes).toString("base64")}`;

describe("Encapsulate", () => {
  const pixels = Uint8Array.from({ length: 16 * 8 * 3 }, (_, i) => (i * 5) & 255);
  const jpeg = encodeJpeg({ format: "RGB24", width: 16, height: 8, pixels });

  test("keeps a baseline JPEG as one fragment that DCMTK decompresses", async () => {
    const { status, json } = await create({
      Tags: { PatientName: "Kept" },
      Content: uri("image/jpeg", jpeg),
      Encapsulate: true,
    });
    expect(status).toBe(200);
    const file = await fileOf(json.ID!);
    const parsed = parseDicom(file);
    expect(parsed.transferSyntax).toBe(TransferSyntax.JpegBaseline);
    const fragments = findElement(parsed.dataset, Tags.PixelData)!.fragments!;
    expect(fragments.map((f) => f.length)).toEqual([0, jpeg.length + (jpeg.length % 2)]);
    const frame = file.subarray(fragments[1]!.offset, fragments[1]!.offset + jpeg.length);
    expect(frame).toEqual(jpeg);
    const photometric = findElement(parsed.dataset, 0x00280004)!;
    expect(new TextDecoder().decode(elementBytes(parsed.dataset, photometric)).trim())
      .toBe("YBR_FULL");

    const source = join(work, "kept.dcm");
    const target = join(work, "decompressed.dcm");
    writeFileSync(source, file);
    expect((await dcmtk(["dcmdjpeg", source, target])).code).toBe(0);
    const decompressed = parseDicom(new Uint8Array(readFileSync(target)));
    const native = findElement(decompressed.dataset, Tags.PixelData)!;
    expect(elementBytes(decompressed.dataset, native)).toEqual(
      decodeJpeg(jpeg).pixels as Uint8Array,
    );
  });

  test("refuses what is not a baseline JPEG; without it, the JPEG is decoded", async () => {
    const progressive = Uint8Array.of(0xff, 0xd8, 0xff, 0xc2, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0);
    const refused = await create({
      Tags: {},
      Content: uri("image/jpeg", progressive),
      Encapsulate: true,
    });
    expect(refused.status).toBe(500);
    expect(refused.json.OrthancError).toBe("Not implemented yet");
    const decoded = await create({ Tags: {}, Content: uri("image/jpeg", jpeg) });
    const parsed = parseDicom(await fileOf(decoded.json.ID!));
    expect(parsed.transferSyntax).toBe(TransferSyntax.ExplicitVrLittleEndian);
  });
});

test("/pdf answers an encapsulated document whose MIME type is PDF's", async () => {
  const pdf = new Uint8Array(readFileSync(join(samplesDir, "HelloWorld.pdf")));
  const { json } = await create({ Tags: {}, Content: uri("application/pdf", pdf) });
  const r = await fetch(`${server.url}/instances/${json.ID}/pdf`);
  expect(r.headers.get("content-type")).toBe("application/pdf");
  expect(new Uint8Array(await r.arrayBuffer())).toEqual(pdf);
  // A document of another MIME type is not one.
  const other = await create({
    Tags: { MIMETypeOfEncapsulatedDocument: "text/plain", EncapsulatedDocument: "abc" },
  });
  expect((await fetch(`${server.url}/instances/${other.json.ID}/pdf`)).status).toBe(404);
});
