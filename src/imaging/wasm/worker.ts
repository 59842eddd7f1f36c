// A codec worker: runs the WASM decoders and encoders off the main thread, one job at a time.
// An entry point of the executable (build.ts), which embeds the WASM modules through the imports.
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import wasmPath from "dcmjs-codecs/build/dcmjs-native-codecs.wasm" with { type: "file" };
import charlsPath from "@cornerstonejs/codec-charls/decodewasm" with { type: "file" };
import { loadCodecs, runJob } from "./codestreams.ts";
import type { CodecAnswer, CodecRequest } from "./jobs.ts";

/**
 * The codecs run below the priority of the server's thread, so that it answers at once while
 * they take every core (pool.ts). Linux sets a thread's priority by its id; elsewhere they keep
 * the server's priority.
 */
const NICER = 5;
try {
  const thread = Number(readlinkSync("/proc/thread-self").split("/").pop());
  setPriority(thread, Math.min(19, getPriority(thread) + NICER));
} catch {
  // Not Linux: no /proc/thread-self.
}

const port = parentPort!;
port.on("message", async ({ id, job }: CodecRequest) => {
  let answer: CodecAnswer;
  try {
    await loadCodecs(wasmPath, charlsPath);
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
