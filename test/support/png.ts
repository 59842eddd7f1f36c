// A PNG reader for the image tests: enough to compare the pixels of two answers (8/16-bit gray,
// RGB, RGBA; every filter type; no interlacing).
import { inflateSync } from "node:zlib";

export interface PngImage {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** Samples row by row (16-bit ones as numbers). */
  samples: number[];
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function decodePng(file: Uint8Array): PngImage {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let pos = 8;
  let width = 0, height = 0, bitDepth = 0, colorType = 0;
  const idat: Uint8Array[] = [];
  while (pos < file.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...file.subarray(pos + 4, pos + 8));
    const data = file.subarray(pos + 8, pos + 8 + length);
    if (type === "IHDR") {
      const h = new DataView(data.buffer, data.byteOffset, data.byteLength);
      width = h.getUint32(0);
      height = h.getUint32(4);
      bitDepth = data[8]!;
      colorType = data[9]!;
      if (data[12] !== 0) throw new Error("interlaced PNG");
    } else if (type === "IDAT") idat.push(data);
    pos += 12 + length;
  }
  const raw = new Uint8Array(inflateSync(Buffer.concat(idat)));
  const bpp = (CHANNELS[colorType]! * bitDepth) / 8;
  const rowBytes = width * bpp;
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (rowBytes + 1)]!;
    const line = raw.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
    const at = y * rowBytes;
    for (let x = 0; x < rowBytes; x++) {
      const a = x >= bpp ? out[at + x - bpp]! : 0;
      const b = y > 0 ? out[at - rowBytes + x]! : 0;
      const c = x >= bpp && y > 0 ? out[at - rowBytes + x - bpp]! : 0;
      let v = line[x]!;
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[at + x] = v & 0xff;
    }
  }
  const samples: number[] = [];
  if (bitDepth === 16) {
    for (let i = 0; i < out.length; i += 2) samples.push((out[i]! << 8) | out[i + 1]!);
  } else for (const v of out) samples.push(v);
  return { width, height, bitDepth, colorType, samples };
}
