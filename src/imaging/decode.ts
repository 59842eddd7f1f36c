// Decoding a frame of an instance: the built-in decoders (native transfer syntaxes and RLE),
// and the plugins' decoders (OrthancPluginRegisterDecodeImageCallback), tried after the
// built-in ones or before them (BuiltinDecoderTranscoderOrder).
import { type DicomElement, findElement, type ParsedDicom } from "../dicom/parser.ts";
import { Tags } from "../dicom/tag.ts";
import { TransferSyntax, UNCOMPRESSED_TRANSFER_SYNTAXES } from "../dicom/uids.ts";
import { log } from "../log.ts";
import type { DecodedImage, PixelModule } from "./image.ts";
import { CHANNELS, pixelModule } from "./image.ts";
import { decodeNative, nativeFrameSize } from "./native.ts";
import { expandRle } from "./rle.ts";

/** A plugin's decoder: the frame, or undefined when it does not handle this file. */
export type FrameDecoder = (
  dicom: Uint8Array,
  frame: number,
) => Promise<DecodedImage | undefined>;

/** The bytes of one frame of encapsulated pixel data (PS3.5 A.4). */
function encapsulatedFrame(
  parsed: ParsedDicom,
  pixels: DicomElement,
  frame: number,
  frames: number,
): Uint8Array | undefined {
  const { bytes, view } = parsed.dataset.source;
  const [table, ...fragments] = pixels.fragments ?? [];
  if (!table || fragments.length === 0) return undefined;
  const slice = (list: typeof fragments) =>
    new Uint8Array(
      Bun.concatArrayBuffers(list.map((f) => bytes.subarray(f.offset, f.offset + f.length))),
    );
  if (fragments.length === frames) return slice([fragments[frame]!]);
  if (frames === 1) return slice(fragments);
  if (table.length < 4 * frames) return undefined;
  // The basic offset table gives each frame's first fragment, relative to the first fragment.
  const first = fragments[0]!.offset - 8;
  const startOf = (n: number) => first + view.getUint32(table.offset + 4 * n, true);
  const start = startOf(frame);
  const end = frame + 1 < frames ? startOf(frame + 1) : Infinity;
  return slice(fragments.filter((f) => f.offset - 8 >= start && f.offset - 8 < end));
}

/**
 * The stored bytes of one frame of uncompressed pixel data, or undefined when the pixel data is
 * too short for it (or its size is not whole bytes).
 */
export function nativeFrame(
  parsed: ParsedDicom,
  pm: PixelModule,
  pixels: DicomElement,
  frame: number,
): Uint8Array | undefined {
  const size = nativeFrameSize(pm);
  const start = pixels.offset + frame * size;
  if (!Number.isInteger(size) || start + size > pixels.offset + pixels.length) return undefined;
  return parsed.dataset.source.bytes.subarray(start, start + size);
}

/** The built-in decoders; undefined when they cannot decode this instance. */
export function decodeBuiltin(parsed: ParsedDicom, frame: number): DecodedImage | undefined {
  const pm = pixelModule(parsed);
  const pixels = findElement(parsed.dataset, Tags.PixelData);
  if (!pm || !pixels || frame < 0 || frame >= pm.frames) return undefined;
  const { littleEndian } = parsed.dataset.source;
  if (UNCOMPRESSED_TRANSFER_SYNTAXES.has(parsed.transferSyntax) && !pixels.fragments) {
    const bytes = nativeFrame(parsed, pm, pixels, frame);
    return bytes && decodeNative(pm, bytes, {
      littleEndian,
      swappedBytePairs: !littleEndian && pixels.vr === "OW",
    });
  }
  if (parsed.transferSyntax === TransferSyntax.RleLossless && pixels.fragments) {
    const data = encapsulatedFrame(parsed, pixels, frame, pm.frames);
    const native = data && expandRle(pm, data);
    if (!native) return undefined;
    return decodeNative({ ...pm, planar: true }, native, {
      littleEndian: true,
      swappedBytePairs: false,
    });
  }
  return undefined;
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

export class FrameDecoders {
  private readonly plugins: FrameDecoder[] = [];

  /** With `pluginsFirst`, the plugins' decoders are tried before the built-in ones. */
  constructor(private readonly pluginsFirst = false) {}

  add(decoder: FrameDecoder): void {
    this.plugins.push(decoder);
  }

  /** The decoded frame, or undefined when no decoder can decode it. */
  async decode(
    dicom: Uint8Array,
    parsed: ParsedDicom,
    frame: number,
  ): Promise<DecodedImage | undefined> {
    if (!this.pluginsFirst) {
      const builtin = decodeBuiltin(parsed, frame);
      if (builtin) return builtin;
    }
    for (const decoder of this.plugins) {
      const image = await decoder(dicom, frame);
      if (image && validDecodedImage(image)) return image;
      if (image) log.error("A plugin's image decoder answered an invalid image: ignored");
    }
    return this.pluginsFirst ? decodeBuiltin(parsed, frame) : undefined;
  }
}
