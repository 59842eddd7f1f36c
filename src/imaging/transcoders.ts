// Transcoding a DICOM file to one of a set of transfer syntaxes: the built-in transcoders
// (between the uncompressed syntaxes, dicom/transcode.ts; to and from the compressed ones
// through the WASM codecs, compress.ts) and the plugins' transcoders
// (OrthancPluginRegisterTranscoderCallback), in BuiltinDecoderTranscoderOrder.
import { findElement, latin1, type ParsedDicom, parseDicom } from "../dicom/parser.ts";
import { Tags } from "../dicom/tag.ts";
import { transcodeNative } from "../dicom/transcode.ts";
import { log } from "../log.ts";
import { decompress, transcodeCompressed } from "./compress.ts";
import type { BuiltinOrder } from "./decode.ts";

/** A plugin's transcoder: the new file, or undefined when it does not handle this one. */
export type FileTranscoder = (
  dicom: Uint8Array,
  allowedSyntaxes: string[],
  allowNewSopInstanceUid: boolean,
) => Promise<Uint8Array | undefined>;

function sopInstanceUid(parsed: ParsedDicom): string | undefined {
  const e = findElement(parsed.dataset, Tags.SopInstanceUid);
  if (!e) return undefined;
  const { bytes } = parsed.dataset.source;
  return latin1(bytes.subarray(e.offset, e.offset + e.length)).replace(/[\0 ]+$/, "");
}

export class Transcoders {
  private readonly plugins: FileTranscoder[] = [];

  constructor(
    private readonly builtinOrder: BuiltinOrder = "After",
    private readonly lossyQuality = 90,
  ) {}

  add(transcoder: FileTranscoder): void {
    this.plugins.push(transcoder);
  }

  private async builtin(
    dicom: Uint8Array,
    allowed: string[],
    quality: number,
  ): Promise<Uint8Array | undefined> {
    for (const target of allowed) {
      const out = transcodeNative(dicom, target) ??
        await transcodeCompressed(dicom, target, quality) ??
        await decompress(dicom, target);
      if (out) return out;
    }
    return undefined;
  }

  /** What a plugin answered, if it is a DICOM file in an allowed syntax (and the same UID). */
  private checked(
    out: Uint8Array,
    source: ParsedDicom,
    allowed: string[],
    allowNewSopInstanceUid: boolean,
  ): Uint8Array | undefined {
    try {
      const parsed = parseDicom(out);
      if (!allowed.includes(parsed.transferSyntax)) throw new Error("not an allowed syntax");
      if (!allowNewSopInstanceUid && sopInstanceUid(parsed) !== sopInstanceUid(source)) {
        throw new Error("the SOP Instance UID changed");
      }
      return out;
    } catch (error) {
      log.error(`A plugin's transcoder answered an unusable file (${String(error)}): ignored`);
      return undefined;
    }
  }

  /**
   * The file in one of `allowed` (itself if it already is), or undefined when no transcoder can
   * do it; lossy JPEG of `quality` (1 to 100; DicomLossyTranscodingQuality by default). Throws on
   * a file that is not DICOM.
   */
  async transcode(
    dicom: Uint8Array,
    allowed: string[],
    allowNewSopInstanceUid = false,
    quality = this.lossyQuality,
  ): Promise<Uint8Array | undefined> {
    const source = parseDicom(dicom);
    if (allowed.includes(source.transferSyntax)) return dicom;
    if (this.builtinOrder === "Before") {
      const out = await this.builtin(dicom, allowed, quality);
      if (out) return out;
    }
    for (const transcoder of this.plugins) {
      const out = await transcoder(dicom, allowed, allowNewSopInstanceUid);
      const usable = out && this.checked(out, source, allowed, allowNewSopInstanceUid);
      if (usable) return usable;
    }
    return this.builtinOrder === "After" ? this.builtin(dicom, allowed, quality) : undefined;
  }
}
