// A streaming ZIP checker for archives too large to keep: it walks the bytes as they come
// (local header, stored data, data descriptor, then the central directory and its ZIP64 end
// records) and checks every size, offset and CRC-32 against what it has seen, keeping only the
// current entry's header and running CRC in memory.
import { crc32 } from "node:zlib";

export interface CheckedEntry {
  name: string;
  size: number;
  crc: number;
  offset: number;
}

export interface CheckedZip {
  entries: CheckedEntry[];
  totalSize: number;
  zip64: boolean;
  comment: string;
}

/** Reads exactly what it is asked for from a stream of chunks, keeping no more than that. */
class Cursor {
  private buffer = new Uint8Array(0);
  position = 0;
  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.buffer.length < n) {
      const next = await this.source.next();
      if (next.done) return false;
      const joined = new Uint8Array(this.buffer.length + next.value.length);
      joined.set(this.buffer);
      joined.set(next.value, this.buffer.length);
      this.buffer = joined;
    }
    return true;
  }

  async read(n: number): Promise<Uint8Array> {
    if (!(await this.fill(n))) throw new Error(`ZIP truncated at ${this.position}`);
    const out = this.buffer.slice(0, n);
    this.buffer = this.buffer.subarray(n);
    this.position += n;
    return out;
  }

  /** Streams `n` bytes through `each` without keeping them. */
  async skip(n: number, each: (chunk: Uint8Array) => void): Promise<void> {
    while (n > 0) {
      if (this.buffer.length === 0 && !(await this.fill(1))) throw new Error("ZIP truncated");
      const part = this.buffer.subarray(0, Math.min(n, this.buffer.length));
      each(part);
      this.buffer = this.buffer.subarray(part.length);
      this.position += part.length;
      n -= part.length;
    }
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }
}

const u16 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint16(at, true);
const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const u64 = (b: Uint8Array, at: number) =>
  Number(new DataView(b.buffer, b.byteOffset).getBigUint64(at, true));

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`Bad ZIP: ${what}`);
}

/**
 * Checks a streamed ZIP of stored entries (as src/archive/zip-stream.ts writes them). `sizes`
 * gives the size of the entries written with a data descriptor, by index: their data alone
 * cannot tell where it ends.
 */
export async function checkZipStream(
  chunks: AsyncIterable<Uint8Array>,
  sizes: (index: number) => number,
): Promise<CheckedZip> {
  const cursor = new Cursor(chunks[Symbol.asyncIterator]());
  const decoder = new TextDecoder();
  const seen: CheckedEntry[] = [];
  for (;;) {
    const offset = cursor.position;
    const signature = u32(await cursor.read(4), 0);
    if (signature === 0x02014b50) break;
    expect(signature === 0x04034b50, `local header expected at ${offset}`);
    const header = await cursor.read(26);
    expect(u16(header, 4) === 0, "stored entries");
    const name = decoder.decode(await cursor.read(u16(header, 22)));
    await cursor.read(u16(header, 24));
    // Without flag 3, the local header has the sizes and CRC-32; with it, a descriptor follows.
    const described = (u16(header, 2) & 8) !== 0;
    const size = described ? sizes(seen.length) : u32(header, 18);
    expect(described || u32(header, 14) === size, `local sizes of ${name}`);
    let crc = 0;
    await cursor.skip(size, (part) => crc = crc32(part, crc));
    if (!described) expect(u32(header, 10) === crc, `local CRC-32 of ${name}`);
    else {
      const descriptor = await cursor.read(16);
      expect(u32(descriptor, 0) === 0x08074b50, `data descriptor of ${name}`);
      expect(u32(descriptor, 4) === crc, `CRC-32 of ${name}`);
      // A ZIP64 descriptor has 8-byte sizes: read the rest when the 4-byte ones do not match.
      if (u32(descriptor, 8) !== size || u32(descriptor, 12) !== size) {
        const rest = await cursor.read(8);
        const full = new Uint8Array(24);
        full.set(descriptor);
        full.set(rest, 16);
        expect(u64(full, 8) === size && u64(full, 16) === size, `ZIP64 sizes of ${name}`);
      }
    }
    seen.push({ name, size, crc, offset });
  }
  // The central directory: one record per entry, in order, with the same facts.
  const centralStart = cursor.position - 4;
  let zip64 = false;
  for (let i = 0; i < seen.length; i++) {
    if (i > 0) expect(u32(await cursor.read(4), 0) === 0x02014b50, `central record ${i}`);
    const record = await cursor.read(42);
    const name = decoder.decode(await cursor.read(u16(record, 24)));
    const extra = await cursor.read(u16(record, 26));
    await cursor.read(u16(record, 28));
    const entry = seen[i]!;
    expect(name === entry.name, `central name ${i}`);
    expect(u32(record, 12) === entry.crc, `central CRC of ${name}`);
    // Sizes and offset at 0xffffffff are in the ZIP64 extra field, in that order.
    const wanted = [[u32(record, 20), entry.size], [u32(record, 16), entry.size], [
      u32(record, 38),
      entry.offset,
    ]] as const;
    let at = 0;
    let extraStart = -1;
    for (let e = 0; e < extra.length; e += 4 + u16(extra, e + 2)) {
      if (u16(extra, e) === 1) extraStart = e + 4;
    }
    for (const [short, value] of wanted) {
      if (short === 0xffffffff) {
        zip64 = true;
        expect(extraStart >= 0, `ZIP64 extra field of ${name}`);
        expect(u64(extra, extraStart + at) === value, `ZIP64 value of ${name}`);
        at += 8;
      } else expect(short === value, `central size or offset of ${name}`);
    }
  }
  const centralSize = cursor.position - centralStart;
  let signature = u32(await cursor.read(4), 0);
  if (signature === 0x06064b50) {
    zip64 = true;
    const record = await cursor.read(52);
    expect(u64(record, 20) === seen.length, "ZIP64 entry count");
    expect(u64(record, 36) === centralSize, "ZIP64 central directory size");
    expect(u64(record, 44) === centralStart, "ZIP64 central directory offset");
    expect(u32(await cursor.read(4), 0) === 0x07064b50, "ZIP64 locator");
    await cursor.read(16);
    signature = u32(await cursor.read(4), 0);
  }
  expect(signature === 0x06054b50, "end of central directory");
  const end = await cursor.read(18);
  const count = u16(end, 6);
  expect(count === Math.min(seen.length, 0xffff), "entry count");
  const comment = decoder.decode(await cursor.read(u16(end, 16)));
  expect(await cursor.atEnd(), "nothing after the end record");
  return { entries: seen, totalSize: cursor.position, zip64, comment };
}
