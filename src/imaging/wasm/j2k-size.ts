// The image size a JPEG 2000 (or HTJ2K) codestream declares in its SIZ marker segment, read
// before any decoder allocates for it: a codestream that declares 20,000×20,000 in a 512×512
// dataset had the decoders grow a codec worker's memory to 3 GB, and keep it, before it failed.
import type { FrameLayout } from "./jobs.ts";

/** SOC then SIZ: the start of every codestream, bare or inside a JP2 file's jp2c box. */
const START = [0xff, 0x4f, 0xff, 0x51];

export interface DeclaredSize {
  width: number;
  height: number;
  components: number;
}

/** What the SIZ segment declares, or undefined when the codestream has none that can be read. */
export function declaredSize(codestream: Uint8Array): DeclaredSize | undefined {
  let at = -1;
  for (let i = 0; i + 4 <= codestream.length && at < 0; i++) {
    if (START.every((b, k) => codestream[i + k] === b)) at = i;
  }
  // SOC, SIZ, Lsiz, Rsiz, then 8 32-bit fields and Csiz.
  if (at < 0 || at + 4 + 2 + 2 + 32 + 2 > codestream.length) return undefined;
  const view = new DataView(codestream.buffer, codestream.byteOffset + at + 8);
  const [xsiz, ysiz, xosiz, yosiz] = [0, 4, 8, 12].map((o) => view.getUint32(o));
  return {
    width: xsiz! - xosiz!,
    height: ysiz! - yosiz!,
    components: view.getUint16(32),
  };
}

/**
 * Throws when the codestream declares another size or component count than the dataset's: the
 * frame cannot be the one the dataset describes (Orthanc 1.10.1 with its GDCM plugin crashed on
 * such a file).
 */
export function checkDeclaredSize(layout: FrameLayout, codestream: Uint8Array): void {
  const size = declaredSize(codestream);
  if (!size) return;
  if (
    size.width !== layout.columns || size.height !== layout.rows ||
    size.components !== layout.samplesPerPixel
  ) {
    throw new Error(
      `The codestream declares ${size.width}x${size.height}x${size.components}, the dataset ` +
        `${layout.columns}x${layout.rows}x${layout.samplesPerPixel}`,
    );
  }
}
