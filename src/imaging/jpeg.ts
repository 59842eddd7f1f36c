// A baseline JPEG encoder (ITU T.81) for 8-bit gray and RGB images: JFIF, YCbCr without
// subsampling, the quality scaling of the IJG tables, and Huffman tables computed for each image
// (any table is valid in baseline, and optimal ones make smaller files than Annex K's).
import { ZIGZAG } from "./jpeg-zigzag.ts";
import type { RawImage } from "./types.ts";

/** T.81 Annex K tables, natural order, which the quality scales. */
const LUMINANCE = [
  16,
  11,
  10,
  16,
  24,
  40,
  51,
  61,
  12,
  12,
  14,
  19,
  26,
  58,
  60,
  55,
  14,
  13,
  16,
  24,
  40,
  57,
  69,
  56,
  14,
  17,
  22,
  29,
  51,
  87,
  80,
  62,
  18,
  22,
  37,
  56,
  68,
  109,
  103,
  77,
  24,
  35,
  55,
  64,
  81,
  104,
  113,
  92,
  49,
  64,
  78,
  87,
  103,
  121,
  120,
  101,
  72,
  92,
  95,
  98,
  112,
  100,
  103,
  99,
];
const CHROMINANCE = [
  17,
  18,
  24,
  47,
  99,
  99,
  99,
  99,
  18,
  21,
  26,
  66,
  99,
  99,
  99,
  99,
  24,
  26,
  56,
  99,
  99,
  99,
  99,
  99,
  47,
  66,
  99,
  ...Array<number>(37).fill(99),
];

function scaled(table: number[], quality: number): number[] {
  const scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  return table.map((v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

/** cos((2x+1)uπ/16), with the C(u) factor folded in. */
const COS = (() => {
  const t = new Float64Array(64);
  for (let u = 0; u < 8; u++) {
    for (let x = 0; x < 8; x++) {
      t[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
    }
  }
  return t;
})();

const coefficient = new Int16Array(64);
const rows = new Float64Array(64);

/** Forward DCT of a level-shifted block, quantized, in zigzag order. */
function transform(block: Float64Array, quant: number[], out: Int16Array, at: number): void {
  for (let y = 0; y < 8; y++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < 8; x++) s += block[y * 8 + x]! * COS[u * 8 + x]!;
      rows[y * 8 + u] = s / 2;
    }
  }
  for (let v = 0; v < 8; v++) {
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let y = 0; y < 8; y++) s += rows[y * 8 + u]! * COS[v * 8 + y]!;
      const natural = v * 8 + u;
      coefficient[natural] = Math.round(s / 2 / quant[natural]!);
    }
  }
  for (let k = 0; k < 64; k++) out[at + k] = coefficient[ZIGZAG[k]!]!;
}

/** The number of bits of |value| (the JPEG "category"). */
const category = (value: number) => (value === 0 ? 0 : 32 - Math.clz32(Math.abs(value)));

export interface Huffman {
  /** Symbols per code length 1..16 (the DHT counts) and the symbols in code order. */
  counts: number[];
  symbols: number[];
  code: Uint16Array;
  length: Uint8Array;
}

/** Code lengths of a Huffman code for the frequencies, at most 16 bits, none all ones. */
export function buildHuffman(frequencies: Uint32Array): Huffman {
  let freq = Array.from(frequencies);
  // A reserved symbol with the least frequency takes the all-ones code (T.81 K.2).
  freq[256] = 1;
  for (;;) {
    const lengths = huffmanLengths(freq);
    const longest = Math.max(...lengths);
    if (longest <= 16) {
      // Swapping two code lengths keeps a valid code: give the reserved symbol a longest one, so
      // that it, sorted last, takes the all-ones code.
      if (lengths[256] !== longest) {
        const other = lengths.findIndex((len) => len === longest);
        [lengths[256], lengths[other]] = [longest, lengths[256]!];
      }
      const order = freq.map((_, s) => s).filter((s) => lengths[s]! > 0)
        .sort((a, b) => lengths[a]! - lengths[b]! || (a === 256 ? 1 : b === 256 ? -1 : a - b));
      const counts = Array<number>(17).fill(0);
      for (const s of order) counts[lengths[s]!]!++;
      const table: Huffman = {
        counts: counts.slice(1),
        symbols: order.filter((s) => s !== 256),
        code: new Uint16Array(256),
        length: new Uint8Array(256),
      };
      table.counts[lengths[256]! - 1]!--;
      let code = 0;
      let at = 0;
      for (let len = 1; len <= 16; len++) {
        for (let i = 0; i < counts[len]!; i++) {
          const s = order[at++]!;
          if (s !== 256) {
            table.code[s] = code;
            table.length[s] = len;
          }
          code++;
        }
        code <<= 1;
      }
      return table;
    }
    // Too deep: flatten the frequencies and build again.
    freq = freq.map((f) => (f > 0 ? Math.max(1, f >> 1) : 0));
  }
}

function huffmanLengths(freq: number[]): number[] {
  // Merge the two lightest nodes until one is left; a leaf's depth is its code length.
  const weight = [...freq];
  const parent = Array<number>(freq.length).fill(-1);
  const alive = new Set(freq.flatMap((f, s) => (f > 0 ? [s] : [])));
  while (alive.size > 1) {
    let a = -1, b = -1;
    for (const n of alive) {
      if (a < 0 || weight[n]! < weight[a]!) [a, b] = [n, a];
      else if (b < 0 || weight[n]! < weight[b]!) b = n;
    }
    const node = weight.length;
    weight.push(weight[a]! + weight[b]!);
    parent.push(-1);
    parent[a] = node;
    parent[b] = node;
    alive.delete(a);
    alive.delete(b);
    alive.add(node);
  }
  return freq.map((f, s) => {
    if (f === 0) return 0;
    let depth = 0;
    for (let n = s; parent[n]! >= 0; n = parent[n]!) depth++;
    return depth;
  });
}

class BitWriter {
  private bytes = new Uint8Array(1 << 16);
  private size = 0;
  private buffer = 0;
  private count = 0;

  private push(byte: number): void {
    if (this.size === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.size++] = byte;
  }

  /** Appends the `length` (≤ 16) low bits of `value`, most significant first. */
  write(value: number, length: number): void {
    this.buffer = (this.buffer << length) | (value & ((1 << length) - 1));
    this.count += length;
    while (this.count >= 8) {
      const byte = (this.buffer >>> (this.count - 8)) & 0xff;
      this.push(byte);
      if (byte === 0xff) this.push(0); // byte stuffing
      this.count -= 8;
    }
    this.buffer &= (1 << this.count) - 1;
  }

  /** The entropy-coded segment, its last byte padded with ones. */
  finish(): Uint8Array {
    if (this.count > 0) this.write(0x7f, 8 - this.count);
    return this.bytes.subarray(0, this.size);
  }
}

/** Encodes an 8-bit gray or RGB(A) image; quality 1–100 (Orthanc's default is 90). */
export function encodeJpeg(image: RawImage, quality = 90): Uint8Array {
  const { width, height, format } = image;
  if (format !== "Grayscale8" && format !== "RGB24" && format !== "RGBA32") {
    throw new TypeError(`JPEG holds 8-bit samples only, not ${format}`);
  }
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`Bad JPEG quality: ${quality}`);
  }
  const pixels = new Uint8Array(
    image.pixels.buffer,
    image.pixels.byteOffset,
    image.pixels.byteLength,
  );
  const channels = format === "Grayscale8" ? 1 : 3;
  const stride = format === "RGBA32" ? 4 : channels;
  const quant = [scaled(LUMINANCE, quality), scaled(CHROMINANCE, quality)];
  const bw = Math.ceil(width / 8), bh = Math.ceil(height / 8);
  const coefficients = Array.from({ length: channels }, () => new Int16Array(bw * bh * 64));
  const block = Array.from({ length: channels }, () => new Float64Array(64));
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          // Past the edge, the last row and column repeat.
          const px = Math.min(bx * 8 + x, width - 1), py = Math.min(by * 8 + y, height - 1);
          const at = (py * width + px) * stride;
          if (channels === 1) block[0]![y * 8 + x] = pixels[at]! - 128;
          else {
            const r = pixels[at]!, g = pixels[at + 1]!, b = pixels[at + 2]!;
            block[0]![y * 8 + x] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
            block[1]![y * 8 + x] = -0.168736 * r - 0.331264 * g + 0.5 * b;
            block[2]![y * 8 + x] = 0.5 * r - 0.418688 * g - 0.081312 * b;
          }
        }
      }
      for (let c = 0; c < channels; c++) {
        transform(block[c]!, quant[c === 0 ? 0 : 1]!, coefficients[c]!, (by * bw + bx) * 64);
      }
    }
  }

  // First pass: the symbol frequencies of each table (0: luminance, 1: chrominance).
  const dcFreq = [new Uint32Array(257), new Uint32Array(257)];
  const acFreq = [new Uint32Array(257), new Uint32Array(257)];
  const scan = (
    emitDc: (table: number, diff: number) => void,
    emitAc: (table: number, run: number, value: number) => void,
  ) => {
    const previous = Array<number>(channels).fill(0);
    for (let b = 0; b < bw * bh; b++) {
      for (let c = 0; c < channels; c++) {
        const t = c === 0 ? 0 : 1;
        const coef = coefficients[c]!;
        const at = b * 64;
        emitDc(t, coef[at]! - previous[c]!);
        previous[c] = coef[at]!;
        let run = 0;
        for (let k = 1; k < 64; k++) {
          const v = coef[at + k]!;
          if (v === 0) {
            run++;
            continue;
          }
          while (run > 15) {
            emitAc(t, 15, 0); // ZRL
            run -= 16;
          }
          emitAc(t, run, v);
          run = 0;
        }
        if (run > 0) emitAc(t, 0, 0); // EOB
      }
    }
  };
  scan(
    (t, diff) => dcFreq[t]![category(diff)]!++,
    (t, run, v) => acFreq[t]![(run << 4) | category(v)]!++,
  );
  const tables = channels === 1 ? 1 : 2;
  const dc = dcFreq.slice(0, tables).map(buildHuffman);
  const ac = acFreq.slice(0, tables).map(buildHuffman);

  // Second pass: the entropy-coded data.
  const bits = new BitWriter();
  const magnitude = (v: number, size: number) => (v < 0 ? v + (1 << size) - 1 : v);
  scan(
    (t, diff) => {
      const size = category(diff);
      bits.write(dc[t]!.code[size]!, dc[t]!.length[size]!);
      if (size > 0) bits.write(magnitude(diff, size), size);
    },
    (t, run, v) => {
      const size = category(v);
      const symbol = (run << 4) | size;
      bits.write(ac[t]!.code[symbol]!, ac[t]!.length[symbol]!);
      if (size > 0) bits.write(magnitude(v, size), size);
    },
  );

  const out: number[] = [0xff, 0xd8];
  const segment = (marker: number, body: number[]) =>
    out.push(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body);
  segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]); // JFIF 1.01
  for (let t = 0; t < tables; t++) segment(0xdb, [t, ...ZIGZAG.map((k) => quant[t]![k]!)]);
  const components = Array.from({ length: channels }, (_, c) => c);
  segment(0xc0, [
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    channels,
    ...components.flatMap((c) => [c + 1, 0x11, c === 0 ? 0 : 1]),
  ]);
  for (let t = 0; t < tables; t++) {
    segment(0xc4, [t, ...dc[t]!.counts, ...dc[t]!.symbols]);
    segment(0xc4, [0x10 | t, ...ac[t]!.counts, ...ac[t]!.symbols]);
  }
  segment(0xda, [
    channels,
    ...components.flatMap((c) => [c + 1, c === 0 ? 0x00 : 0x11]),
    0,
    63,
    0,
  ]);
  const data = bits.finish();
  const file = new Uint8Array(out.length + data.length + 2);
  file.set(out);
  file.set(data, out.length);
  file.set([0xff, 0xd9], out.length + data.length);
  return file;
}
