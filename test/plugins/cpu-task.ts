// The worker module of test/plugins/cpu.ts: burns CPU for `ms` milliseconds (forever when
// negative), or throws, then answers how many loop turns it made.
export default function (input: { ms: number; fail?: boolean }): { turns: number } {
  if (input.fail) throw new Error("cpu-task: failing on purpose");
  const until = input.ms < 0 ? Infinity : performance.now() + input.ms;
  let turns = 0;
  while (performance.now() < until) turns++;
  return { turns };
}
