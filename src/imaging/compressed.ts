// Decoding one frame of a compressed transfer syntax (JPEG, JPEG-LS, JPEG 2000, HTJ2K): the codec
// workers turn the codestream into native samples, read then as Orthanc reads the frames that
// DCMTK or GDCM decompressed for it (color as RGB, HighBit shifting).
import { log } from "../log.ts";
import type { DecodedImage, PixelModule } from "./image.ts";
import { decompressedImage } from "./native.ts";
import { CodecError, codecPool } from "./wasm/pool.ts";
import { WASM_DECODED } from "./wasm/syntaxes.ts";

export const isWasmDecoded = (transferSyntax: string): boolean => WASM_DECODED.has(transferSyntax);

/**
 * The frame, "unsupported" for a pixel format Orthanc cannot show, or undefined when the codec
 * refuses the codestream (corrupt, truncated, not matching the pixel module). The codestream's
 * buffer, which it must own whole, is moved to the codec worker.
 */
export async function decodeCompressedFrame(
  transferSyntax: string,
  pm: PixelModule,
  codestream: Uint8Array,
): Promise<DecodedImage | "unsupported" | undefined> {
  let output;
  try {
    const job = { kind: "decode", transferSyntax, layout: pm, codestream } as const;
    output = await codecPool.run(job, [codestream.buffer as ArrayBuffer]);
  } catch (error) {
    if (error instanceof CodecError) {
      log.warning(`Cannot decode a ${transferSyntax} frame: ${error.message}`);
      return undefined;
    }
    throw error;
  }
  return decompressedImage(pm, output);
}
