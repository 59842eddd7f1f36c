// The image size a codestream declares in its header (JPEG 2000 and HTJ2K: SIZ; JPEG and
// JPEG-LS: the frame header), read before any decoder allocates for it. A codestream declaring
// 20,000×20,000 or 30,000×30,000 in a 512×512 dataset had the decoders grow a codec worker to
// 3.2-3.5 GB and answer an image; Orthanc 1.10.1 with its GDCM plugin crashed on the J2K one.
import type { FrameLayout } from "./jobs.ts";

export interface DeclaredSize {
  width: number;
  height: number;
  components: number;
}

/** SOC then SIZ: the start of every JPEG 2000 codestream, bare or in a JP2 file's jp2c box. */
const J2K_START = [0xff, 0x4f, 0xff, 0x51];

/** What a JPEG 2000 SIZ segment declares, or undefined when there is none to read. */
export function jpeg2000Size(codestream: Uint8Array): DeclaredSize | undefined {
  let at = -1;
  for (let i = 0; i + 4 <= codestream.length && at < 0; i++) {
    if (J2K_START.every((b, k) => codestream[i + k] === b)) at = i;
  }
  // SOC, SIZ, Lsiz, Rsiz, then 8 32-bit fields and Csiz.
  if (at < 0 || at + 4 + 2 + 2 + 32 + 2 > codestream.length) return undefined;
  const view = new DataView(codestream.buffer, codestream.byteOffset + at + 8);
  const [xsiz, ysiz, xosiz, yosiz] = [0, 4, 8, 12].map((o) => view.getUint32(o));
  return { width: xsiz! - xosiz!, height: ysiz! - yosiz!, components: view.getUint16(32) };
}

/** The start-of-frame markers: baseline to lossless, Huffman or arithmetic, and JPEG-LS's. */
const SOF = new Set([
  0xc0,
  0xc1,
  0xc2,
  0xc3,
  0xc5,
  0xc6,
  0xc7,
  0xc9,
  0xca,
  0xcb,
  0xcd,
  0xce,
  0xcf,
  0xf7,
]);

/**
 * What a JPEG or JPEG-LS frame header declares, or undefined when the segments before the scan
 * hold none, or a height of 0 (given later by a DNL marker).
 */
export function jpegSize(codestream: Uint8Array): DeclaredSize | undefined {
  if (codestream[0] !== 0xff || codestream[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= codestream.length) {
    if (codestream[at] !== 0xff) return undefined;
    const marker = codestream[at + 1]!;
    // Fill bytes before a marker.
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = (codestream[at + 2]! << 8) | codestream[at + 3]!;
    if (SOF.has(marker)) {
      // Lf, P, Y, X, Nf.
      if (at + 10 > codestream.length) return undefined;
      const height = (codestream[at + 5]! << 8) | codestream[at + 6]!;
      const width = (codestream[at + 7]! << 8) | codestream[at + 8]!;
      return height === 0 ? undefined : { width, height, components: codestream[at + 9]! };
    }
    if (marker === 0xda || length < 2) return undefined;
    at += 2 + length;
  }
  return undefined;
}

/**
 * Throws when the codestream declares another size or component count than the dataset's: it
 * cannot be the frame the dataset describes.
 */
export function checkDeclaredSize(
  layout: FrameLayout,
  size: DeclaredSize | undefined,
): void {
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
