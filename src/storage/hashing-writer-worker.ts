// The hashing writer (hashing-writer.ts): writes each file it is sent, hashes it while the disk
// flushes it, and answers its MD5. An entry point of the executable (build.ts).
import { closeSync, writeSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { md5Hex } from "./compression.ts";
import { datasync, openInFolder } from "./new-file.ts";
import type { WriteAnswer, WriteRequest } from "./hashing-writer.ts";

const port = parentPort!;

async function write({ path, bytes, sync }: WriteRequest): Promise<string> {
  const fd = openInFolder(path);
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    const flushed = sync ? datasync(fd) : undefined;
    const md5 = md5Hex(bytes);
    await flushed;
    return md5;
  } finally {
    closeSync(fd);
  }
}

port.on("message", (request: WriteRequest) => {
  write(request).then(
    (md5) => port.postMessage({ id: request.id, md5 } satisfies WriteAnswer),
    (error: NodeJS.ErrnoException) =>
      port.postMessage(
        { id: request.id, error: error.message, code: error.code } satisfies WriteAnswer,
      ),
  );
});
