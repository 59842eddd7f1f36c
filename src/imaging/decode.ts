// Decoding a frame of an instance: the built-in decoders (native transfer syntaxes, Elscint's
// PMSCT_RLE1, RLE, and the compressed syntaxes through the WASM codecs), and the plugins' decoders (OrthancPluginRegisterDecodeImageCallback),
// tried after the built-in ones or before them (BuiltinDecoderTranscoderOrder).
import { type DicomElement, findElement, type ParsedDicom } from "../dicom/parser.ts";
import { Tags } from "../dicom/tag.ts";
import { TransferSyntax, UNCOMPRESSED_TRANSFER_SYNTAXES } from "../dicom/uids.ts";
import { log } from "../log.ts";
import { decodeCompressedFrame, isWasmDecoded } from "./compressed.ts";
import { encapsulatedFrame } from "./encapsulated.ts";
import type { DecodedImage, PixelModule } from "./image.ts";
import { CHANNELS, pixelModule } from "./image.ts";
import { decodeNative, isBitmap, nativeFormat, nativeFrameSize } from "./native.ts";
import { pmsctPixels } from "./pmsct.ts";
import { expandRle } from "./rle.ts";
import type { CompressedFrame } from "./wasm/jobs.ts";
import { CodecError, codecPool } from "./wasm/pool.ts";

/** A plugin's decoder: the frame, or undefined when it does not handle this file. */
export type FrameDecoder = (
  dicom: Uint8Array,
  frame: number,
) => Promise<DecodedImage | undefined>;

/** Why a frame cannot be decoded, as the Orthanc error the REST routes answer. */
export interface DecodeFailure {
  failure: "NotImplemented" | "BadFileFormat" | "ParameterOutOfRange";
  details?: string;
}

export type DecodeOutcome = DecodedImage | DecodeFailure;

/** BuiltinDecoderTranscoderOrder: the built-in codecs before the plugins', after them, or off. */
export type BuiltinOrder = "Before" | "After" | "Disabled";

export const isFailure = (outcome: DecodeOutcome): outcome is DecodeFailure => "failure" in outcome;

/** What DCMTK's codecs answer in Orthanc for a frame they cannot decode, or past the last one. */
export const CODEC_FAILURE: DecodeFailure = {
  failure: "BadFileFormat",
  details: "Cannot decode a non-palette image",
};

const fail = (failure: DecodeFailure["failure"], details?: string): DecodeFailure =>
  details === undefined ? { failure } : { failure, details };

const isPalette = (pm: PixelModule) =>
  pm.photometric === "PALETTE COLOR" && pm.samplesPerPixel === 1 && !pm.signed &&
  (pm.bitsStored === 8 || pm.bitsStored === 16);

/** The pixel buffer of a native instance: PixelData, else Elscint's compressed samples. */
function nativeBuffer(parsed: ParsedDicom, pixels: DicomElement | undefined) {
  if (pixels) {
    return parsed.dataset.source.bytes.subarray(pixels.offset, pixels.offset + pixels.length);
  }
  return pmsctPixels(parsed);
}

/** The RLE data of a frame and the format it expands to, or why it cannot be decoded. */
function rleFrame(
  parsed: ParsedDicom,
  pm: PixelModule,
  pixels: DicomElement,
  frame: number,
): { data: Uint8Array; format: DecodedImage["format"] } | DecodeFailure {
  const format = nativeFormat(pm, true);
  if (!format) return fail("NotImplemented");
  const data = frame < pm.frames ? encapsulatedFrame(parsed, pixels, frame, pm.frames) : undefined;
  return data ? { data, format } : CODEC_FAILURE;
}

/** The expanded frame is color-by-plane, which DCMTK interleaves only if the file is not. */
function rleImage(pm: PixelModule, format: DecodedImage["format"], native: Uint8Array) {
  return decodeNative({ ...pm, planar: true }, format, native, {
    littleEndian: true,
    swappedBytePairs: false,
    shift: false,
    interleavePlanes: !pm.planar,
  });
}

/** An RLE frame expanded in the codec workers, failing as decodeBuiltinFrame does. */
async function decodeRleFrame(parsed: ParsedDicom, frame: number): Promise<DecodeOutcome> {
  const pm = pixelModule(parsed);
  const pixels = findElement(parsed.dataset, Tags.PixelData);
  // Refused before the RLE data is looked at: decodeBuiltinFrame says why.
  if (!pm || !pixels?.fragments || frame < 0 || (isBitmap(pm) && pm.columns % 8 !== 0)) {
    return decodeBuiltinFrame(parsed, frame);
  }
  const rle = rleFrame(parsed, pm, pixels, frame);
  if ("failure" in rle) return rle;
  let output;
  try {
    output = await codecPool.run({
      kind: "decode",
      transferSyntax: TransferSyntax.RleLossless,
      layout: pm,
      codestream: rle.data,
    }, [rle.data.buffer as ArrayBuffer]);
  } catch (error) {
    if (error instanceof CodecError) return CODEC_FAILURE;
    throw error;
  }
  return output.bytes.length > 0 ? rleImage(pm, rle.format, output.bytes) : CODEC_FAILURE;
}

/**
 * The built-in decoders (native transfer syntaxes, PMSCT_RLE1 and RLE), with the refusals of
 * Orthanc 1.10.1's decoder, checked in its order: the image description, the pixel format, the
 * size of the pixel data, then the frame number.
 */
export function decodeBuiltinFrame(parsed: ParsedDicom, frame: number): DecodeOutcome {
  const pm = pixelModule(parsed);
  if (!pm) return fail("NotImplemented");
  if (isBitmap(pm) && pm.columns % 8 !== 0) {
    return fail("BadFileFormat", "Bad number of columns for a black-and-white image");
  }
  const pixels = findElement(parsed.dataset, Tags.PixelData);
  const { littleEndian } = parsed.dataset.source;
  if (UNCOMPRESSED_TRANSFER_SYNTAXES.has(parsed.transferSyntax)) {
    const buffer = pixels?.fragments ? undefined : nativeBuffer(parsed, pixels);
    if (!buffer) return fail("BadFileFormat");
    const format = nativeFormat(pm, false);
    if (!format && !isPalette(pm)) return fail("NotImplemented");
    const size = nativeFrameSize(pm);
    if (pm.frames * size > buffer.length) return fail("BadFileFormat");
    if (frame < 0 || frame >= pm.frames) return fail("ParameterOutOfRange");
    // Orthanc 1.10.1 gets this far with palettes, then refuses their lookup tables.
    if (!format) return fail("NotImplemented");
    return decodeNative(pm, format, buffer.subarray(frame * size, (frame + 1) * size), {
      littleEndian: littleEndian || !pixels,
      swappedBytePairs: !littleEndian && pixels?.vr === "OW",
      shift: true,
      interleavePlanes: true,
    });
  }
  if (!pixels?.fragments) return fail("BadFileFormat");
  if (parsed.transferSyntax === TransferSyntax.RleLossless) {
    const rle = rleFrame(parsed, pm, pixels, frame);
    if ("failure" in rle) return rle;
    const native = expandRle(pm, rle.data);
    return native ? rleImage(pm, rle.format, native) : CODEC_FAILURE;
  }
  return fail(
    "NotImplemented",
    `The built-in DCMTK decoder cannot decode some DICOM instance whose transfer syntax is: ${parsed.transferSyntax}`,
  );
}

/** Checks what a plugin answered, so that the renderers can trust it. */
export function validDecodedImage(image: DecodedImage): boolean {
  const channels = CHANNELS[image.format];
  if (channels === undefined) return false;
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height)) return false;
  if (image.width <= 0 || image.height <= 0) return false;
  const expected = image.format === "Grayscale16"
    ? Uint16Array
    : image.format === "SignedGrayscale16"
    ? Int16Array
    : Uint8Array;
  return image.pixels instanceof expected &&
    image.pixels.length === image.width * image.height * channels;
}

/**
 * The built-in decoders, the compressed syntaxes included: those and RLE decode in the codec
 * workers, and fail as DCMTK's codecs do in Orthanc on a frame they cannot decode.
 */
export async function decodeBuiltin(parsed: ParsedDicom, frame: number): Promise<DecodeOutcome> {
  if (parsed.transferSyntax === TransferSyntax.RleLossless) return decodeRleFrame(parsed, frame);
  const sync = decodeBuiltinFrame(parsed, frame);
  if (!isFailure(sync) || !isWasmDecoded(parsed.transferSyntax)) return sync;
  const compressed = compressedFrame(parsed, frame);
  if (!compressed) return sync;
  if (compressed.codestream.length === 0) return CODEC_FAILURE;
  const { transferSyntax, pixelModule: pm, codestream } = compressed;
  const image = await decodeCompressedFrame(transferSyntax, pm, codestream);
  if (image === "unsupported") return fail("NotImplemented");
  return image ?? CODEC_FAILURE;
}

/**
 * The codestream of a frame that the WASM codecs decode, in a buffer of its own; empty when the
 * frame is absent or cannot be found in the fragments; undefined for an instance of another
 * transfer syntax, or without pixel module or encapsulated pixel data.
 */
export function compressedFrame(parsed: ParsedDicom, frame: number): CompressedFrame | undefined {
  if (!isWasmDecoded(parsed.transferSyntax)) return undefined;
  const pm = pixelModule(parsed);
  const pixels = findElement(parsed.dataset, Tags.PixelData);
  if (!pm || !pixels?.fragments) return undefined;
  const data = frame >= 0 && frame < pm.frames
    ? encapsulatedFrame(parsed, pixels, frame, pm.frames)
    : undefined;
  return {
    transferSyntax: parsed.transferSyntax,
    pixelModule: pm,
    codestream: data ?? new Uint8Array(0),
  };
}

export class FrameDecoders {
  private readonly plugins: FrameDecoder[] = [];

  /** Where the built-in decoders stand: before the plugins', after them, or not at all. */
  constructor(private readonly builtinOrder: BuiltinOrder = "After") {}

  add(decoder: FrameDecoder): void {
    this.plugins.push(decoder);
  }

  /** Whether the built-in decoders alone decode frames (no plugin has a decoder). */
  get builtinOnly(): boolean {
    return this.builtinOrder !== "Disabled" && this.plugins.length === 0;
  }

  /** The decoded frame, or undefined when no decoder can decode it. */
  async decode(
    dicom: Uint8Array,
    parsed: ParsedDicom,
    frame: number,
  ): Promise<DecodedImage | undefined> {
    const outcome = await this.decodeOutcome(dicom, parsed, frame);
    return isFailure(outcome) ? undefined : outcome;
  }

  /** The decoded frame, or why the built-in decoders refuse it when no plugin decodes it. */
  async decodeOutcome(
    dicom: Uint8Array,
    parsed: ParsedDicom,
    frame: number,
  ): Promise<DecodeOutcome> {
    const builtin = this.builtinOrder === "Before" ? await decodeBuiltin(parsed, frame) : undefined;
    if (builtin && !isFailure(builtin)) return builtin;
    for (const decoder of this.plugins) {
      const image = await decoder(dicom, frame);
      if (image && validDecodedImage(image)) return image;
      if (image) log.error("A plugin's image decoder answered an invalid image: ignored");
    }
    if (this.builtinOrder === "Disabled") return fail("NotImplemented");
    return builtin ?? await decodeBuiltin(parsed, frame);
  }
}
