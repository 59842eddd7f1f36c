// The streamed ZIP writer (src/archive/zip-stream.ts) past the classic format's limits, on
// generated entries that are never stored: more than 65,535 entries, and more than 4 GiB.
import { expect, test } from "bun:test";
import type { Readable } from "node:stream";
import { writeZipStream, ZipAborted } from "../../src/archive/zip-stream.ts";
import { checkZipStream } from "../support/zip-check.ts";

async function* chunksOf(output: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of output) yield chunk as Uint8Array;
}

test("more than 65,535 entries: ZIP64 end records, every entry checked", async () => {
  const count = 65_536 + 10;
  const data = (i: number) => new TextEncoder().encode(`entry ${i}`);
  const writing = writeZipStream(
    Array.from(
      { length: count },
      (_, i) => ({ name: `d/${i}.dcm`, open: () => Promise.resolve(data(i)) }),
    ),
    { comment: "Created by Orthanc" },
  );
  const zip = await checkZipStream(chunksOf(writing.output), (i) => data(i).length);
  expect(zip.entries.length).toBe(count);
  expect(zip.entries.at(-1)!.name).toBe(`d/${count - 1}.dcm`);
  expect(zip.zip64).toBe(true);
  expect(zip.comment).toBe("Created by Orthanc");
}, 300_000);

test("more than 4 GiB: ZIP64 sizes and offsets, streamed with flat memory", async () => {
  const chunk = new Uint8Array(4 << 20).fill(7);
  const perEntry = 1100 << 20; // four of them pass 4 GiB
  async function* generated(): AsyncGenerator<Uint8Array> {
    for (let left = perEntry; left > 0; left -= chunk.length) yield chunk;
  }
  const names = ["a", "b", "c", "d", "tail"];
  const writing = writeZipStream(
    names.map((name) => ({
      name,
      open: () => Promise.resolve(name === "tail" ? new Uint8Array([1, 2, 3]) : generated()),
    })),
  );
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const watch = setInterval(() => rssPeak = Math.max(rssPeak, process.memoryUsage().rss), 50);
  const zip = await checkZipStream(chunksOf(writing.output), (i) => (i === 4 ? 3 : perEntry));
  clearInterval(watch);
  expect(zip.entries.map((e) => e.name)).toEqual(names);
  expect(zip.entries.at(-1)!.offset).toBeGreaterThan(2 ** 32);
  expect(zip.totalSize).toBeGreaterThan(4 * perEntry);
  expect(zip.zip64).toBe(true);
  expect(rssPeak - rssBefore).toBeLessThan(100 * 1024 * 1024);
}, 300_000);

test("an aborted archive ends its output with the error and opens no further entry", async () => {
  const opened: number[] = [];
  const writing = writeZipStream(Array.from({ length: 50 }, (_, i) => ({
    name: `${i}`,
    open: () => {
      opened.push(i);
      return Promise.resolve(new Uint8Array(1 << 16));
    },
  })));
  const failure = new Promise<Error>((resolve) => writing.output.once("error", resolve));
  writing.output.once("data", () => writing.abort(new ZipAborted("client gone")));
  writing.output.resume();
  expect((await failure).message).toBe("client gone");
  const count = opened.length;
  await new Promise((resolve) => setImmediate(resolve));
  expect(opened.length).toBe(count);
  expect(count).toBeLessThan(50);
});
