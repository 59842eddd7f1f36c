// A codec worker: runs the WASM decoders and encoders off the main thread, one job at a time.
// An entry point of the executable (build.ts), which embeds the WASM modules (modules.ts).
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { codecMemoryGrowth, loadCodecs, runJob } from "./codestreams.ts";
import { WASM_MODULES } from "./modules.ts";
import { warmUpSteps } from "./warm-up.ts";
import type { CodecAnswer, CodecRequest, CodecWorkerData } from "./jobs.ts";
import { FAMILIES } from "./syntaxes.ts";

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

const loaded = loadCodecs(WASM_MODULES);

/** The codec families this worker's jobs have used: those need no warm-up. */
const used = new Set<string>();

/**
 * The warm-up (warm-up.ts) of the pool's first workers, one step at a time after the job that
 * started the worker: a job that arrives meanwhile runs between two steps, not after all of them.
 * A step that fails only leaves its codec to warm up on the requests.
 */
async function warmUp(): Promise<void> {
  await loaded;
  for (const [family, step] of warmUpSteps()) {
    await new Promise((resolve) => setImmediate(resolve));
    if (used.has(family)) continue;
    try {
      step();
    } catch {
      // Cold, as without the warm-up.
    }
  }
}
const data = workerData as CodecWorkerData;
if (data.warmUp) void warmUp().catch(() => undefined);

const port = parentPort!;
port.on("message", async ({ id, job }: CodecRequest) => {
  let answer: CodecAnswer;
  try {
    await loaded;
    if (job.kind === "decode" || job.kind === "encode") {
      used.add(FAMILIES.get(job.transferSyntax) ?? job.transferSyntax);
    } else if (job.kind === "rendered" && "compressed" in job.frame) {
      const { transferSyntax } = job.frame.compressed;
      used.add(FAMILIES.get(transferSyntax) ?? transferSyntax);
    }
    const output = runJob(job);
    answer = { id, output, retire: codecMemoryGrowth() > data.memoryLimit };
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
