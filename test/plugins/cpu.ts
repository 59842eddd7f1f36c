// A test plugin with CPU-bound routes run in workers (host.workers.run): /cpu-probe/burn?ms=N,
// ?fail, ?forever (with a timeout), a module that does not exist, and how many burns started.
import type { PharosPlugin } from "../../src/plugins/pharos-plugin.d.ts";

const plugin: PharosPlugin = {
  name: "cpu-probe",
  version: "1.0.0",
  initialize(host) {
    let started = 0;
    host.rest.register("/cpu-probe/started", () => host.answers.json({ started }));
    host.rest.register("/cpu-probe/burn", async (_request, match) => {
      const args = match.getArguments;
      started++;
      const result = await host.workers.run<{ turns: number }>(
        "./cpu-task.ts",
        { ms: args.forever !== undefined ? -1 : Number(args.ms ?? 10), fail: "fail" in args },
        { timeoutMs: args.forever !== undefined ? 300 : undefined },
      );
      return host.answers.json({ turns: result.turns });
    });
    host.rest.register("/cpu-probe/missing", async () => {
      await host.workers.run("./no-such-module.ts", {});
      return host.answers.text("unreachable");
    });
  },
};

export default plugin;
