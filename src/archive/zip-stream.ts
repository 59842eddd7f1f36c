// Streamed ZIP archives: entries written one after the other as they are read, stored (not
// deflated), with ZIP64 records where an archive passes 65,535 entries or 4 GiB. The writer is
// yazl (npm, MIT): it streams with backpressure, writes ZIP64 by itself only where needed, has
// no native part (one executable), depends on nothing but a CRC-32, and is maintained and
// widely used; zip-stream/archiver pull in a dozen packages for the same result.
import { Readable, type Writable } from "node:stream";
import { crc32 } from "node:zlib";
import { ZipFile } from "yazl";

// yazl computes each entry's CRC-32 through buffer-crc32, one byte at a time in JavaScript: at
// about 160 MiB/s it was the whole cost of an archive. zlib's native CRC-32 keeps the same
// contract (a running unsigned value), so yazl's copy of buffer-crc32 is given it. `require`
// reaches the CommonJS instance yazl itself requires (an import would get the ESM one).
const yazlCrc32 = require("buffer-crc32") as {
  unsigned: (data: Uint8Array, previous?: number) => number;
};
yazlCrc32.unsigned = (data, previous) => crc32(data, previous ?? 0);

/** One entry: its bytes are asked for only when the writer is ready for them. */
export interface ZipSource {
  name: string;
  /**
   * The entry's bytes, whole (written with its sizes and CRC-32 in its local header) or as a
   * stream (sizes and CRC-32 follow the data). Undefined leaves the entry out of the archive.
   */
  open(): Promise<Uint8Array | AsyncIterable<Uint8Array> | undefined>;
}

export interface ZipOptions {
  comment?: string;
  /** Told once per entry handled (written or left out), with its index (a job's progress). */
  onEntry?: (index: number) => void;
  mtime?: Date;
}

/** A running archive: its bytes, and a way to stop it (a client gone, a job canceled). */
export interface ZipWriting {
  output: Readable;
  /** Stops at once: no further entry is opened, and the output ends with this error. */
  abort(reason: Error): void;
}

export class ZipAborted extends Error {}

/** What the writer may hold, not yet read, before it opens the next entry. */
const HELD = 1 << 20;

/**
 * Writes the entries in order. An entry is opened only once what the writer holds has drained
 * to the reader, so that memory stays flat whatever the archive's size.
 */
export function writeZipStream(
  entries: readonly ZipSource[],
  options: ZipOptions = {},
): ZipWriting {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable & Writable;
  let failure: Error | undefined;
  let current: Readable | undefined;
  const fail = (error: Error) => {
    if (failure) return;
    failure = error;
    current?.destroy();
    output.destroy(error);
  };
  zip.on("error", (error: Error) => fail(error));
  const mtime = options.mtime ?? new Date();
  const drained = () =>
    new Promise<void>((resolve) => {
      if (output.writableLength < HELD || failure) return resolve();
      output.once("drain", resolve);
      output.once("close", resolve);
    });
  const run = async () => {
    for (const [index, entry] of entries.entries()) {
      await drained();
      if (failure) return;
      const data = await entry.open();
      if (failure) return;
      if (data instanceof Uint8Array) {
        zip.addBuffer(Buffer.from(data.buffer, data.byteOffset, data.byteLength), entry.name, {
          compress: false,
          mtime,
        });
      } else if (data) {
        current = Readable.from(data);
        const ended = new Promise((resolve) =>
          current!.once("end", resolve).once("close", resolve)
        );
        zip.addReadStream(current, entry.name, { compress: false, mtime });
        await ended;
      }
      options.onEntry?.(index);
    }
    zip.end({ comment: options.comment ?? "", forceZip64Format: false });
  };
  run().catch((error: Error) => fail(error));
  return { output, abort: (reason) => fail(reason) };
}

/** Small pieces (headers, descriptors) are sent together, up to this size, rather than alone. */
const COALESCED = 256 << 10;

/**
 * The archive as a web stream for an HTTP answer: pulled at the client's pace, and aborted
 * when the client goes away.
 */
export function zipResponseStream(writing: ZipWriting): ReadableStream<Uint8Array> {
  const { output } = writing;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const take = (): Uint8Array => {
    const out = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return out;
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      output.on("data", (chunk: Buffer) => {
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes < COALESCED) return;
        controller.enqueue(take());
        if ((controller.desiredSize ?? 0) <= 0) output.pause();
      });
      output.once("end", () => {
        if (pendingBytes > 0) controller.enqueue(take());
        controller.close();
      });
      output.once("error", (error) => controller.error(error));
      output.pause();
    },
    pull() {
      output.resume();
    },
    cancel() {
      writing.abort(new ZipAborted("The client closed the connection"));
    },
  }, { highWaterMark: 4 << 20, size: (chunk?: Uint8Array) => chunk?.byteLength ?? 0 });
}
