// A metadata worker: turns a batch of instances (their bytes, or the files to read) into their
// WADO-RS metadata text, beside the server's thread. An entry point of the executable (build.ts).
import { closeSync, openSync, readSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { endsInDelimiter, type HeaderCut, pixelDataEndsFile } from "./header-cut.ts";
import { type MetadataBytes, metadataOf } from "./metadata-json.ts";
import { warmUp } from "./metadata-warm-up.ts";
import type { MetadataAnswer, MetadataItem, MetadataRequest } from "./metadata-workers.ts";

/** The file up to its pixel data's value, in one read; undefined where it must be read whole. */
function readCut(path: string, cut: HeaderCut): MetadataBytes | undefined {
  const fd = openSync(path, "r");
  try {
    const bytes = new Uint8Array(cut.length);
    if (readSync(fd, bytes, 0, cut.length, 0) !== cut.length) return undefined;
    let ends = pixelDataEndsFile(bytes, cut);
    if (ends === "tail") {
      const tail = new Uint8Array(8);
      ends = readSync(fd, tail, 0, 8, cut.size - 8) === 8 && endsInDelimiter(tail);
    }
    return ends ? { bytes, pixelDataAt: cut.pixelDataAt } : undefined;
  } finally {
    closeSync(fd);
  }
}

function textOf(item: MetadataItem, fallback: MetadataRequest["fallback"]): string | null {
  try {
    const source = "bytes" in item ? item : readCut(item.path, item.cut);
    return (source && metadataOf(source, fallback, item.url)) ?? null;
  } catch {
    // The server's thread computes it again, and answers the error as it does.
    return null;
  }
}

const port = parentPort!;
port.on("message", ({ id, fallback, items }: MetadataRequest) => {
  const answer: MetadataAnswer = { id, texts: items.map((item) => textOf(item, fallback)) };
  port.postMessage(answer);
});
warmUp();
port.postMessage("ready");
