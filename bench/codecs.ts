// Decode time of one frame with the codecs Pharos uses (dcmjs-codecs' libjpeg-turbo; CharLS built
// here for JPEG-LS, codecs/charls; OpenJPEG built here for JPEG 2000, codecs/openjpeg), beside
// dcmjs-codecs' own decoder of the syntax and the cornerstone codecs (@cornerstonejs/codec-charls,
// -openjpeg, -libjpeg-turbo-8bit) on the same codestreams, with a check that all give the same
// pixels. The cornerstone packages are not dependencies of Pharos: install them for this run.
//
//   npm install --no-save @cornerstonejs/codec-charls @cornerstonejs/codec-openjpeg \
//     @cornerstonejs/codec-libjpeg-turbo-8bit
//   bun bench/codecs.ts [--runs 50]
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Context, NativeCodecs } from "dcmjs-codecs";
import { findElement, parseDicom } from "../src/dicom/parser.ts";
import { Tags } from "../src/dicom/tag.ts";

import { encapsulatedFrame } from "../src/imaging/encapsulated.ts";
import { pixelModule } from "../src/imaging/image.ts";
import { context, loadCodecs, runJob } from "../src/imaging/wasm/codestreams.ts";
import { WASM_MODULES } from "../src/imaging/wasm/modules.ts";
import { positiveInt } from "./lib/args.ts";
import { median } from "./lib/stats.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "50" } } });
const runs = positiveInt(values.runs, "runs");
const samples = resolve(import.meta.dir, "../../shared/dicom-samples/TransferSyntaxes");

interface Decoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
}
type Module = Record<string, new () => Decoder>;

async function cornerstone(name: string): Promise<Module | undefined> {
  try {
    const factory = (await import(`@cornerstonejs/${name}/decodewasmjs`)).default as () => Promise<
      Module
    >;
    return await factory();
  } catch {
    return undefined;
  }
}

const FILES = [
  {
    ts: "1.2.840.10008.1.2.4.50",
    label: "RGB 640×480, JPEG baseline",
    module: "codec-libjpeg-turbo-8bit",
    decoder: "JPEGDecoder",
    dcmjs: (ctx: Context) => NativeCodecs.decodeJpeg(ctx, { convertColorspaceToRgb: true }),
  },
  {
    ts: "1.2.840.10008.1.2.4.80",
    label: "CT 256×1024, JPEG-LS",
    module: "codec-charls",
    decoder: "JpegLSDecoder",
    dcmjs: (ctx: Context) => NativeCodecs.decodeJpegLs(ctx),
  },
  {
    ts: "1.2.840.10008.1.2.4.81",
    label: "CT 512×512, JPEG-LS near-lossless",
    module: "codec-charls",
    decoder: "JpegLSDecoder",
    dcmjs: (ctx: Context) => NativeCodecs.decodeJpegLs(ctx),
  },
  {
    ts: "1.2.840.10008.1.2.4.90",
    label: "CT 256×1024, JPEG 2000 lossless",
    module: "codec-openjpeg",
    decoder: "J2KDecoder",
    dcmjs: (ctx: Context) => NativeCodecs.decodeJpeg2000(ctx),
  },
  {
    ts: "1.2.840.10008.1.2.4.91",
    label: "CT 512×512, JPEG 2000",
    module: "codec-openjpeg",
    decoder: "J2KDecoder",
    dcmjs: (ctx: Context) => NativeCodecs.decodeJpeg2000(ctx),
  },
];

function timed(decode: () => Uint8Array): { ms: number; pixels: Uint8Array } {
  let pixels = decode();
  for (let i = 0; i < 5; i++) decode();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    pixels = decode();
    times.push(performance.now() - started);
  }
  // A copy: the codec's memory holds the next decoder's pixels.
  return { ms: median(times), pixels: pixels.slice() };
}

await loadCodecs(WASM_MODULES);
console.log(`decode of one frame, median of ${runs}, ms`);
console.log("| file | Pharos | dcmjs-codecs | cornerstone | same pixels |");
console.log("|---|---:|---:|---:|---|");
for (const file of FILES) {
  const parsed = parseDicom(new Uint8Array(readFileSync(join(samples, `${file.ts}.dcm`))));
  const layout = pixelModule(parsed)!;
  const pixels = findElement(parsed.dataset, Tags.PixelData)!;
  const codestream = encapsulatedFrame(parsed, pixels, 0, layout.frames)!;
  const pharos = timed(() =>
    runJob({ kind: "decode", transferSyntax: file.ts, layout, codestream }).bytes
  );
  const ctx = context(layout, { encodedBuffer: codestream });
  const dcmjs = timed(() => file.dcmjs(ctx).getDecodedBuffer()!);
  const results = [pharos, dcmjs];
  const module = await cornerstone(file.module);
  const Decoder = module?.[file.decoder];
  let theirs = `(@cornerstonejs/${file.module} not installed)`;
  if (Decoder) {
    const decoder = new Decoder();
    const timing = timed(() => {
      decoder.getEncodedBuffer(codestream.length).set(codestream);
      decoder.decode();
      return decoder.getDecodedBuffer().slice();
    });
    results.push(timing);
    theirs = timing.ms.toFixed(2);
  }
  const same = results.every((r) => Buffer.from(r.pixels).equals(Buffer.from(pharos.pixels)));
  console.log(
    `| ${file.label} | ${pharos.ms.toFixed(2)} | ${dcmjs.ms.toFixed(2)} | ${theirs} | ${
      same ? "yes" : "NO"
    } |`,
  );
}
process.exit(0);
