// Streamed ZIP archives: entries written one after the other as they are read, stored (not
// deflated), with ZIP64 records where an archive passes 65,535 entries or 4 GiB. The writer is
// yazl (npm, MIT): it streams with backpressure, writes ZIP64 by itself only where needed, has
// no native part (one executable), depends on nothing but a CRC-32, and is maintained and
// widely used; zip-stream/archiver pull in a dozen packages for the same result. It looks for the
// next entry to write from the start of its list, which made time grow with the square of the
// entry count (65,536 entries: tens of seconds): the entries it has written are kept aside until
// the central directory is due (`setAside`).
import { Readable, type Writable } from "node:stream";
import { crc32 } from "node:zlib";
import type { ZipFile } from "yazl";

let zipFileClass: typeof ZipFile | undefined;

/**
 * yazl, loaded with the first archive: at startup it cost ~4 MiB of a server's idle memory.
 *
 * yazl computes each entry's CRC-32 through buffer-crc32, one byte at a time in JavaScript: at
 * about 160 MiB/s it was the whole cost of an archive. zlib's native CRC-32 keeps the same
 * contract (a running unsigned value), so yazl's copy of buffer-crc32 is given it. `require`
 * reaches the CommonJS instance yazl itself requires (an import would get the ESM one).
 */
function yazlZipFile(): typeof ZipFile {
  if (!zipFileClass) {
    const yazlCrc32 = require("buffer-crc32") as {
      unsigned: (data: Uint8Array, previous?: number) => number;
    };
    yazlCrc32.unsigned = (data, previous) => crc32(data, previous ?? 0);
    zipFileClass = (require("yazl") as typeof import("yazl")).ZipFile;
  }
  return zipFileClass;
}

/** One entry: its bytes are asked for only when the writer is ready for them. */
export interface ZipSource {
  name: string;
  /** The entry's bytes, whole or as a stream; undefined leaves the entry out of the archive. */
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

/** A stream of one chunk that lets go of it once read (a stream over an array would keep it). */
function once(data: Uint8Array): Readable {
  let held: Buffer | undefined = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return new Readable({
    read() {
      if (held) this.push(held);
      held = undefined;
      this.push(null);
    },
  });
}

/** yazl's entry list, and its state of an entry whose bytes are all written (Entry.FILE_DATA_DONE). */
interface YazlEntries {
  entries: { state: number }[];
}
const FILE_DATA_DONE = 3;

/**
 * Moves the entries yazl has written from the head of its list to `done`, so that its search for
 * the next entry to write starts among the few in flight; `restore` puts them back, in order,
 * before the central directory is written from the list.
 */
function setAside(zip: ZipFile) {
  const list = zip as unknown as YazlEntries;
  const done: { state: number }[] = [];
  return {
    trim() {
      let n = 0;
      while (n < list.entries.length && list.entries[n]!.state >= FILE_DATA_DONE) n++;
      for (const entry of list.entries.splice(0, n)) done.push(entry);
    },
    restore() {
      list.entries = done.concat(list.entries);
    },
  };
}

/** Entries between two full garbage collections. */
const GC_EVERY = 1024;

/** What the writer may hold, not yet read, before it opens the next entry. */
const HELD = 1 << 20;
/** The bytes of the entries handed to yazl and not yet written, at most (one entry may pass). */
const IN_FLIGHT = 4 << 20;

/**
 * Writes the entries in order, each with a data descriptor after its bytes. An entry is opened
 * only when less than IN_FLIGHT bytes of earlier entries wait to be written and less than HELD
 * bytes wait for the reader, so that memory stays flat whatever the archive's size.
 */
export function writeZipStream(
  entries: readonly ZipSource[],
  options: ZipOptions = {},
): ZipWriting {
  const zip = new (yazlZipFile())();
  const aside = setAside(zip);
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
  // Entries in flight (handed to yazl, not yet written): a few small ones at once, so that
  // tiny entries do not wait for each other, but never more than IN_FLIGHT bytes.
  let inFlight = 0;
  let inFlightBytes = 0;
  let written: (() => void) | undefined;
  const room = async (size: number) => {
    while (!failure && inFlight > 0 && (inFlight >= 16 || inFlightBytes + size > IN_FLIGHT)) {
      await new Promise<void>((resolve) => written = resolve);
    }
  };
  const open = (index: number) =>
    failure || index >= entries.length ? undefined : entries[index]!.open();
  const run = async () => {
    // The next entry is read while the current one is handed over: one entry ahead, no more.
    let next = open(0);
    for (let index = 0; index < entries.length; index++) {
      const data = await next;
      if (failure) return;
      const size = data instanceof Uint8Array ? data.byteLength : IN_FLIGHT;
      await room(size);
      await drained();
      if (failure) return;
      next = open(index + 1);
      // A rejection waits for its turn, then fails the archive there.
      next?.catch(() => {});
      if (!data) {
        options.onEntry?.(index);
        continue;
      }
      // yazl keeps each entry's pump function to the end of the archive: the one given here
      // lets go of the entry's bytes once it has handed them over.
      let held: Uint8Array | AsyncIterable<Uint8Array> | undefined = data;
      inFlight++;
      inFlightBytes += size;
      aside.trim();
      // The files read so far are garbage, but JavaScriptCore collects them late enough for RSS
      // to grow by tens of MiB a GiB; a full collection every GC_EVERY entries keeps a 2 GB
      // archive's growth under 100 MiB for about 5 % of its speed (bench/archives.ts).
      if (index % GC_EVERY === GC_EVERY - 1) Bun.gc(true);
      zip.addReadStreamLazy(entries[index]!.name, { compress: false, mtime }, (done) => {
        const stream = held instanceof Uint8Array ? once(held) : Readable.from(held!);
        held = undefined;
        current = stream;
        stream.once("end", () => {
          inFlight--;
          inFlightBytes -= size;
          options.onEntry?.(index);
          written?.();
        });
        done(null, stream);
      });
    }
    await room(IN_FLIGHT);
    aside.restore();
    if (!failure) zip.end({ comment: options.comment ?? "", forceZip64Format: false });
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
