// The codec workers' warm-up: every step round-trips a frame through its codec (a step that threw
// would be skipped in silence, leaving the codec cold), and covers every family.
import { expect, test } from "bun:test";
import { loadCodecs } from "../../src/imaging/wasm/codestreams.ts";
import { WASM_MODULES } from "../../src/imaging/wasm/modules.ts";
import { FAMILIES } from "../../src/imaging/wasm/syntaxes.ts";
import { warmUpSteps } from "../../src/imaging/wasm/warm-up.ts";

test("every warm-up step runs, and every codec family has one", async () => {
  await loadCodecs(WASM_MODULES);
  const steps = warmUpSteps();
  for (const [, step] of steps) expect(step).not.toThrow();
  expect(new Set(steps.map(([family]) => family))).toEqual(new Set(FAMILIES.values()));
});
