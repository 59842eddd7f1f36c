// A metadata worker: turns the bytes of a batch of instances into their WADO-RS metadata text,
// beside the server's thread. An entry point of the executable (build.ts).
import { parentPort } from "node:worker_threads";
import { metadataOf } from "./metadata-json.ts";
import { warmUp } from "./metadata-warm-up.ts";
import type { MetadataAnswer, MetadataRequest } from "./metadata-workers.ts";

const port = parentPort!;
port.on("message", ({ id, fallback, items }: MetadataRequest) => {
  const texts = items.map((item) => {
    try {
      return metadataOf(item, fallback, item.url) ?? null;
    } catch {
      // The server's thread computes it again, and answers the error as it does.
      return null;
    }
  });
  const answer: MetadataAnswer = { id, texts };
  port.postMessage(answer);
});
warmUp();
port.postMessage("ready");
