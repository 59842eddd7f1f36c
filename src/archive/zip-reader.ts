// Reads the entries of a ZIP archive (stored or deflated, ZIP64 sizes), from its central directory.
// An entry is inflated only when asked, one at a time, never past the size the archive declares
// for it, and its first bytes can be looked at without inflating the rest: a 1 MB archive holding
// 1 GiB of zeros costs what a caller reads of it, not 1 GiB.
import { constants, crc32, inflateRawSync } from "node:zlib";

export interface ZipEntry {
  name: string;
  /** The uncompressed size the archive declares. */
  size: number;
  /** At most `length` first bytes of the content, inflating no more than needed to get them. */
  head(length: number): Uint8Array;
  /** The whole content, which may not exceed the declared size. */
  read(): Uint8Array;
}

/** What makes an archive unreadable as a whole (its central directory), or one of its entries. */
export class ZipFormatError extends Error {
  constructor(message: string, readonly scope: "archive" | "entry") {
    super(message);
  }
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 &&
    bytes[3] === 0x04;
}

const archiveError = (message: string) => new ZipFormatError(message, "archive");
const entryError = (message: string) => new ZipFormatError(message, "entry");

function findEndOfCentralDirectory(view: DataView): number {
  for (let pos = view.byteLength - 22; pos >= Math.max(0, view.byteLength - 22 - 65535); pos--) {
    if (view.getUint32(pos, true) === 0x06054b50) return pos;
  }
  throw archiveError("no end of central directory");
}

/** A 64-bit field as a number, refused past what the archive itself can hold. */
function offset64(view: DataView, at: number): number {
  if (at + 8 > view.byteLength) throw archiveError("a ZIP64 field lies outside the archive");
  const value = view.getBigUint64(at, true);
  if (value > BigInt(view.byteLength)) {
    throw archiveError("a ZIP64 offset lies outside the archive");
  }
  return Number(value);
}

export function readZip(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (offset === 0xffffffff || count === 0xffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== 0x07064b50) {
      throw archiveError("bad ZIP64 locator");
    }
    const eocd64 = offset64(view, locator + 8);
    if (eocd64 + 56 > bytes.length || view.getUint32(eocd64, true) !== 0x06064b50) {
      throw archiveError("bad ZIP64 end of central directory");
    }
    count = offset64(view, eocd64 + 32);
    offset = offset64(view, eocd64 + 48);
  }
  const entries: ZipEntry[] = [];
  let pos = offset;
  for (let i = 0; i < count; i++) {
    if (pos + 46 > bytes.length || view.getUint32(pos, true) !== 0x02014b50) {
      throw archiveError("bad central directory");
    }
    const method = view.getUint16(pos + 10, true);
    const crc = view.getUint32(pos + 16, true);
    let compressedSize = view.getUint32(pos + 20, true);
    let size = view.getUint32(pos + 24, true);
    const nameLength = view.getUint16(pos + 28, true);
    const extraLength = view.getUint16(pos + 30, true);
    const commentLength = view.getUint16(pos + 32, true);
    let localOffset = view.getUint32(pos + 42, true);
    const nameEnd = pos + 46 + nameLength;
    if (nameEnd + extraLength + commentLength > bytes.length) {
      throw archiveError("bad central directory");
    }
    const name = new TextDecoder().decode(bytes.subarray(pos + 46, nameEnd));
    // ZIP64 extra field: the 64-bit values appear only for fields saturated at 0xFFFFFFFF.
    let extra = nameEnd;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (id === 0x0001) {
        let p = extra + 4;
        if (size === 0xffffffff) size = Number(view.getBigUint64((p += 8) - 8, true));
        if (compressedSize === 0xffffffff) compressedSize = offset64(view, (p += 8) - 8);
        if (localOffset === 0xffffffff) localOffset = offset64(view, p);
      }
      extra += 4 + length;
    }
    pos = extraEnd + commentLength;
    if (name.endsWith("/")) continue;
    entries.push(entry(bytes, view, { name, method, crc, compressedSize, size, localOffset }));
  }
  return entries;
}

interface EntryRecord {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function entry(bytes: Uint8Array, view: DataView, e: EntryRecord): ZipEntry {
  const data = (): Uint8Array => {
    const { localOffset } = e;
    if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== 0x04034b50) {
      throw entryError("bad local header");
    }
    const start = localOffset + 30 + view.getUint16(localOffset + 26, true) +
      view.getUint16(localOffset + 28, true);
    if (start + e.compressedSize > bytes.length) throw entryError("entry data outside the archive");
    if (e.method !== 0 && e.method !== 8) {
      throw entryError(`unsupported compression method ${e.method}`);
    }
    return bytes.subarray(start, start + e.compressedSize);
  };
  const inflate = (input: Uint8Array, limit: number, partial: boolean): Uint8Array => {
    try {
      const out = inflateRawSync(input, {
        maxOutputLength: Math.max(1, limit),
        // A prefix of the compressed data inflates to what it holds, without an error.
        ...(partial ? { finishFlush: constants.Z_SYNC_FLUSH } : {}),
      });
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch {
      throw entryError("cannot inflate the entry, or it is larger than declared");
    }
  };
  return {
    name: e.name,
    size: e.size,
    head(length) {
      const compressed = data();
      if (e.method === 0) return compressed.subarray(0, length);
      // Deflate expands at most ~1032 times: a few bytes of input give the head, and no more.
      for (let take = 64;; take *= 4) {
        const prefix = compressed.subarray(0, take);
        const out = inflate(prefix, 1032 * prefix.length + 1024, true);
        if (out.length >= length || prefix.length === compressed.length) {
          return out.subarray(0, length);
        }
      }
    },
    read() {
      const compressed = data();
      const out = e.method === 0 ? compressed : inflate(compressed, e.size, false);
      if (out.length !== e.size) throw entryError("the entry is not of its declared size");
      // As Orthanc's reader: a content that does not match its checksum is a bad archive.
      if (crc32(out) >>> 0 !== e.crc) throw entryError("the entry does not match its CRC-32");
      return out;
    },
  };
}
