// IngestTranscoding: received instances are stored in the configured syntax (here JPEG-LS
// lossless, with the same pixels), compressed ones only with IngestTranscodingOfCompressed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDicom } from "../../src/dicom/parser.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";

const JPEG_LS = "1.2.840.10008.1.2.4.80";
const NATIVE = "Brainix/Epi/IM-0001-0001.dcm";
const J2K = "TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm";

let pharos: InProcessServer;
let reference: InProcessServer;

beforeAll(async () => {
  pharos = await startInProcess({
    config: { IngestTranscoding: JPEG_LS, IngestTranscodingOfCompressed: false },
  });
  reference = await startInProcess();
});
afterAll(async () => {
  await pharos?.stop();
  await reference?.stop();
});

async function store(server: InProcessServer, file: string) {
  const res = await fetch(`${server.url}/instances`, {
    method: "POST",
    body: readFileSync(join(samplesDir, file)),
  });
  const { ID } = (await res.json()) as { ID: string };
  const stored = new Uint8Array(
    await (await fetch(`${server.url}/instances/${ID}/file`)).arrayBuffer(),
  );
  const numpy = await (await fetch(`${server.url}/instances/${ID}/numpy?rescale=false`))
    .arrayBuffer();
  return { syntax: parseDicom(stored).transferSyntax, numpy: new Uint8Array(numpy) };
}

describe("IngestTranscoding", () => {
  test("an uncompressed instance is stored in JPEG-LS, with the same pixels", async () => {
    const [ingested, original] = [await store(pharos, NATIVE), await store(reference, NATIVE)];
    expect(ingested.syntax).toBe(JPEG_LS);
    expect(original.syntax).not.toBe(JPEG_LS);
    expect(ingested.numpy).toEqual(original.numpy);
  });
  test("a compressed instance is kept as received when IngestTranscodingOfCompressed is false", async () => {
    expect((await store(pharos, J2K)).syntax).toBe("1.2.840.10008.1.2.4.90");
  });
});
