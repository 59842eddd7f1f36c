// Decode time of one frame with the codecs Pharos embeds (dcmjs-codecs: libjpeg-turbo, OpenJPEG
// in one WASM module; @cornerstonejs/codec-charls for JPEG-LS, which the JPEG-LS rows then compare
// with itself), beside the cornerstone codecs (@cornerstonejs/codec-charls, -openjpeg,
// -libjpeg-turbo-8bit) on the same codestreams, with a check that both give the same pixels. The
// other cornerstone packages are not dependencies of Pharos: install them for this run.
//
//   npm install --no-save @cornerstonejs/codec-openjpeg @cornerstonejs/codec-libjpeg-turbo-8bit
//   bun bench/codecs.ts [--runs 50]
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import wasmPath from "dcmjs-codecs/build/dcmjs-native-codecs.wasm" with { type: "file" };
import charlsPath from "@cornerstonejs/codec-charls/decodewasm" with { type: "file" };
import { findElement, parseDicom } from "../src/dicom/parser.ts";
import { Tags } from "../src/dicom/tag.ts";

import { encapsulatedFrame } from "../src/imaging/encapsulated.ts";
import { pixelModule } from "../src/imaging/image.ts";
import { loadCodecs, runJob } from "../src/imaging/wasm/codestreams.ts";
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
  },
  {
    ts: "1.2.840.10008.1.2.4.80",
    label: "CT 256×1024, JPEG-LS",
    module: "codec-charls",
    decoder: "JpegLSDecoder",
  },
  {
    ts: "1.2.840.10008.1.2.4.81",
    label: "CT 512×512, JPEG-LS near-lossless",
    module: "codec-charls",
    decoder: "JpegLSDecoder",
  },
  {
    ts: "1.2.840.10008.1.2.4.90",
    label: "CT 256×1024, JPEG 2000 lossless",
    module: "codec-openjpeg",
    decoder: "J2KDecoder",
  },
  {
    ts: "1.2.840.10008.1.2.4.91",
    label: "CT 512×512, JPEG 2000",
    module: "codec-openjpeg",
    decoder: "J2KDecoder",
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
  return { ms: median(times), pixels };
}

await loadCodecs(wasmPath, charlsPath);
console.log(`decode of one frame, median of ${runs}, ms`);
console.log("| file | dcmjs-codecs (Pharos) | cornerstone | same pixels |");
console.log("|---|---:|---:|---|");
for (const file of FILES) {
  const parsed = parseDicom(new Uint8Array(readFileSync(join(samples, `${file.ts}.dcm`))));
  const layout = pixelModule(parsed)!;
  const pixels = findElement(parsed.dataset, Tags.PixelData)!;
  const codestream = encapsulatedFrame(parsed, pixels, 0, layout.frames)!;
  const ours = timed(() =>
    runJob({ kind: "decode", transferSyntax: file.ts, layout, codestream }).bytes
  );
  const module = await cornerstone(file.module);
  const Decoder = module?.[file.decoder];
  if (!Decoder) {
    console.log(
      `| ${file.label} | ${ours.ms.toFixed(2)} | (@cornerstonejs/${file.module} not installed) | |`,
    );
    continue;
  }
  const decoder = new Decoder();
  const theirs = timed(() => {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    decoder.decode();
    return decoder.getDecodedBuffer().slice();
  });
  const same = Buffer.from(ours.pixels).equals(Buffer.from(theirs.pixels));
  console.log(
    `| ${file.label} | ${ours.ms.toFixed(2)} | ${theirs.ms.toFixed(2)} | ${same ? "yes" : "NO"} |`,
  );
}
process.exit(0);
