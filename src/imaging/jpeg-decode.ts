// A JPEG decoder (ITU T.81, sequential and progressive Huffman, 8-bit) for gray and YCbCr images,
// as Orthanc 1.10.1 reads one through libjpeg(-turbo): every scan into a coefficient buffer, then
// the integer "islow" inverse DCT, fancy (triangle) upsampling of 2x1 and 2x2 chroma, and the
// integer YCbCr → RGB conversion, so that the pixels come out as that library's. Lossless,
// hierarchical, arithmetic-coded and 12-bit files are refused.
import { ZIGZAG } from "./jpeg-zigzag.ts";
import type { RawImage } from "./types.ts";

/** Why a JPEG cannot be read: not a JPEG (BadFileFormat), or a coding not supported here. */
export class JpegDecodeError extends Error {
  constructor(readonly kind: "BadFileFormat" | "NotImplemented") {
    super(kind === "BadFileFormat" ? "Not a valid JPEG file" : "Unsupported JPEG coding");
  }
}

const bad = () => new JpegDecodeError("BadFileFormat");

/**
 * A canonical Huffman table (T.81 F.2.2.3): the smallest and largest code of each length, and
 * where the symbols of that length start.
 */
interface HuffmanTable {
  maxcode: Int32Array;
  mincode: Int32Array;
  valptr: Int32Array;
  symbols: Uint8Array;
}

function huffmanTable(counts: Uint8Array, symbols: Uint8Array): HuffmanTable {
  const maxcode = new Int32Array(17).fill(-1);
  const mincode = new Int32Array(17);
  const valptr = new Int32Array(17);
  let code = 0;
  let at = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1]!;
    if (n > 0) {
      valptr[len] = at;
      mincode[len] = code;
      code += n;
      at += n;
      maxcode[len] = code - 1;
    }
    code <<= 1;
  }
  return { maxcode, mincode, valptr, symbols: Uint8Array.from(symbols) };
}

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  /** Its quantization table, latched when its first scan starts (as libjpeg does). */
  quant?: Uint16Array;
  /** The blocks of the component, blocksPerLine × blocksPerColumn, 64 coefficients each. */
  blocksPerLine: number;
  blocksPerColumn: number;
  coefficients: Int16Array;
  /** The samples, once every scan is read. */
  samples: Uint8Array;
  dc?: HuffmanTable;
  ac?: HuffmanTable;
  pred: number;
}

/** A scan's spectral selection and successive approximation (T.81 B.2.3). */
interface ScanParams {
  ss: number;
  se: number;
  ah: number;
  al: number;
  progressive: boolean;
}

class BitReader {
  private bits = 0;
  private count = 0;
  constructor(private readonly data: Uint8Array, public pos: number) {}

  bit(): number {
    if (this.count === 0) {
      if (this.pos >= this.data.length) throw bad();
      let byte = this.data[this.pos]!;
      if (byte === 0xff && this.data[this.pos + 1] !== 0) {
        // A marker: the entropy-coded data is over, and libjpeg feeds zeros from here.
        byte = 0;
      } else {
        this.pos += byte === 0xff ? 2 : 1;
      }
      this.bits = byte;
      this.count = 8;
    }
    this.count--;
    return (this.bits >> this.count) & 1;
  }

  receive(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | this.bit();
    return v;
  }

  decode(table: HuffmanTable): number {
    let code = 0;
    for (let len = 1; len <= 16; len++) {
      code = (code << 1) | this.bit();
      if (code <= table.maxcode[len]!) {
        return table.symbols[table.valptr[len]! + code - table.mincode[len]!]!;
      }
    }
    throw bad();
  }

  /** Skips to the restart marker that follows, and past it. */
  restart(): void {
    this.count = 0;
    while (this.pos + 1 < this.data.length) {
      if (
        this.data[this.pos] === 0xff && this.data[this.pos + 1]! >= 0xd0 &&
        this.data[this.pos + 1]! <= 0xd7
      ) {
        this.pos += 2;
        return;
      }
      this.pos++;
    }
  }
}

const extend = (v: number, n: number) => (n === 0 ? 0 : v < 1 << (n - 1) ? v - (1 << n) + 1 : v);

// The integer inverse DCT of Loeffler, Ligtenberg and Moschytz, scaled by 2^13 (IJG's islow).
const CONST_BITS = 13;
const PASS1_BITS = 2;
const F0_298 = 2446;
const F0_390 = 3196;
const F0_541 = 4433;
const F0_765 = 6270;
const F0_899 = 7373;
const F1_175 = 9633;
const F1_501 = 12299;
const F1_847 = 15137;
const F1_961 = 16069;
const F2_053 = 16819;
const F2_562 = 20995;
const F3_072 = 25172;

/** A right shift with rounding, on numbers past 32 bits too (libjpeg computes in 64 bits). */
function descale(x: number, n: number): number {
  const y = x + (1 << (n - 1));
  return y >= -0x80000000 && y <= 0x7fffffff ? y >> n : Math.floor(y / 2 ** n);
}

/** The sample of an output value, through IJG's range-limit table (a clamp for sane values). */
function rangeLimit(x: number): number {
  const v = x & 1023;
  if (v < 128) return v + 128;
  if (v < 512) return 255;
  if (v < 896) return 0;
  return v - 896;
}

/** One 1-D pass over the 8 values of `src` at base, base + step…; the 8 outputs go to LINE. */
function idct1d(src: Float64Array, base: number, step: number): void {
  const out = LINE;
  let z2 = src[base + 2 * step]!;
  let z3 = src[base + 6 * step]!;
  let z1 = (z2 + z3) * F0_541;
  let tmp2 = z1 + z3 * -F1_847;
  let tmp3 = z1 + z2 * F0_765;
  z2 = src[base]!;
  z3 = src[base + 4 * step]!;
  let tmp0 = (z2 + z3) * (1 << CONST_BITS);
  let tmp1 = (z2 - z3) * (1 << CONST_BITS);
  const tmp10 = tmp0 + tmp3;
  const tmp13 = tmp0 - tmp3;
  const tmp11 = tmp1 + tmp2;
  const tmp12 = tmp1 - tmp2;
  tmp0 = src[base + 7 * step]!;
  tmp1 = src[base + 5 * step]!;
  tmp2 = src[base + 3 * step]!;
  tmp3 = src[base + 1 * step]!;
  z1 = tmp0 + tmp3;
  z2 = tmp1 + tmp2;
  z3 = tmp0 + tmp2;
  let z4 = tmp1 + tmp3;
  const z5 = (z3 + z4) * F1_175;
  tmp0 *= F0_298;
  tmp1 *= F2_053;
  tmp2 *= F3_072;
  tmp3 *= F1_501;
  z1 *= -F0_899;
  z2 *= -F2_562;
  z3 = z3 * -F1_961 + z5;
  z4 = z4 * -F0_390 + z5;
  tmp0 += z1 + z3;
  tmp1 += z2 + z4;
  tmp2 += z2 + z3;
  tmp3 += z1 + z4;
  out[0] = tmp10 + tmp3;
  out[7] = tmp10 - tmp3;
  out[1] = tmp11 + tmp2;
  out[6] = tmp11 - tmp2;
  out[2] = tmp12 + tmp1;
  out[5] = tmp12 - tmp1;
  out[3] = tmp13 + tmp0;
  out[4] = tmp13 - tmp0;
}

const LINE = new Float64Array(8);
const DEQUANTIZED = new Float64Array(64);
const WORK = new Float64Array(64);

function idctBlock(
  coef: Int16Array,
  quant: Uint16Array,
  out: Uint8Array,
  at: number,
  stride: number,
) {
  for (let i = 0; i < 64; i++) DEQUANTIZED[i] = coef[i]! * quant[i]!;
  for (let col = 0; col < 8; col++) {
    idct1d(DEQUANTIZED, col, 8);
    for (let i = 0; i < 8; i++) WORK[i * 8 + col] = descale(LINE[i]!, CONST_BITS - PASS1_BITS);
  }
  for (let row = 0; row < 8; row++) {
    idct1d(WORK, row * 8, 1);
    for (let i = 0; i < 8; i++) {
      out[at + row * stride + i] = rangeLimit(descale(LINE[i]!, CONST_BITS + PASS1_BITS + 3));
    }
  }
}

interface Frame {
  width: number;
  height: number;
  components: Component[];
  hmax: number;
  vmax: number;
  mcusPerLine: number;
  mcusPerColumn: number;
}

/** Decodes the blocks of one scan into the components' coefficients. */
function decodeScan(
  data: Uint8Array,
  pos: number,
  frame: Frame,
  scan: Component[],
  params: ScanParams,
  restartInterval: number,
): number {
  const reader = new BitReader(data, pos);
  const { ss, se, ah, al } = params;
  let eobrun = 0;
  const sequential = (c: Component, coef: Int16Array, at: number) => {
    const t = reader.decode(c.dc!);
    c.pred += extend(reader.receive(t), t);
    coef[at] = c.pred;
    for (let k = 1; k < 64;) {
      const rs = reader.decode(c.ac!);
      const s = rs & 15;
      const r = rs >> 4;
      if (s === 0) {
        if (r < 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) throw bad();
      coef[at + ZIGZAG[k]!] = extend(reader.receive(s), s);
      k++;
    }
  };
  const dcFirst = (c: Component, coef: Int16Array, at: number) => {
    const t = reader.decode(c.dc!);
    c.pred += extend(reader.receive(t), t);
    coef[at] = c.pred * (1 << al);
  };
  const dcRefine = (_c: Component, coef: Int16Array, at: number) => {
    if (reader.bit()) coef[at]! |= 1 << al;
  };
  const acFirst = (c: Component, coef: Int16Array, at: number) => {
    if (eobrun > 0) {
      eobrun--;
      return;
    }
    for (let k = ss; k <= se;) {
      const rs = reader.decode(c.ac!);
      const s = rs & 15;
      const r = rs >> 4;
      if (s === 0) {
        if (r < 15) {
          eobrun = (1 << r) - 1 + (r ? reader.receive(r) : 0);
          break;
        }
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) throw bad();
      coef[at + ZIGZAG[k]!] = extend(reader.receive(s), s) * (1 << al);
      k++;
    }
  };
  const p1 = 1 << al;
  const m1 = -1 << al;
  /** A coefficient already nonzero gets its next bit (T.81 G.1.2.3). */
  const refine = (coef: Int16Array, z: number) => {
    if (reader.bit() && (coef[z]! & p1) === 0) coef[z]! += coef[z]! >= 0 ? p1 : m1;
  };
  const acRefine = (c: Component, coef: Int16Array, at: number) => {
    let k = ss;
    if (eobrun === 0) {
      for (; k <= se; k++) {
        const rs = reader.decode(c.ac!);
        let r = rs >> 4;
        let value = 0;
        if (rs & 15) value = reader.bit() ? p1 : m1;
        else if (r !== 15) {
          eobrun = (1 << r) + (r ? reader.receive(r) : 0);
          break;
        }
        // Past r zero coefficients (refining the nonzero ones on the way), to the new one's place.
        for (; k <= se; k++) {
          const z = at + ZIGZAG[k]!;
          if (coef[z] !== 0) refine(coef, z);
          else if (--r < 0) break;
        }
        if (value && k <= se) coef[at + ZIGZAG[k]!] = value;
      }
    }
    if (eobrun > 0) {
      for (; k <= se; k++) {
        const z = at + ZIGZAG[k]!;
        if (coef[z] !== 0) refine(coef, z);
      }
      eobrun--;
    }
  };
  const decode = !params.progressive
    ? sequential
    : ss === 0
    ? (ah === 0 ? dcFirst : dcRefine)
    : (ah === 0 ? acFirst : acRefine);
  const block = (c: Component, row: number, col: number) => {
    // Blocks past the component's last row or column (MCU padding) are decoded and dropped.
    const inside = row < c.blocksPerColumn && col < c.blocksPerLine;
    const coef = inside ? c.coefficients : PADDING.fill(0);
    decode(c, coef, inside ? (row * c.blocksPerLine + col) * 64 : 0);
  };
  const single = scan.length === 1;
  const c0 = scan[0]!;
  // A scan of one component covers its own blocks only, not the MCUs' padding.
  const perLine = single
    ? Math.ceil(Math.ceil(frame.width * c0.h / frame.hmax) / 8)
    : frame.mcusPerLine;
  const total = single
    ? perLine * Math.ceil(Math.ceil(frame.height * c0.v / frame.vmax) / 8)
    : frame.mcusPerLine * frame.mcusPerColumn;
  for (let n = 0; n < total; n++) {
    if (restartInterval > 0 && n > 0 && n % restartInterval === 0) {
      reader.restart();
      for (const c of scan) c.pred = 0;
      eobrun = 0;
    }
    const mcuRow = Math.floor(n / perLine);
    const mcuCol = n % perLine;
    if (single) {
      block(c0, mcuRow, mcuCol);
      continue;
    }
    for (const c of scan) {
      for (let v = 0; v < c.v; v++) {
        for (let h = 0; h < c.h; h++) block(c, mcuRow * c.v + v, mcuCol * c.h + h);
      }
    }
  }
  return reader.pos;
}

const PADDING = new Int16Array(64);

/** The samples of every block of a component, from its coefficients (IJG's islow IDCT). */
function inverseTransform(c: Component): void {
  const q = c.quant;
  if (!q) throw bad();
  const stride = c.blocksPerLine * 8;
  for (let row = 0; row < c.blocksPerColumn; row++) {
    for (let col = 0; col < c.blocksPerLine; col++) {
      const at = (row * c.blocksPerLine + col) * 64;
      idctBlock(
        c.coefficients.subarray(at, at + 64),
        q,
        c.samples,
        row * 8 * stride + col * 8,
        stride,
      );
    }
  }
}

/** A chroma plane brought to full size with libjpeg's fancy (triangle) upsampling. */
interface Plane {
  plane: Uint8Array;
  stride: number;
}

function upsample(c: Component, frame: Frame): Plane {
  const stride = c.blocksPerLine * 8;
  const sx = frame.hmax / c.h;
  const sy = frame.vmax / c.v;
  if (sx === 1 && sy === 1) return { plane: c.samples, stride };
  const width = Math.ceil(frame.width * c.h / frame.hmax);
  const height = Math.ceil(frame.height * c.v / frame.vmax);
  const outStride = width * sx;
  const out = new Uint8Array(outStride * height * sy);
  const at = (x: number, y: number) => c.samples[y * stride + x]!;
  const row = (sum: (x: number) => number, scale: number, dest: number) => {
    // Horizontal triangle filter of a row (or of column sums for 2x2), libjpeg's rounding.
    const [bias0, bias1, shift] = scale === 1 ? [1, 2, 2] : [8, 7, 4];
    if (width === 1) {
      out[dest] = out[dest + 1] = scale === 1 ? sum(0) : (sum(0) * 4 + 8) >> 4;
      return;
    }
    for (let x = 0; x < width; x++) {
      const here = sum(x) * 3;
      const left = x > 0 ? sum(x - 1) : sum(x);
      const right = x < width - 1 ? sum(x + 1) : sum(x);
      if (scale === 1) {
        out[dest + 2 * x] = x === 0 ? sum(0) : (here + left + bias0) >> shift;
        out[dest + 2 * x + 1] = x === width - 1 ? sum(x) : (here + right + bias1) >> shift;
      } else {
        out[dest + 2 * x] = x === 0 ? (sum(0) * 4 + 8) >> 4 : (here + left + bias0) >> shift;
        out[dest + 2 * x + 1] = x === width - 1
          ? (sum(x) * 4 + 7) >> 4
          : (here + right + bias1) >> shift;
      }
    }
  };
  if (sx === 2 && sy === 1) {
    for (let y = 0; y < height; y++) row((x) => at(x, y), 1, y * outStride);
    return { plane: out, stride: outStride };
  }
  if (sx === 2 && sy === 2) {
    for (let y = 0; y < height; y++) {
      for (const half of [0, 1]) {
        const other = half === 0 ? Math.max(0, y - 1) : Math.min(height - 1, y + 1);
        row((x) => at(x, y) * 3 + at(x, other), 4, (2 * y + half) * outStride);
      }
    }
    return { plane: out, stride: outStride };
  }
  throw new JpegDecodeError("NotImplemented");
}

/** What a JPEG file's frame header says, read without decoding it. */
export interface JpegHeader {
  width: number;
  height: number;
  components: number;
  /** Baseline: sequential Huffman coding of 8-bit samples (SOF0). */
  baseline: boolean;
  /** Whether the chroma is subsampled horizontally (YBR_FULL_422 in DICOM's terms). */
  subsampled: boolean;
  /** An Adobe marker's transform: 0 for RGB components, undefined when absent. */
  adobeTransform: number | undefined;
}

/** The frame header of a JPEG file, or BadFileFormat when there is none. */
export function readJpegHeader(data: Uint8Array): JpegHeader {
  if (data[0] !== 0xff || data[1] !== 0xd8) throw bad();
  let adobeTransform: number | undefined;
  for (let pos = 2; pos + 4 <= data.length;) {
    if (data[pos] !== 0xff) throw bad();
    const marker = data[pos + 1]!;
    const length = (data[pos + 2]! << 8) | data[pos + 3]!;
    const body = data.subarray(pos + 4, pos + 2 + length);
    if (marker === 0xee && String.fromCharCode(...body.subarray(0, 5)) === "Adobe") {
      adobeTransform = body[11];
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (body.length < 6) throw bad();
      const components = body[5]!;
      const h = Array.from({ length: components }, (_, i) => body[7 + 3 * i]! >> 4);
      return {
        width: (body[3]! << 8) | body[4]!,
        height: (body[1]! << 8) | body[2]!,
        components,
        baseline: marker === 0xc0 && body[0] === 8,
        subsampled: h.some((x) => x !== h[0]),
        adobeTransform,
      };
    }
    pos += 2 + length;
  }
  throw bad();
}

const FIX = (x: number) => Math.round(x * 65536);
const ONE_HALF = 1 << 15;

/** The pixels of a baseline JPEG file: Grayscale8, or RGB24 from YCbCr. */
export function decodeJpeg(data: Uint8Array): RawImage {
  if (data[0] !== 0xff || data[1] !== 0xd8) throw bad();
  const quant: Uint16Array[] = [];
  const dcTables: HuffmanTable[] = [];
  const acTables: HuffmanTable[] = [];
  let frame: Frame | undefined;
  let restartInterval = 0;
  let progressive = false;
  let adobeTransform: number | undefined;
  let pos = 2;
  const u16 = (p: number) => (data[p]! << 8) | data[p + 1]!;
  while (pos + 4 <= data.length) {
    if (data[pos] !== 0xff) {
      pos++;
      continue;
    }
    const marker = data[pos + 1]!;
    if (marker === 0xd9) break;
    if (marker === 0xff || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      pos += marker === 0xff ? 1 : 2;
      continue;
    }
    const length = u16(pos + 2);
    const body = data.subarray(pos + 4, pos + 2 + length);
    if (pos + 2 + length > data.length) throw bad();
    switch (marker) {
      case 0xdb:
        for (let p = 0; p < body.length;) {
          const precision = body[p]! >> 4;
          const id = body[p]! & 15;
          const table = new Uint16Array(64);
          for (let k = 0; k < 64; k++) {
            table[ZIGZAG[k]!] = precision ? u16(pos + 4 + p + 1 + 2 * k) : body[p + 1 + k]!;
          }
          quant[id] = table;
          p += 1 + (precision ? 128 : 64);
        }
        break;
      case 0xc4:
        for (let p = 0; p < body.length;) {
          const tc = body[p]! >> 4;
          const id = body[p]! & 15;
          const counts = body.subarray(p + 1, p + 17);
          const n = counts.reduce((a, b) => a + b, 0);
          const table = huffmanTable(counts, body.subarray(p + 17, p + 17 + n));
          (tc === 0 ? dcTables : acTables)[id] = table;
          p += 17 + n;
        }
        break;
      case 0xdd:
        restartInterval = u16(pos + 4);
        break;
      case 0xee:
        if (String.fromCharCode(...body.subarray(0, 5)) === "Adobe") adobeTransform = body[11];
        break;
      case 0xc0:
      case 0xc1:
      case 0xc2: {
        if (body[0] !== 8) throw new JpegDecodeError("NotImplemented");
        progressive = marker === 0xc2;
        const height = u16(pos + 5);
        const width = u16(pos + 7);
        const count = body[5]!;
        if (width === 0 || height === 0 || (count !== 1 && count !== 3)) {
          throw new JpegDecodeError("NotImplemented");
        }
        const components: Component[] = [];
        for (let i = 0; i < count; i++) {
          const p = 6 + 3 * i;
          components.push({
            id: body[p]!,
            h: body[p + 1]! >> 4,
            v: body[p + 1]! & 15,
            tq: body[p + 2]!,
            blocksPerLine: 0,
            blocksPerColumn: 0,
            coefficients: new Int16Array(0),
            samples: new Uint8Array(0),
            pred: 0,
          });
        }
        if (components.some((c) => c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4)) throw bad();
        // A block takes at least two bits of the file (a DC and an end-of-block code): a size
        // the file cannot hold is refused before anything is allocated for it.
        if (width * height > 256 * data.length) throw bad();
        const hmax = Math.max(...components.map((c) => c.h));
        const vmax = Math.max(...components.map((c) => c.v));
        const mcusPerLine = Math.ceil(width / (8 * hmax));
        const mcusPerColumn = Math.ceil(height / (8 * vmax));
        for (const c of components) {
          c.blocksPerLine = mcusPerLine * c.h;
          c.blocksPerColumn = mcusPerColumn * c.v;
          c.coefficients = new Int16Array(c.blocksPerLine * c.blocksPerColumn * 64);
          c.samples = new Uint8Array(c.blocksPerLine * c.blocksPerColumn * 64);
        }
        frame = { width, height, components, hmax, vmax, mcusPerLine, mcusPerColumn };
        break;
      }
      case 0xda: {
        if (!frame) throw bad();
        const count = body[0]!;
        const tail = 1 + 2 * count;
        const params: ScanParams = {
          ss: body[tail]!,
          se: body[tail + 1]!,
          ah: body[tail + 2]! >> 4,
          al: body[tail + 2]! & 15,
          progressive,
        };
        if (
          progressive && (params.se > 63 || params.ss > params.se || (params.ss > 0 && count > 1))
        ) {
          throw bad();
        }
        const needsDc = !progressive || (params.ss === 0 && params.ah === 0);
        const needsAc = !progressive || params.ss > 0;
        const scan: Component[] = [];
        for (let i = 0; i < count; i++) {
          const c = frame.components.find((x) => x.id === body[1 + 2 * i]);
          if (!c) throw bad();
          c.dc = dcTables[body[2 + 2 * i]! >> 4];
          c.ac = acTables[body[2 + 2 * i]! & 15];
          if ((needsDc && !c.dc) || (needsAc && !c.ac)) throw bad();
          c.quant ??= quant[c.tq];
          c.pred = 0;
          scan.push(c);
        }
        pos = decodeScan(data, pos + 2 + length, frame, scan, params, restartInterval);
        continue;
      }
      default:
        // Lossless, hierarchical and arithmetic coding.
        if (
          marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
          marker !== 0xcc
        ) {
          throw new JpegDecodeError("NotImplemented");
        }
    }
    pos += 2 + length;
  }
  if (!frame) throw bad();
  for (const c of frame.components) inverseTransform(c);
  return toImage(frame, adobeTransform);
}

function toImage(frame: Frame, adobeTransform: number | undefined): RawImage {
  const { width, height, components } = frame;
  if (components.length === 1) {
    const c = components[0]!;
    const stride = c.blocksPerLine * 8;
    const pixels = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      pixels.set(c.samples.subarray(y * stride, y * stride + width), y * width);
    }
    return { format: "Grayscale8", width, height, pixels };
  }
  const planes = components.map((c) => upsample(c, frame));
  const pixels = new Uint8Array(width * height * 3);
  // An Adobe marker with transform 0 says the components are RGB already.
  const ycc = adobeTransform !== 0;
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
  const [p0, p1, p2] = planes as [Plane, Plane, Plane];
  const crR = FIX(1.402);
  const cbG = FIX(0.34414);
  const crG = FIX(0.71414);
  const cbB = FIX(1.772);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = p0.plane[y * p0.stride + x]!;
      const b = p1.plane[y * p1.stride + x]!;
      const c = p2.plane[y * p2.stride + x]!;
      const o = (y * width + x) * 3;
      if (!ycc) {
        pixels[o] = a;
        pixels[o + 1] = b;
        pixels[o + 2] = c;
        continue;
      }
      const cb = b - 128;
      const cr = c - 128;
      pixels[o] = clamp(a + ((crR * cr + ONE_HALF) >> 16));
      pixels[o + 1] = clamp(a + ((-cbG * cb + ONE_HALF - crG * cr) >> 16));
      pixels[o + 2] = clamp(a + ((cbB * cb + ONE_HALF) >> 16));
    }
  }
  return { format: "RGB24", width, height, pixels };
}
