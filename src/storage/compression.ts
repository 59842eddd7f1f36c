// Orthanc's zlib attachment format: the uncompressed size as a little-endian uint64, then zlib.
import { deflateSync, inflateSync } from "node:zlib";

export function compressAttachment(data: Uint8Array): Uint8Array {
  // Orthanc's zlib writer stores empty content as an empty file, without the size prefix.
  if (data.length === 0) return new Uint8Array(0);
  const body = deflateSync(data);
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(data.length), true);
  out.set(body, 8);
  return out;
}

export function uncompressAttachment(data: Uint8Array): Uint8Array {
  if (data.length === 0) return new Uint8Array(0);
  if (data.length < 8) throw new Error("Corrupted compressed attachment");
  const size = Number(new DataView(data.buffer, data.byteOffset).getBigUint64(0, true));
  const out = new Uint8Array(inflateSync(data.subarray(8)));
  if (out.length !== size) throw new Error("Corrupted compressed attachment");
  return out;
}

export function md5Hex(data: Uint8Array): string {
  return new Bun.CryptoHasher("md5").update(data).digest("hex");
}
