// The image routes of instances, with Orthanc 1.10.1 as the oracle (same files, same requests:
// statuses, PNG pixels, numpy and raw bytes), and the plugins' decode-image and transcoder
// callbacks (test/plugins/imaging.ts decompresses with DCMTK), tried before the built-in codecs:
// JPEG frames decoded by a plugin, a throwing decoder isolated, /file?transcode=, and C-STORE sends transcoded for a peer that
// accepts uncompressed syntaxes only (storescp's default).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  dcmtk,
  hasOrthanc,
  type RunningOrthanc,
  startOrthanc,
  startStoreScp,
} from "../support/dimse.ts";
import { parseDicom } from "../../src/dicom/parser.ts";
import { TransferSyntax, UNCOMPRESSED_TRANSFER_SYNTAXES } from "../../src/dicom/uids.ts";
import { pngPixels, zipMembers } from "../support/canonical.ts";
import { decodePng } from "../support/png.ts";
import {
  freePort,
  type RunningServer,
  sampleFiles,
  samplesDir,
  startPharos,
  upload,
} from "../support/server.ts";
import { syntheticSamples } from "../support/synthetic-images.ts";

const PLUGIN = resolve(import.meta.dir, "../plugins/imaging.ts");

/** Files Pharos decodes itself (native, RLE, JPEG-LS), or through the plugin first (JPEG). */
const FILES = {
  implicitGray: "TransferSyntaxes/1.2.840.10008.1.2.dcm",
  implicitRgb: "ColorTestMalaterre.dcm",
  explicitGray: "Brainix/Epi/IM-0001-0022.dcm",
  explicitGray8: "Encodings/DavidClunie/SCSGREEK",
  multiframe: "MultiframeWindowing.dcm",
  bigEndianRgb: "TransferSyntaxes/1.2.840.10008.1.2.2.dcm",
  deflated: "TransferSyntaxes/1.2.840.10008.1.2.1.99.dcm",
  explicitRgb: "TransferSyntaxes/1.2.840.10008.1.2.1.dcm",
  rle: "Formats/Rle.dcm",
  rleSigned: "TransferSyntaxes/1.2.840.10008.1.2.5.dcm",
  noPixelData: "Issue22-NoPixelData.dcm",
  noImage: "MarekLatin2.dcm",
  jpeg: "Formats/Jpeg.dcm",
  jpegLs: "TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm",
} as const;
type Name = keyof typeof FILES;

const ROUTES = [
  "frames",
  "frames/0/preview",
  "frames/0/image-uint8",
  "frames/0/image-uint16",
  "frames/0/image-int16",
  "frames/0/numpy",
  "frames/0/numpy?rescale=false",
  "numpy",
  "numpy?rescale=0",
  "frames/0/raw",
  "frames/0/raw.gz",
  "frames/3/preview",
  "frames/3/numpy",
  "frames/3/raw",
  "frames/x/preview",
  "preview",
  "image-uint16",
];

let pharos: RunningServer;
let orthanc: RunningOrthanc | undefined;
let stderr: Promise<string>;
let dicomPort: number;
const ids = {} as Record<Name, string>;

beforeAll(async () => {
  dicomPort = freePort();
  pharos = await startPharos({
    config: {
      Plugins: [PLUGIN],
      DicomPort: dicomPort,
      DicomAet: "PHAROS",
      DicomAlwaysAllowMove: true,
    },
  });
  stderr = new Response(pharos.process.stderr as ReadableStream).text();
  if (hasOrthanc) orthanc = await startOrthanc("IMAGES");
  for (const [name, file] of Object.entries(FILES)) {
    const res = await upload(pharos.url, join(samplesDir, file));
    ids[name as Name] = (await res.json()).ID;
    if (orthanc) expect((await upload(orthanc.url, join(samplesDir, file))).status).toBe(200);
  }
}, 60_000);
afterAll(async () => {
  await pharos?.stop();
  await orthanc?.stop();
});

const get = (base: string, path: string, init?: RequestInit) => fetch(`${base}${path}`, init);

describe.skipIf(!hasOrthanc)("image routes against Orthanc 1.10.1", () => {
  for (const name of Object.keys(FILES) as Name[]) {
    test(name, async () => {
      for (const route of ROUTES) {
        const path = `/instances/${ids[name]}/${route}`;
        const [a, b] = await Promise.all([get(orthanc!.url, path), get(pharos.url, path)]);
        const what = `${name} ${route}`;
        expect(`${what} ${b.status}`).toBe(`${what} ${a.status}`);
        if (a.status !== 200) continue;
        const [ab, bb] = [
          new Uint8Array(await a.arrayBuffer()),
          new Uint8Array(await b.arrayBuffer()),
        ];
        const type = a.headers.get("content-type") ?? "";
        expect(`${what} ${b.headers.get("content-type")}`).toBe(`${what} ${type}`);
        if (type === "image/png") {
          const [pa, pb] = [decodePng(ab), decodePng(bb)];
          expect({ ...pb, samples: undefined }).toEqual({ ...pa, samples: undefined });
          expect(`${what} ${pb.samples.every((v, i) => v === pa.samples[i])}`).toBe(`${what} true`);
        } else if (type.startsWith("application/json")) {
          expect(JSON.parse(new TextDecoder().decode(bb))).toEqual(
            JSON.parse(new TextDecoder().decode(ab)),
          );
        } else if (route.endsWith("raw.gz")) {
          expect(Bun.gunzipSync(bb)).toEqual(Bun.gunzipSync(ab));
        } else expect(`${what} ${Buffer.from(bb).equals(Buffer.from(ab))}`).toBe(`${what} true`);
      }
    }, 30_000);
  }
});

/** Routes whose answers are pixels, compared by content. */
const PIXEL_ROUTES = [
  "preview",
  "image-uint8",
  "image-uint16",
  "image-int16",
  "numpy",
  "numpy?rescale=false",
  "numpy?compress",
];

/** An answer as what must match: status, content type, then pixels or bytes. */
async function content(res: Response): Promise<string> {
  const body = new Uint8Array(await res.arrayBuffer());
  const type = res.headers.get("content-type") ?? "";
  const view = res.status !== 200
    ? new Uint8Array()
    : type === "image/png"
    ? pngPixels(body)
    : body[0] === 0x50 && body[1] === 0x4b
    ? zipMembers(body)
    : body;
  const digest = new Bun.CryptoHasher("sha1").update(view).digest("hex");
  return `${res.status} ${res.status === 200 ? type : ""} ${digest}`;
}

/** Every sample whose pixels Pharos decodes itself (native syntaxes and RLE), and Orthanc too. */
async function decodableSamples(): Promise<string[]> {
  const out: string[] = [];
  for (const file of await sampleFiles()) {
    try {
      const { transferSyntax } = parseDicom(new Uint8Array(readFileSync(file)));
      if (
        UNCOMPRESSED_TRANSFER_SYNTAXES.has(transferSyntax) ||
        transferSyntax === TransferSyntax.RleLossless
      ) out.push(file);
    } catch {
      // not DICOM (DICOMDIR is, and has no image: it is kept)
    }
  }
  return out;
}

describe.skipIf(!hasOrthanc)("decoded pixels against Orthanc 1.10.1", () => {
  const compare = async (id: string, what: string) => {
    for (const route of PIXEL_ROUTES) {
      const path = `/instances/${id}/${route}`;
      const [a, b] = await Promise.all([get(orthanc!.url, path), get(pharos.url, path)]);
      expect(`${what} ${route} ${await content(b)}`).toBe(`${what} ${route} ${await content(a)}`);
    }
  };

  test("every sample Pharos decodes", async () => {
    const files = await decodableSamples();
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const [a, b] = await Promise.all([upload(orthanc!.url, file), upload(pharos.url, file)]);
      const [ja, jb] = [await a.json(), await b.json()];
      expect(jb.ID).toBe(ja.ID);
      await compare(ja.ID, file.slice(samplesDir.length + 1));
    }
  }, 120_000);

  test(
    "synthetic layouts: YBR, palettes, RLE color, MONOCHROME1, DICOM SEG, Elscint…",
    async () => {
      for (const [name, bytes] of Object.entries(syntheticSamples())) {
        if (name === "rle-offset-table") continue; // DCMTK misreads segments split by fragments
        const send = (url: string) => fetch(`${url}/instances`, { method: "POST", body: bytes });
        const [a, b] = await Promise.all([send(orthanc!.url), send(pharos.url)]);
        const id = (await a.json()).ID;
        expect((await b.json()).ID).toBe(id);
        await compare(id, name);
        for (const frame of [1, 2]) {
          const path = `/instances/${id}/frames/${frame}/preview`;
          const [fa, fb] = await Promise.all([get(orthanc!.url, path), get(pharos.url, path)]);
          expect(`${name} ${frame} ${await content(fb)}`).toBe(
            `${name} ${frame} ${await content(fa)}`,
          );
        }
      }
    },
    60_000,
  );
});

/** Content negotiation: [route, Accept]. PAM answers are compared byte for byte. */
const ACCEPTS: [string, string][] = [
  ["frames/0/preview", "image/jpeg"],
  ["frames/0/preview", "image/png;q=0.5, image/jpeg"],
  ["frames/0/preview", "image/gif, image/jpeg"],
  ["frames/0/preview", "text/html"],
  ["frames/0/preview?quality=500", "image/jpeg"],
  ["frames/0/preview", "image/x-portable-arbitrarymap"],
  ["frames/0/image-uint8", "image/jpeg"],
  ["frames/0/image-uint8", "image/x-portable-arbitrarymap"],
  ["frames/0/image-uint16", "image/jpeg"],
  ["frames/0/image-uint16", "image/x-portable-arbitrarymap"],
  ["frames/0/image-int16", "image/x-portable-arbitrarymap"],
];

describe.skipIf(!hasOrthanc)("Accept and formats against Orthanc 1.10.1", () => {
  for (const name of ["explicitGray", "explicitGray8", "explicitRgb", "rle"] as const) {
    test(name, async () => {
      for (const [route, accept] of ACCEPTS) {
        const path = `/instances/${ids[name]}/${route}`;
        const init = { headers: { Accept: accept } };
        const [a, b] = await Promise.all([
          get(orthanc!.url, path, init),
          get(pharos.url, path, init),
        ]);
        const what = `${name} ${route} [${accept}]`;
        expect(`${what} ${b.status} ${b.headers.get("content-type")}`)
          .toBe(`${what} ${a.status} ${a.headers.get("content-type")}`);
        const [ab, bb] = [Buffer.from(await a.arrayBuffer()), Buffer.from(await b.arrayBuffer())];
        if (a.headers.get("content-type") === "image/x-portable-arbitrarymap") {
          expect(`${what} ${bb.equals(ab)}`).toBe(`${what} true`);
        } else if (a.headers.get("content-type") === "image/jpeg") {
          expect([...bb.subarray(0, 2), ...bb.subarray(-2)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
        }
      }
    }, 30_000);
  }
});

describe("image routes", () => {
  test("frames list and the routes of a frame", async () => {
    expect(await (await get(pharos.url, `/instances/${ids.multiframe}/frames`)).json())
      .toEqual([0, 1, 2, 3]);
    const routes = await (await get(pharos.url, `/instances/${ids.multiframe}/frames/1`)).json();
    expect(routes).toContain("preview");
    expect(routes).toContain("numpy");
    // As in Orthanc, the listing looks at neither the instance nor the frame.
    for (const path of [`/instances/${ids.multiframe}/frames/9`, "/instances/nothing/frames/x"]) {
      const res = await get(pharos.url, path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(routes);
    }
  });

  test("multi-frame: each frame is its own, rescaled per frame in numpy", async () => {
    const npy = async (frame: number, query = "") => {
      const path = `/instances/${ids.multiframe}/frames/${frame}/numpy${query}`;
      const bytes = new Uint8Array(await (await get(pharos.url, path)).arrayBuffer());
      const headerLength = bytes[8]! | (bytes[9]! << 8);
      const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
      return { header, data: bytes.slice(10 + headerLength).buffer };
    };
    const raw = await npy(1, "?rescale=false");
    expect(raw.header).toContain("'descr': '<u2'");
    expect([...new Uint16Array(raw.data)]).toEqual([0, 16, 32, 48]);
    const rescaled = await npy(1);
    expect(rescaled.header).toContain("'descr': '<f4'");
    expect([...new Float32Array(rescaled.data)]).toEqual([100, 116, 132, 148]);
    expect([...new Float32Array((await npy(3)).data)]).toEqual([100, 132, 164, 196]);
  });

  test("JPEG answers: quality changes the size; 16-bit images cannot be JPEG", async () => {
    const path = `/instances/${ids.explicitGray}/preview`;
    const size = async (quality: number) =>
      (await (await get(pharos.url, `${path}?quality=${quality}`, {
        headers: { Accept: "image/jpeg" },
      })).arrayBuffer()).byteLength;
    expect(await size(20)).toBeLessThan(await size(95));
    const uint16 = `/instances/${ids.explicitGray}/image-uint16`;
    expect((await get(pharos.url, uint16, { headers: { Accept: "image/jpeg" } })).status).toBe(404);
  });
});

describe("plugin decoders", () => {
  test("a JPEG frame is decoded by the plugin (through DCMTK)", async () => {
    const res = await get(pharos.url, `/instances/${ids.jpeg}/preview`);
    expect(res.status).toBe(200);
    const png = decodePng(new Uint8Array(await res.arrayBuffer()));
    expect(png.width).toBeGreaterThan(0);
    expect(new Set(png.samples).size).toBeGreaterThan(10);
  });

  test("a throwing decoder is logged; the built-in codec decodes the frame instead", async () => {
    expect((await get(pharos.url, `/instances/${ids.jpegLs}/preview`)).status).toBe(200);
    expect((await get(pharos.url, `/instances/${ids.explicitGray}/preview`)).status).toBe(200);
  });
});

describe("transcoding", () => {
  const dump = async (bytes: Uint8Array) => {
    const dir = mkdtempSync(join(tmpdir(), "pharos-transcoded-"));
    try {
      writeFileSync(join(dir, "f.dcm"), bytes);
      return (await dcmtk(["dcmdump", "-M", join(dir, "f.dcm")])).out;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const file = async (id: string, syntax: string) =>
    await get(pharos.url, `/instances/${id}/file?transcode=${syntax}`);

  test("/file?transcode= with the built-in transcoder: explicit to implicit", async () => {
    const res = await file(ids.explicitGray, "1.2.840.10008.1.2");
    expect(res.status).toBe(200);
    const out = await dump(new Uint8Array(await res.arrayBuffer()));
    expect(out).toContain("=LittleEndianImplicit");
    expect(out).toMatch(/PixelData/);
  });

  test("/file?transcode= through the plugin's transcoder: JPEG to explicit", async () => {
    const res = await file(ids.jpeg, "1.2.840.10008.1.2.1");
    expect(res.status).toBe(200);
    expect(await dump(new Uint8Array(await res.arrayBuffer()))).toContain("=LittleEndianExplicit");
    const probe = await (await fetch(`${pharos.url}/imaging-probe/transcode`, {
      method: "POST",
      body: JSON.stringify({ id: ids.rle, syntax: "1.2.840.10008.1.2.1" }),
    })).json();
    expect(probe.Syntax).toBe("1.2.840.10008.1.2.1");
  });

  test("/file?transcode= errors: a bad UID, a syntax nobody can write, the same syntax", async () => {
    const bad = await file(ids.explicitGray, "not-a-uid");
    expect(bad.status).toBe(400);
    expect((await bad.json()).OrthancError).toBe("Parameter out of range");
    const none = await file(ids.explicitGray, "1.2.840.10008.1.2.4.100");
    expect(none.status).toBe(500);
    const same = await file(ids.explicitGray, "1.2.840.10008.1.2.1");
    const stored = readFileSync(join(samplesDir, FILES.explicitGray));
    expect(Buffer.from(await same.arrayBuffer()).equals(stored)).toBe(true);
  });

  test("C-STORE to a peer without the stored syntax: sent transcoded", async () => {
    const scp = await startStoreScp("SCP");
    try {
      const modality = { AET: "SCP", Host: "127.0.0.1", Port: scp.port };
      expect(
        (await fetch(`${pharos.url}/modalities/scp`, {
          method: "PUT",
          body: JSON.stringify(modality),
        })).status,
      ).toBe(200);
      const store = await (await fetch(`${pharos.url}/modalities/scp/store`, {
        method: "POST",
        body: JSON.stringify({ Resources: [ids.deflated, ids.rle, ids.jpeg] }),
      })).json();
      expect(store).toMatchObject({ InstancesCount: 3, FailedInstancesCount: 0 });
      const received = scp.files();
      expect(received.length).toBe(3);
      for (const f of received) {
        expect(await dump(new Uint8Array(readFileSync(f)))).toContain("=LittleEndianExplicit");
      }

      // A C-MOVE to that peer transcodes the same way; a failed sub-operation would make the final
      // status a warning, not a success.
      const tags = await (await get(pharos.url, `/instances/${ids.rleSigned}/simplified-tags`))
        .json();
      const move = await dcmtk([
        "movescu",
        "-v",
        "-aet",
        "SCP",
        "-aem",
        "SCP",
        "-aec",
        "PHAROS",
        "-S",
        "-k",
        "QueryRetrieveLevel=IMAGE",
        "-k",
        `StudyInstanceUID=${tags.StudyInstanceUID}`,
        "-k",
        `SeriesInstanceUID=${tags.SeriesInstanceUID}`,
        "-k",
        `SOPInstanceUID=${tags.SOPInstanceUID}`,
        "127.0.0.1",
        String(dicomPort),
      ]);
      expect(move.out).toContain("Received Final Move Response (Success)");
      expect(scp.files().length).toBe(4);
    } finally {
      await scp.stop();
    }
  });

  test("plugin failures were logged by name", async () => {
    await pharos.stop();
    expect(await stderr).toContain(
      'Error in the image decoder of plugin "imaging-probe": Error: imaging-probe: this decoder throws on JPEG-LS on purpose',
    );
  });
});
