// Reads the entries of a ZIP archive (stored or deflated, ZIP64 sizes), from its central directory.
import { inflateRawSync } from "node:zlib";

export interface ZipEntry {
  name: string;
  read(): Uint8Array;
}

export class ZipFormatError extends Error {}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 &&
    bytes[3] === 0x04;
}

function findEndOfCentralDirectory(view: DataView): number {
  for (let pos = view.byteLength - 22; pos >= Math.max(0, view.byteLength - 22 - 65535); pos--) {
    if (view.getUint32(pos, true) === 0x06054b50) return pos;
  }
  throw new ZipFormatError("no end of central directory");
}

export function readZip(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (offset === 0xffffffff || count === 0xffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== 0x07064b50) {
      throw new ZipFormatError("bad ZIP64 locator");
    }
    const eocd64 = Number(view.getBigUint64(locator + 8, true));
    count = Number(view.getBigUint64(eocd64 + 32, true));
    offset = Number(view.getBigUint64(eocd64 + 48, true));
  }
  const entries: ZipEntry[] = [];
  let pos = offset;
  for (let i = 0; i < count; i++) {
    if (pos + 46 > bytes.length || view.getUint32(pos, true) !== 0x02014b50) {
      throw new ZipFormatError("bad central directory");
    }
    const method = view.getUint16(pos + 10, true);
    let compressedSize = view.getUint32(pos + 20, true);
    const nameLength = view.getUint16(pos + 28, true);
    const extraLength = view.getUint16(pos + 30, true);
    const commentLength = view.getUint16(pos + 32, true);
    let localOffset = view.getUint32(pos + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(pos + 46, pos + 46 + nameLength));
    // ZIP64 extra field: the 64-bit values appear only for fields saturated at 0xFFFFFFFF.
    let extra = pos + 46 + nameLength;
    const extraEnd = extra + extraLength;
    const uncompressed32 = view.getUint32(pos + 24, true);
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const size = view.getUint16(extra + 2, true);
      if (id === 0x0001) {
        let p = extra + 4;
        if (uncompressed32 === 0xffffffff) p += 8;
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(view.getBigUint64((p += 8) - 8, true));
        }
        if (localOffset === 0xffffffff) localOffset = Number(view.getBigUint64(p, true));
      }
      extra += 4 + size;
    }
    pos = extraEnd + commentLength;
    if (name.endsWith("/")) continue;
    entries.push({
      name,
      read: () => {
        if (view.getUint32(localOffset, true) !== 0x04034b50) {
          throw new ZipFormatError("bad local header");
        }
        const start = localOffset + 30 + view.getUint16(localOffset + 26, true) +
          view.getUint16(localOffset + 28, true);
        const data = bytes.subarray(start, start + compressedSize);
        if (method === 0) return data;
        if (method === 8) return new Uint8Array(inflateRawSync(data));
        throw new ZipFormatError(`unsupported compression method ${method}`);
      },
    });
  }
  return entries;
}
