// The built-in transcoder to the compressed syntaxes (JPEG baseline, JPEG lossless, JPEG-LS
// lossless, JPEG 2000 lossless) and from them: every frame decoded to native samples, encoded by
// the codec workers or left native, and the dataset written again around the new pixel data
// (encapsulated frames, PS3.5 A.4), with the photometric interpretation the codec produced and,
// for JPEG baseline, the lossy flag.
import {
  type DicomDataset,
  type DicomElement,
  findElement,
  hasPreamble,
  type ParsedDicom,
  parseDicom,
} from "../dicom/parser.ts";
import { reencodeDataset } from "../dicom/reencode.ts";
import { makeTag, Tags } from "../dicom/tag.ts";
import { metaElements, transcodeNative } from "../dicom/transcode.ts";
import { TransferSyntax, UNCOMPRESSED_TRANSFER_SYNTAXES } from "../dicom/uids.ts";
import {
  EXPLICIT_VR_LITTLE_ENDIAN,
  Output,
  padded,
  writeElement,
  writeFileMeta,
} from "../dicom/writer.ts";
import { encapsulatedFrame } from "./encapsulated.ts";
import { pixelModule } from "./image.ts";
import { nativeFrameSize } from "./native.ts";
import { encodable, WASM_DECODED, WASM_ENCODED } from "./wasm/syntaxes.ts";
import type { FrameLayout } from "./wasm/jobs.ts";
import { CodecError, codecPool } from "./wasm/pool.ts";

const T = {
  Photometric: makeTag(0x0028, 0x0004),
  PlanarConfiguration: makeTag(0x0028, 0x0006),
  LossyImageCompression: makeTag(0x0028, 0x2110),
};

export const isCompressedTarget = (transferSyntax: string): boolean =>
  WASM_ENCODED.has(transferSyntax);

/** Native Pixel Data: the frames one after the other, OW for 16-bit samples. */
function nativePixelData(frames: Uint8Array[], bitsAllocated: number): Output {
  const value = new Uint8Array(Bun.concatArrayBuffers(frames));
  return writeElement(
    { tag: Tags.PixelData, vr: bitsAllocated > 8 ? "OW" : "OB", value },
    EXPLICIT_VR_LITTLE_ENDIAN,
  );
}

/**
 * A compressed file (of a syntax the WASM codecs decode) in a native `target`, or undefined when
 * it is not one or does not decode.
 */
export async function decompress(
  file: Uint8Array,
  target: string,
): Promise<Uint8Array | undefined> {
  if (!UNCOMPRESSED_TRANSFER_SYNTAXES.has(target)) return undefined;
  const parsed = parseDicom(file);
  if (parsed.meta.elements.length === 0 || !WASM_DECODED.has(parsed.transferSyntax)) {
    return undefined;
  }
  try {
    const source = await nativeFrames(parsed);
    if (!source) return undefined;
    const preamble = hasPreamble(file) ? file.subarray(0, 128) : undefined;
    const explicit = writeFile(parsed, TransferSyntax.ExplicitVrLittleEndian, preamble, {
      pixelData: nativePixelData(source.frames, source.layout.bitsAllocated),
      photometric: source.layout.photometric,
      samplesPerPixel: source.layout.samplesPerPixel,
    });
    return explicit && transcodeNative(explicit, target);
  } catch (error) {
    if (error instanceof CodecError) return undefined;
    throw error;
  }
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** The native frames of the file, little endian and interleaved, with their layout. */
async function nativeFrames(
  parsed: ParsedDicom,
): Promise<{ layout: FrameLayout; frames: Uint8Array[] } | undefined> {
  const pm = pixelModule(parsed);
  const pixels = findElement(parsed.dataset, Tags.PixelData);
  if (!pm || !pixels) return undefined;
  const size = nativeFrameSize(pm);
  const frames: Uint8Array[] = [];
  if (UNCOMPRESSED_TRANSFER_SYNTAXES.has(parsed.transferSyntax)) {
    const { bytes } = parsed.dataset.source;
    if (!Number.isInteger(size) || pixels.length < size * pm.frames) return undefined;
    for (let n = 0; n < pm.frames; n++) {
      const frame = bytes.subarray(pixels.offset + n * size, pixels.offset + (n + 1) * size);
      frames.push(
        pm.planar && pm.samplesPerPixel === 3 ? interleaved(frame, pm.bitsAllocated) : frame,
      );
    }
    return { layout: { ...pm, planar: false }, frames };
  }
  if (!WASM_DECODED.has(parsed.transferSyntax) || !pixels.fragments) return undefined;
  let layout: FrameLayout = pm;
  for (let n = 0; n < pm.frames; n++) {
    const codestream = encapsulatedFrame(parsed, pixels, n, pm.frames);
    if (!codestream) return undefined;
    const out = await codecPool.run({
      kind: "decode",
      transferSyntax: parsed.transferSyntax,
      layout: pm,
      codestream,
    });
    if (out.bytes.length < size) return undefined;
    layout = { ...pm, photometric: out.photometric, planar: out.planar };
    frames.push(out.bytes.subarray(0, size));
  }
  return { layout, frames };
}

/** A color-by-plane frame, color-by-pixel. */
function interleaved(frame: Uint8Array, bitsAllocated: number): Uint8Array {
  const unit = bitsAllocated / 8;
  const count = frame.length / 3 / unit;
  const out = new Uint8Array(frame.length);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < 3; c++) {
      for (let b = 0; b < unit; b++) {
        out[(3 * i + c) * unit + b] = frame[(c * count + i) * unit + b]!;
      }
    }
  }
  return out;
}

/** Pixel Data of undefined length: an empty offset table, then one fragment per frame. */
function encapsulatedPixelData(codestreams: Uint8Array[]): Output {
  const out = new Output();
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setUint16(0, 0x7fe0, true);
  view.setUint16(2, 0x0010, true);
  header.set(ascii("OB"), 4);
  view.setUint32(8, 0xffffffff, true);
  out.push(header);
  const item = (length: number, element = 0xe000) => {
    const bytes = new Uint8Array(8);
    const v = new DataView(bytes.buffer);
    v.setUint16(0, 0xfffe, true);
    v.setUint16(2, element, true);
    v.setUint32(4, length, true);
    return bytes;
  };
  out.push(item(0));
  for (const codestream of codestreams) {
    const even = codestream.length % 2 === 0 ? codestream : padded("OB", codestream);
    out.push(item(even.length));
    out.push(even);
  }
  out.push(item(0, 0xe0dd));
  return out;
}

function writeOriginal(dataset: DicomDataset, element: DicomElement): Output {
  return reencodeDataset({ ...dataset, elements: [element] }, EXPLICIT_VR_LITTLE_ENDIAN);
}

/**
 * The file in `target` (one of isCompressedTarget), or undefined when its pixels cannot be
 * encoded so (no image, a layout the encoder refuses, a codestream that does not decode).
 */
export async function transcodeCompressed(
  file: Uint8Array,
  target: string,
  quality = 90,
): Promise<Uint8Array | undefined> {
  if (!isCompressedTarget(target)) return undefined;
  let parsed = parseDicom(file);
  if (parsed.meta.elements.length === 0) return undefined;
  if (
    UNCOMPRESSED_TRANSFER_SYNTAXES.has(parsed.transferSyntax) &&
    parsed.transferSyntax !== TransferSyntax.ExplicitVrLittleEndian
  ) {
    const explicit = transcodeNative(file, TransferSyntax.ExplicitVrLittleEndian);
    if (!explicit) return undefined;
    parsed = parseDicom(explicit);
  }
  try {
    const source = await nativeFrames(parsed);
    if (!source || !encodable(target, source.layout)) return undefined;
    const codestreams: Uint8Array[] = [];
    let photometric = source.layout.photometric;
    for (const native of source.frames) {
      const out = await codecPool.run({
        kind: "encode",
        transferSyntax: target,
        layout: source.layout,
        native,
        quality,
      });
      codestreams.push(out.bytes);
      photometric = out.photometric;
    }
    const preamble = hasPreamble(file) ? file.subarray(0, 128) : undefined;
    return writeFile(parsed, target, preamble, {
      pixelData: encapsulatedPixelData(codestreams),
      photometric,
      samplesPerPixel: source.layout.samplesPerPixel,
    });
  } catch (error) {
    if (error instanceof CodecError) return undefined;
    throw error;
  }
}

function writeFile(
  parsed: ParsedDicom,
  target: string,
  preamble: Uint8Array | undefined,
  { pixelData, photometric, samplesPerPixel }: {
    pixelData: Output;
    photometric: string;
    samplesPerPixel: number;
  },
): Uint8Array | undefined {
  const meta = metaElements(parsed.meta, target);
  if (!meta) return undefined;
  const replaced = new Map<number, Output>([
    [T.Photometric, value(T.Photometric, "CS", photometric)],
    [Tags.PixelData, pixelData],
  ]);
  if (samplesPerPixel > 1) {
    const planar = new Uint8Array(2);
    replaced.set(
      T.PlanarConfiguration,
      writeElement(
        { tag: T.PlanarConfiguration, vr: "US", value: planar },
        EXPLICIT_VR_LITTLE_ENDIAN,
      ),
    );
  }
  if (target === TransferSyntax.JpegBaseline) {
    replaced.set(T.LossyImageCompression, value(T.LossyImageCompression, "CS", "01"));
  }
  const dataset = new Output();
  const pending = [...replaced.keys()].sort((a, b) => a - b);
  const flushBefore = (tag: number) => {
    while (pending.length > 0 && pending[0]! < tag) dataset.append(replaced.get(pending.shift()!)!);
  };
  for (const element of parsed.dataset.elements) {
    flushBefore(element.tag);
    if (replaced.has(element.tag)) {
      pending.splice(pending.indexOf(element.tag), 1);
      dataset.append(replaced.get(element.tag)!);
    } else {
      dataset.append(writeOriginal(parsed.dataset, element));
    }
  }
  flushBefore(Infinity);
  const out = writeFileMeta(meta, preamble);
  out.append(dataset);
  return out.bytes();
}

function value(tag: number, vr: string, text: string): Output {
  return writeElement({ tag, vr, value: padded(vr, ascii(text)) }, EXPLICIT_VR_LITTLE_ENDIAN);
}
