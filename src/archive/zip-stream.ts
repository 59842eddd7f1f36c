// Streamed ZIP archives: entries written one after the other as they are read, stored (not
// deflated), with ZIP64 records where an archive passes 65,535 entries or 4 GiB. The writer is
// yazl (npm, MIT): it streams with backpressure, writes ZIP64 by itself only where needed, has
// no native part (one executable), depends on nothing but a CRC-32, and is maintained and
// widely used; zip-stream/archiver pull in a dozen packages for the same result.
import { PassThrough, Readable } from "node:stream";
import { ZipFile } from "yazl";

/** One entry: its bytes are asked for only when the writer reaches it. */
export interface ZipSource {
  name: string;
  open(): Promise<Uint8Array | AsyncIterable<Uint8Array>>;
}

export interface ZipOptions {
  comment?: string;
  /** Told once per entry written, with its index (for a job's progress). */
  onEntry?: (index: number) => void;
  mtime?: Date;
}

/** A running archive: its bytes, and a way to stop it (a client gone, a job canceled). */
export interface ZipWriting {
  output: Readable;
  /** Stops at the next entry boundary or at once; the output then ends with an error. */
  abort(reason: Error): void;
}

export class ZipAborted extends Error {}

export function writeZipStream(
  entries: readonly ZipSource[],
  options: ZipOptions = {},
): ZipWriting {
  const zip = new ZipFile();
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  let failure: Error | undefined;
  let current: Readable | undefined;
  const fail = (error: Error) => {
    if (failure) return;
    failure = error;
    current?.destroy();
    output.destroy(error);
  };
  zip.on("error", (error: Error) => fail(error));
  (zip.outputStream as Readable).on("error", (error: Error) => fail(error)).pipe(output);
  const mtime = options.mtime ?? new Date();
  entries.forEach((entry, index) => {
    zip.addReadStreamLazy(entry.name, { compress: false, mtime }, (done) => {
      if (failure) return done(failure, Readable.from([]));
      entry.open().then(
        (data) => {
          if (failure) return done(failure, Readable.from([]));
          current = data instanceof Uint8Array
            ? Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)])
            : Readable.from(data);
          current.once("end", () => options.onEntry?.(index));
          done(null, current);
        },
        (error: Error) => {
          fail(error);
          done(error, Readable.from([]));
        },
      );
    });
  });
  zip.end({ comment: options.comment ?? "", forceZip64Format: false });
  return { output, abort: (reason) => fail(reason) };
}

/**
 * The archive as a web stream for an HTTP answer: pulled at the client's pace, and aborted
 * when the client goes away.
 */
export function zipResponseStream(writing: ZipWriting): ReadableStream<Uint8Array> {
  const { output } = writing;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      output.on("data", (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) output.pause();
      });
      output.once("end", () => controller.close());
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
