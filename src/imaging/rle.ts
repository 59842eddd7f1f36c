// RLE Lossless (PS3.5 G): each frame is a header of segment offsets, then one PackBits segment
// per byte plane (most significant byte first, one sample after the other). Expanded to the
// native little-endian, color-by-plane layout that decodeNative reads.
import type { PixelModule } from "./image.ts";

function unpackBits(input: Uint8Array, out: Uint8Array): void {
  let i = 0, o = 0;
  while (i < input.length && o < out.length) {
    const n = (input[i++]! << 24) >> 24;
    if (n >= 0) {
      const count = Math.min(n + 1, out.length - o, input.length - i);
      out.set(input.subarray(i, i + count), o);
      i += count;
      o += count;
    } else if (n !== -128) {
      const count = Math.min(1 - n, out.length - o);
      out.fill(input[i++]!, o, o + count);
      o += count;
    }
  }
}

/** The frame's native bytes (planar when color), or undefined if the RLE data is malformed. */
export function expandRle(
  pm: Pick<PixelModule, "rows" | "columns" | "bitsAllocated" | "samplesPerPixel">,
  frame: Uint8Array,
): Uint8Array | undefined {
  if (frame.length < 64) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  const bytesPerSample = pm.bitsAllocated / 8;
  if (!Number.isInteger(bytesPerSample) || segments !== bytesPerSample * pm.samplesPerPixel) {
    return undefined;
  }
  const count = pm.rows * pm.columns;
  // A PackBits run of 2 bytes expands to 128 at most: Rows and Columns claiming more than the data
  // can hold are a damaged file, not a reason to allocate gigabytes.
  if (count * segments > 64 * frame.length) return undefined;
  const out = new Uint8Array(count * segments);
  const plane = new Uint8Array(count);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || end > frame.length || end < start) return undefined;
    plane.fill(0);
    unpackBits(frame.subarray(start, end), plane);
    const sample = Math.floor(s / bytesPerSample);
    // Segment 0 of a sample holds its most significant byte; native order is little endian.
    const byte = bytesPerSample - 1 - (s % bytesPerSample);
    const base = sample * count * bytesPerSample;
    for (let i = 0; i < count; i++) out[base + i * bytesPerSample + byte] = plane[i]!;
  }
  return out;
}
