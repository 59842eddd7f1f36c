// Which transfer syntaxes the WASM codecs (codestreams.ts) decode and encode. Apart from the
// codecs themselves: the main thread asks these questions at startup and on each request, and
// loading dcmjs-codecs (which loads all of dcmjs) only to answer them cost ~20 MiB of idle RSS.
import { TransferSyntax } from "../../dicom/uids.ts";
import type { FrameLayout } from "./jobs.ts";

export const HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201";

export type Family = "jpeg" | "jpeg-ls" | "jpeg2000" | "htj2k";

export const FAMILIES: ReadonlyMap<string, Family> = new Map([
  [TransferSyntax.JpegBaseline, "jpeg"],
  [TransferSyntax.JpegExtended, "jpeg"],
  [TransferSyntax.JpegLosslessNonHierarchical, "jpeg"],
  [TransferSyntax.JpegLosslessFirstOrder, "jpeg"],
  [TransferSyntax.JpegLsLossless, "jpeg-ls"],
  [TransferSyntax.JpegLsNearLossless, "jpeg-ls"],
  [TransferSyntax.Jpeg2000Lossless, "jpeg2000"],
  [TransferSyntax.Jpeg2000, "jpeg2000"],
  [HTJ2K_LOSSLESS, "htj2k"],
  ["1.2.840.10008.1.2.4.202", "htj2k"],
  ["1.2.840.10008.1.2.4.203", "htj2k"],
]);

/** The transfer syntaxes whose frames the WASM codecs decode. */
export const WASM_DECODED: ReadonlySet<string> = new Set(FAMILIES.keys());

/** The transfer syntaxes the built-in transcoder compresses to. */
export const WASM_ENCODED: ReadonlySet<string> = new Set([
  TransferSyntax.JpegBaseline,
  TransferSyntax.JpegLosslessFirstOrder,
  TransferSyntax.JpegLsLossless,
  TransferSyntax.Jpeg2000Lossless,
  HTJ2K_LOSSLESS,
]);

/** Which layouts an encoder takes: JPEG baseline only 8-bit samples, the others up to 16. */
export function encodable(transferSyntax: string, layout: FrameLayout): boolean {
  if (!WASM_ENCODED.has(transferSyntax)) return false;
  if (layout.samplesPerPixel !== 1 && layout.samplesPerPixel !== 3) return false;
  if (transferSyntax === TransferSyntax.JpegBaseline) {
    return layout.bitsAllocated === 8 && layout.bitsStored === 8;
  }
  return layout.bitsAllocated === 8 || layout.bitsAllocated === 16;
}
