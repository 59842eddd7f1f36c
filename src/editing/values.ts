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
    const parts = text === "" ? [] : text.split("\\");
    const out = new Uint8Array(parts.length * number.size);
    parts.forEach((part, i) => {
      const n = vr === "AT" ? parseInt(part.replace(/[(),]/g, ""), 16) : Number(part.trim());
      if (part.trim() === "" || !Number.isFinite(n)) {
        const name = `${hex(tag >>> 16)},${hex(tag & 0xffff)}`;
        throw new EditError(
          "BadFileFormat",
          `While creating a DICOM instance, tag (${name}) has out-of-range value: "${text}"`,
        );
      }
      number.write(new DataView(out.buffer, i * number.size, number.size), n, littleEndian);
    });
    return out;
  }
  const uri = DATA_URI.exec(text);
  if (uri) return Uint8Array.from(atob(text.slice(uri[0].length)), (c) => c.charCodeAt(0));
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}
