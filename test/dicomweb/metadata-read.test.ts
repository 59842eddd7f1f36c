// WADO-RS metadata computed from files read only up to their pixel data, and on the metadata
// workers, is the metadata of the whole files: every transfer syntax, encapsulated pixel data,
// an element after the pixel data (which needs the whole file).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDicom } from "../../src/dicom/parser.ts";
import { pixelDataOffset } from "../../src/dicom/pixel-data-offset.ts";
import { headerCut } from "../../src/dicomweb/header-cut.ts";
import { metadataOf } from "../../src/dicomweb/metadata-json.ts";
import { warmUp } from "../../src/dicomweb/metadata-warm-up.ts";
import { type MetadataWorker, MetadataWorkers } from "../../src/dicomweb/metadata-workers.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";

const syntaxes = join(samplesDir, "TransferSyntaxes");
const FILES = [
  ...readdirSync(syntaxes).filter((name) => name.endsWith(".dcm")).map((name) =>
    join(syntaxes, name)
  ),
  join(samplesDir, "LenaTwiceWithFragments.dcm"),
  join(samplesDir, "MultiframeWindowing.dcm"),
  join(samplesDir, "Brainix/Flair/IM-0001-0001.dcm"),
];

const BRAINIX_STUDY = "2.16.840.1.113669.632.20.1211.10000357775";
const FLAIR_SERIES = "1.3.46.670589.11.0.0.11.4.2.0.8743.5.5396.2006120114285654497";
const TRAILING_SOP = "1.3.46.670589.11.0.0.11.4.2.0.8743.5.5396.2006120114302945538";

/** Brainix Flair's second image with a private element (7FE1,0010) written after its pixels. */
function withTrailingElement(): Uint8Array {
  const file = readFileSync(join(samplesDir, "Brainix/Flair/IM-0001-0002.dcm"));
  const element = Buffer.from([0xe1, 0x7f, 0x10, 0x00, 0x4c, 0x4f, 0x06, 0x00]);
  return new Uint8Array(Buffer.concat([file, element, Buffer.from("PHAROS")]));
}

describe("metadata from files read up to their pixel data", () => {
  /** Reads whole files (a compressed storage area), and reads them cut. */
  let whole: InProcessServer;
  let cut: InProcessServer;

  beforeAll(async () => {
    whole = await startInProcess({ config: { StorageCompression: true } });
    cut = await startInProcess();
    for (const server of [whole, cut]) {
      for (const body of [...FILES.map((f) => readFileSync(f)), withTrailingElement()]) {
        const res = await fetch(`${server.url}/instances`, { method: "POST", body });
        expect(res.status).toBe(200);
      }
    }
  });

  afterAll(async () => {
    await whole?.stop();
    await cut?.stop();
  });

  const studies = async (server: InProcessServer) =>
    (await (await fetch(`${server.url}/dicom-web/studies`)).json() as {
      "0020000D": { Value: string[] };
    }[]).map((s) => s["0020000D"].Value[0]!).sort();

  test("is the metadata of the whole files, study by study", async () => {
    const uids = await studies(cut);
    expect(uids).toEqual(await studies(whole));
    expect(uids.length).toBeGreaterThan(3);
    for (const uid of uids) {
      const answer = async (server: InProcessServer) => {
        const res = await fetch(`${server.url}/dicom-web/studies/${uid}/metadata`, {
          headers: { Host: "viewer.example" },
        });
        expect(res.status).toBe(200);
        return await res.text();
      };
      expect(await answer(cut)).toBe(await answer(whole));
    }
  });

  test("an element after the pixel data is there", async () => {
    const [metadata] = await (await fetch(
      `${cut.url}/dicom-web/studies/${BRAINIX_STUDY}/series/${FLAIR_SERIES}/instances/${TRAILING_SOP}/metadata`,
    )).json() as Record<string, { Value?: unknown[] }>[];
    expect(metadata!["7FE10010"]?.Value).toEqual(["PHAROS"]);
    expect(metadata!["7FE00010"]).toBeDefined();
  });
});

async function startedWorker(): Promise<MetadataWorker> {
  const workers = new MetadataWorkers(1);
  workers.start();
  const deadline = Date.now() + 20_000;
  let [worker] = workers.claim();
  while (!worker) {
    if (Date.now() > deadline) throw new Error("the metadata worker never started");
    await Bun.sleep(20);
    [worker] = workers.claim();
  }
  return worker;
}

const url = "http://viewer.example/dicom-web/studies/1/series/2/instances/3";

test("a metadata worker answers what the server's thread computes", async () => {
  const worker = await startedWorker();
  const items = FILES.map((f) => ({ bytes: new Uint8Array(readFileSync(f)), url }));
  const expected = items.map((item) => metadataOf(item, "Latin1", url) ?? null);
  const texts = await worker.run("Latin1", items);
  expect(texts).toEqual(expected);
  expect(texts.filter((t) => t !== null).length).toBe(FILES.length);
  // Not a DICOM file: the server's thread computes it again, for the usual error.
  expect(await worker.run("Latin1", [{ bytes: new Uint8Array([1, 2, 3]), url }])).toEqual([null]);
});

test("a metadata worker reads a file itself, up to its pixel data when that ends the file", async () => {
  const worker = await startedWorker();
  const dir = mkdtempSync(join(tmpdir(), "metadata-read-"));
  try {
    const files = [readFileSync(FILES.at(-1)!), withTrailingElement()].map((bytes, i) => {
      const path = join(dir, `${i}.dcm`);
      writeFileSync(path, bytes);
      const { transferSyntax } = parseDicom(bytes);
      const cut = headerCut(bytes.length, String(pixelDataOffset(bytes)), transferSyntax)!;
      return { path, cut, bytes: new Uint8Array(bytes) };
    });
    const texts = await worker.run("Latin1", files.map(({ path, cut }) => ({ url, path, cut })));
    expect(texts[0]).toBe(metadataOf({ bytes: files[0]!.bytes }, "Latin1", url)!);
    // An element after the pixel data: the server's thread reads the whole file.
    expect(texts[1]).toBeNull();
    // A file gone: the server's thread answers the error.
    const gone = { url, path: join(dir, "gone.dcm"), cut: files[0]!.cut };
    expect(await worker.run("Latin1", [gone])).toEqual([null]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a worker's warm-up runs the whole path, its synthetic instance cut at its pixel data", () => {
  expect(warmUp()).toBe(true);
});
