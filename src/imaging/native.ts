// Decoding of uncompressed frames (the native transfer syntaxes, and what RLE expands to):
// 8-bit gray and color, 16-bit gray (masked to BitsStored, sign-extended when signed).
import type { DecodedImage, PixelModule } from "./image.ts";

/** How the frame's bytes are laid out, besides the pixel module. */
export interface NativeLayout {
  littleEndian: boolean;
  /** 8-bit samples stored as OW in big endian come in swapped byte pairs (PS3.5 8.1.1). */
  swappedBytePairs: boolean;
}

/** Bytes of one native frame. */
export const nativeFrameSize = (pm: PixelModule): number =>
  (pm.rows * pm.columns * pm.samplesPerPixel * pm.bitsAllocated) / 8;

function gray16(pm: PixelModule, bytes: Uint8Array, littleEndian: boolean): DecodedImage {
  const count = pm.rows * pm.columns;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shift = Math.max(0, pm.highBit + 1 - pm.bitsStored);
  const bits = Math.min(16, pm.bitsStored);
  const mask = bits >= 16 ? 0xffff : (1 << bits) - 1;
  const sign = 1 << (bits - 1);
  if (pm.signed) {
    const pixels = new Int16Array(count);
    for (let i = 0; i < count; i++) {
      const v = (view.getUint16(2 * i, littleEndian) >> shift) & mask;
      pixels[i] = v & sign ? v - (mask + 1) : v;
    }
    return { format: "SignedGrayscale16", width: pm.columns, height: pm.rows, pixels };
  }
  const pixels = new Uint16Array(count);
  for (let i = 0; i < count; i++) pixels[i] = (view.getUint16(2 * i, littleEndian) >> shift) & mask;
  return { format: "Grayscale16", width: pm.columns, height: pm.rows, pixels };
}

/** PS3.3 C.7.6.3.1.2: YBR_FULL to RGB, in place. */
function ybrFullToRgb(pixels: Uint8Array): void {
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let i = 0; i < pixels.length; i += 3) {
    const y = pixels[i]!, cb = pixels[i + 1]! - 128, cr = pixels[i + 2]! - 128;
    pixels[i] = clamp(y + 1.402 * cr);
    pixels[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    pixels[i + 2] = clamp(y + 1.772 * cb);
  }
}

function color8(pm: PixelModule, bytes: Uint8Array): DecodedImage | undefined {
  if (pm.photometric !== "RGB" && pm.photometric !== "YBR_FULL") return undefined;
  const count = pm.rows * pm.columns;
  const pixels = new Uint8Array(count * 3);
  if (pm.planar) {
    for (let i = 0; i < count; i++) {
      pixels[3 * i] = bytes[i]!;
      pixels[3 * i + 1] = bytes[count + i]!;
      pixels[3 * i + 2] = bytes[2 * count + i]!;
    }
  } else pixels.set(bytes.subarray(0, count * 3));
  if (pm.photometric === "YBR_FULL") ybrFullToRgb(pixels);
  return { format: "RGB24", width: pm.columns, height: pm.rows, pixels };
}

/** One native frame decoded, or undefined for layouts not supported (1 or 32 bits, palettes…). */
export function decodeNative(
  pm: PixelModule,
  frame: Uint8Array,
  layout: NativeLayout,
): DecodedImage | undefined {
  let bytes = frame;
  if (pm.bitsAllocated === 8 && layout.swappedBytePairs) {
    bytes = frame.slice();
    for (let i = 0; i + 1 < bytes.length; i += 2) {
      const b = bytes[i]!;
      bytes[i] = bytes[i + 1]!;
      bytes[i + 1] = b;
    }
  }
  if (pm.samplesPerPixel === 1) {
    if (pm.photometric !== "MONOCHROME1" && pm.photometric !== "MONOCHROME2") return undefined;
    if (pm.bitsAllocated === 8) {
      const pixels = bytes.slice(0, pm.rows * pm.columns);
      return { format: "Grayscale8", width: pm.columns, height: pm.rows, pixels };
    }
    if (pm.bitsAllocated === 16) return gray16(pm, bytes, layout.littleEndian);
    return undefined;
  }
  if (pm.samplesPerPixel === 3 && pm.bitsAllocated === 8) return color8(pm, bytes);
  return undefined;
}
