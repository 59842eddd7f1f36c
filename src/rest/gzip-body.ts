// A gzip-encoded upload (POST /instances with Content-Encoding: gzip), inflated as Orthanc does:
// into a buffer of the size the gzip trailer announces, from the first member only; the answer
// must fill it exactly. Orthanc's errors follow zlib's: a stream that stops short or overflows
// is a bad file format, corrupt data an internal error, a wrong size "not implemented".
import { constants, crc32, inflateRawSync } from "node:zlib";
import { OrthancError } from "../server/errors.ts";

/**
 * The largest inflated upload, so that a small body cannot claim unbounded memory (a trailer may
 * announce up to 4 GiB). Orthanc would try to allocate it; past this, Pharos answers as Orthanc
 * does when the allocation fails.
 */
export const MAX_INFLATED_UPLOAD = 1024 * 1024 * 1024;

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED_FLAGS = 0xe0;

const truncated = () => new OrthancError("BadFileFormat");
// zlib's Z_DATA_ERROR: Orthanc's internal error, without details.
const corrupt = () => new OrthancError("InternalError");

/** Where the deflate stream starts, after the member's header (RFC 1952). */
function headerLength(bytes: Uint8Array): number {
  if (bytes.length < 10) throw truncated();
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw corrupt();
  if (bytes[2] !== 8) throw corrupt();
  const flags = bytes[3]!;
  if (flags & RESERVED_FLAGS) throw corrupt();
  let at = 10;
  if (flags & FEXTRA) {
    if (bytes.length < at + 2) throw truncated();
    at += 2 + (bytes[at]! | (bytes[at + 1]! << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    const end = bytes.indexOf(0, at);
    if (end < 0) throw truncated();
    at = end + 1;
  }
  if (flags & FHCRC) {
    if (bytes.length < at + 2) throw truncated();
    const expected = bytes[at]! | (bytes[at + 1]! << 8);
    if ((crc32(bytes.subarray(0, at)) & 0xffff) !== expected) throw corrupt();
    at += 2;
  }
  if (at > bytes.length) throw truncated();
  return at;
}

function uint32At(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
}

export function inflateUpload(body: Uint8Array, limit = MAX_INFLATED_UPLOAD): Uint8Array {
  if (body.length < 4) throw truncated();
  // Orthanc's guess of the size: the last four bytes of the body (the last member's ISIZE).
  const size = uint32At(body, body.length - 4);
  // Past the limit, only a stream that really inflates that far is refused (as when Orthanc
  // fails to allocate); a shorter one fails as it fails in Orthanc.
  const capacity = Math.min(size, limit);
  const overflow = () => capacity === size ? truncated() : new OrthancError("NotEnoughMemory");
  const start = headerLength(body);
  let out: Uint8Array;
  let consumed: number;
  try {
    // One byte more than the capacity tells an overflow from an exact fit.
    const result = inflateRawSync(body.subarray(start), {
      maxOutputLength: capacity + 1,
      info: true,
    }) as unknown as { buffer: Uint8Array; engine: { bytesWritten: number } };
    // Viewed in place: a copy would double the cost of a large upload.
    out = new Uint8Array(result.buffer.buffer, result.buffer.byteOffset, result.buffer.byteLength);
    consumed = result.engine.bytesWritten;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "Z_BUF_ERROR") throw truncated();
    if (code === "ERR_BUFFER_TOO_LARGE") throw overflow();
    throw corrupt();
  }
  if (out.length > capacity) throw overflow();
  const trailer = start + consumed;
  if (body.length < trailer + 8) throw truncated();
  if (uint32At(body, trailer) !== crc32(out) >>> 0) throw corrupt();
  if (uint32At(body, trailer + 4) !== out.length >>> 0) throw corrupt();
  if (out.length !== size) {
    throw new OrthancError(
      "NotImplemented",
      "The uncompressed size of a gzip-encoded buffer was not properly guessed",
    );
  }
  return out;
}

/** The size a gzip body announces for its content (its last four bytes, as Orthanc reads it). */
export function announcedSize(body: Uint8Array): number {
  if (body.length < 4) throw truncated();
  return uint32At(body, body.length - 4);
}

/**
 * At most `length` first bytes of a gzip body's content, inflating no more than needed: whether
 * an upload can be DICOM is told before it is inflated whole (a 1 MB body may hold 1 GiB).
 */
export function inflatedHead(body: Uint8Array, length: number): Uint8Array {
  const deflated = body.subarray(headerLength(body));
  // Deflate expands at most ~1032 times: a few bytes of input give the head, and no more.
  for (let take = 64;; take *= 4) {
    const prefix = deflated.subarray(0, take);
    let out: Uint8Array;
    try {
      out = inflateRawSync(prefix, {
        maxOutputLength: 1032 * prefix.length + 1024,
        finishFlush: constants.Z_SYNC_FLUSH,
      });
    } catch {
      throw corrupt();
    }
    if (out.length >= length || prefix.length === deflated.length) return out.subarray(0, length);
  }
}
