// The bytes of a value an edit gives as a string: text in the dataset's character set, numbers
// of binary VRs written in the file's byte order, bytes from a data URI.
import type { Tag } from "../dicom/tag.ts";
import { isTextVr } from "../dicom/vr.ts";
import { EditError } from "./errors.ts";
import { encodeText, usesCharset } from "./text.ts";

const NUMBERS: Record<
  string,
  { size: number; write: (v: DataView, n: number, le: boolean) => void }
> = {
  US: { size: 2, write: (v, n, le) => v.setUint16(0, n, le) },
  SS: { size: 2, write: (v, n, le) => v.setInt16(0, n, le) },
  UL: { size: 4, write: (v, n, le) => v.setUint32(0, n, le) },
  SL: { size: 4, write: (v, n, le) => v.setInt32(0, n, le) },
  FL: { size: 4, write: (v, n, le) => v.setFloat32(0, n, le) },
  FD: { size: 8, write: (v, n, le) => v.setFloat64(0, n, le) },
  AT: {
    size: 4,
    write: (v, n, le) => {
      v.setUint16(0, n >>> 16, le);
      v.setUint16(2, n & 0xffff, le);
    },
  },
};

const hex = (n: number) => n.toString(16).padStart(4, "0");

const INTEGER = /^[+-]?\d+$/;
const REAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const RANGES: Record<string, [number, number]> = {
  US: [0, 0xffff],
  SS: [-0x8000, 0x7fff],
  UL: [0, 0xffffffff],
  SL: [-0x80000000, 0x7fffffff],
};

/**
 * One number as Orthanc reads one (boost::lexical_cast to the VR's type): a single value, no
 * spaces; an unsigned type takes a negative value modulo its range ("-1" is 65535 in US).
 */
function parseNumber(vr: string, text: string): number | undefined {
  const range = RANGES[vr];
  if (!range) return REAL.test(text) ? Number(text) : undefined;
  if (!INTEGER.test(text)) return undefined;
  const n = Number(text);
  const [min, max] = range;
  if (min === 0) {
    if (Math.abs(n) > max) return undefined;
    return n < 0 ? max + 1 + n : n;
  }
  return n < min || n > max ? undefined : n;
}

const DATA_URI = /^data:[^;,]*;base64,/;

export function encodeValue(
  tag: Tag,
  vr: string,
  text: string,
  charset: string,
  littleEndian: boolean,
): Uint8Array {
  if (isTextVr(vr)) {
    return usesCharset(vr) ? encodeText(text, charset) : new TextEncoder().encode(text);
  }
  const number = NUMBERS[vr];
  if (number) {
    if (text === "") return new Uint8Array(0);
    const out = new Uint8Array(number.size);
    const n = vr === "AT" ? parseInt(text.replace(/[(),]/g, ""), 16) : parseNumber(vr, text);
    if (n === undefined || !Number.isFinite(n)) {
      const name = `${hex(tag >>> 16)},${hex(tag & 0xffff)}`;
      throw new EditError(
        "BadFileFormat",
        `While creating a DICOM instance, tag (${name}) has out-of-range value: "${text}"`,
      );
    }
    number.write(new DataView(out.buffer), n, littleEndian);
    return out;
  }
  const uri = DATA_URI.exec(text);
  if (uri) return Uint8Array.from(atob(text.slice(uri[0].length)), (c) => c.charCodeAt(0));
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}
