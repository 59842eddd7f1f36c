// A PNG decoder for the pixel formats Orthanc 1.10.1 reads (PngReader): 8- and 16-bit grayscale,
// 8-bit RGB and RGBA, not interlaced. IDAT is inflated and each row unfiltered (PNG spec 9);
// other formats are refused as Orthanc refuses them.
import { inflateSync } from "node:zlib";
import type { RawImage } from "./types.ts";

/** Why a PNG cannot be read: not a PNG (BadFileFormat), or a format Orthanc does not read. */
export class PngDecodeError extends Error {
  constructor(readonly kind: "BadFileFormat" | "NotImplemented") {
    super(kind === "BadFileFormat" ? "Not a valid PNG file" : "Unsupported PNG pixel format");
  }
}

/** The largest image read (1 GiB of samples), far beyond what a data URI carries in practice. */
const MAX_BYTES = 1 << 30;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Color type and bit depth → the format, and the bytes of one pixel. */
function layoutOf(colorType: number, bitDepth: number) {
  if (colorType === 0 && bitDepth === 8) return { format: "Grayscale8" as const, bpp: 1 };
  if (colorType === 0 && bitDepth === 16) return { format: "Grayscale16" as const, bpp: 2 };
  if (colorType === 2 && bitDepth === 8) return { format: "RGB24" as const, bpp: 3 };
  if (colorType === 6 && bitDepth === 8) return { format: "RGBA32" as const, bpp: 4 };
  return undefined;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Undoes the filter of each row in place; `rows` holds each row's filter byte, then its bytes. */
function unfilter(rows: Uint8Array, height: number, rowBytes: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * rowBytes);
  for (let y = 0; y < height; y++) {
    const filter = rows[y * (rowBytes + 1)]!;
    const source = rows.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
    const at = y * rowBytes;
    const above = (i: number) => (y > 0 ? out[at - rowBytes + i]! : 0);
    for (let i = 0; i < rowBytes; i++) {
      const left = i >= bpp ? out[at + i - bpp]! : 0;
      const upLeft = i >= bpp ? above(i - bpp) : 0;
      let predicted: number;
      switch (filter) {
        case 0:
          predicted = 0;
          break;
        case 1:
          predicted = left;
          break;
        case 2:
          predicted = above(i);
          break;
        case 3:
          predicted = (left + above(i)) >> 1;
          break;
        case 4:
          predicted = paeth(left, above(i), upLeft);
          break;
        default:
          throw new PngDecodeError("BadFileFormat");
      }
      out[at + i] = (source[i]! + predicted) & 0xff;
    }
  }
  return out;
}

/** The image of a PNG file; 16-bit samples come out as native values (a Uint16Array). */
export function decodePng(bytes: Uint8Array): RawImage {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new PngDecodeError("BadFileFormat");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Uint8Array | undefined;
  const data: Uint8Array[] = [];
  for (let pos = 8; pos + 8 <= bytes.length;) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos + 12 + length > bytes.length) throw new PngDecodeError("BadFileFormat");
    const body = bytes.subarray(pos + 8, pos + 8 + length);
    if (type === "IHDR") header = body;
    else if (type === "IDAT") data.push(body);
    else if (type === "IEND") break;
    pos += 12 + length;
  }
  if (!header || header.length < 13 || data.length === 0) throw new PngDecodeError("BadFileFormat");
  const hv = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const width = hv.getUint32(0);
  const height = hv.getUint32(4);
  const layout = layoutOf(header[9]!, header[8]!);
  if (!layout || header[12] !== 0) throw new PngDecodeError("NotImplemented");
  if (width === 0 || height === 0) throw new PngDecodeError("BadFileFormat");
  const rowBytes = width * layout.bpp;
  const expected = (rowBytes + 1) * height;
  if (expected > MAX_BYTES) throw new PngDecodeError("BadFileFormat");
  let raw: Uint8Array;
  try {
    // Inflating no further than the image needs: a small file cannot expand into gigabytes.
    raw = new Uint8Array(inflateSync(Buffer.concat(data), { maxOutputLength: expected }));
  } catch {
    throw new PngDecodeError("BadFileFormat");
  }
  if (raw.length < (rowBytes + 1) * height) throw new PngDecodeError("BadFileFormat");
  const pixels = unfilter(raw, height, rowBytes, layout.bpp);
  if (layout.format !== "Grayscale16") return { format: layout.format, width, height, pixels };
  // PNG stores 16-bit samples big endian.
  const samples = new Uint16Array(width * height);
  for (let i = 0; i < samples.length; i++) samples[i] = (pixels[2 * i]! << 8) | pixels[2 * i + 1]!;
  return { format: "Grayscale16", width, height, pixels: samples };
}
