// Netpbm's PAM format, which Orthanc answers for Accept: image/x-portable-arbitrarymap: a text
// header, then the samples row by row, 16-bit ones big endian.
import type { RawImage } from "./types.ts";

const LAYOUT = {
  Grayscale8: { depth: 1, maxval: 255, tuple: "GRAYSCALE" },
  Grayscale16: { depth: 1, maxval: 65535, tuple: "GRAYSCALE" },
  RGB24: { depth: 3, maxval: 255, tuple: "RGB" },
  RGBA32: { depth: 4, maxval: 255, tuple: "RGB_ALPHA" },
} as const;

export function encodePam(image: RawImage): Uint8Array {
  const { depth, maxval, tuple } = LAYOUT[image.format];
  const header = new TextEncoder().encode(
    `P7\nWIDTH ${image.width}\nHEIGHT ${image.height}\nDEPTH ${depth}\nMAXVAL ${maxval}\n` +
      `TUPLTYPE ${tuple}\nENDHDR\n`,
  );
  const samples = image.width * image.height * depth;
  const bytesPerSample = maxval > 255 ? 2 : 1;
  const out = new Uint8Array(header.length + samples * bytesPerSample);
  out.set(header);
  if (bytesPerSample === 1) {
    out.set(
      new Uint8Array(image.pixels.buffer, image.pixels.byteOffset, samples),
      header.length,
    );
  } else {
    const view = new DataView(out.buffer, header.length);
    const source = new DataView(image.pixels.buffer, image.pixels.byteOffset, 2 * samples);
    for (let i = 0; i < samples; i++) view.setUint16(2 * i, source.getUint16(2 * i, true));
  }
  return out;
}
