// A codec worker: runs the WASM decoders and encoders off the main thread, one job at a time.
// An entry point of the executable (build.ts), which embeds the WASM module through the import.
import { parentPort } from "node:worker_threads";
import wasmPath from "dcmjs-codecs/build/dcmjs-native-codecs.wasm" with { type: "file" };
import { loadCodecs, runJob } from "./codestreams.ts";
import type { CodecAnswer, CodecRequest } from "./jobs.ts";

const port = parentPort!;
port.on("message", async ({ id, job }: CodecRequest) => {
  let answer: CodecAnswer;
  try {
    await loadCodecs(wasmPath);
    answer = { id, output: runJob(job) };
  } catch (error) {
    answer = { id, error: error instanceof Error ? error.message : String(error) };
  }
  // A codec may hand back a view of its own memory, which must not be transferred away.
  if (
    "output" in answer && answer.output.bytes.byteLength !== answer.output.bytes.buffer.byteLength
  ) {
    answer.output.bytes = answer.output.bytes.slice();
  }
  const transfer = "output" in answer ? [answer.output.bytes.buffer as ArrayBuffer] : [];
  port.postMessage(answer, transfer);
});
