// A test plugin for SaveJobs: "Counter" jobs count steps towards a target and serialize their
// count, so that a restarted server goes on from where it stopped; "Volatile" jobs have no
// serialize() and must not come back. Driven through /saved-jobs/submit.
import type { PharosPlugin, PluginJob } from "../../src/plugins/pharos-plugin.d.ts";

interface CounterState {
  count: number;
  target: number;
  resumedFrom?: number;
}

function counter(state: CounterState): PluginJob {
  return {
    type: "Counter",
    priority: 0,
    async step() {
      await new Promise((resolve) => setTimeout(resolve, 2));
      state.count++;
      return state.count >= state.target ? "success" : "continue";
    },
    getProgress: () => state.count / state.target,
    getContent: () => ({
      Count: state.count,
      Target: state.target,
      ResumedFrom: state.resumedFrom ?? null,
    }),
    serialize: () => ({ count: state.count, target: state.target }),
  };
}

const volatile: () => PluginJob = () => ({
  type: "Volatile",
  step: async () => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    return "continue" as const;
  },
  getProgress: () => 0,
  getContent: () => ({}),
});

const plugin: PharosPlugin = {
  name: "saved-jobs",
  version: "1.0.0",
  initialize(host) {
    host.rest.register("/saved-jobs/submit", async (request) => {
      const spec = await request.json() as { kind: "counter" | "volatile"; target?: number };
      const job = spec.kind === "volatile" ? volatile() : counter({
        count: 0,
        target: spec.target ?? 1e9,
      });
      return host.answers.json({ ID: host.jobs.submit(job) });
    });
    host.jobs.registerUnserializer((type, serialized) => {
      if (type !== "Counter") return undefined;
      const saved = serialized as CounterState;
      return counter({ count: saved.count, target: saved.target, resumedFrom: saved.count });
    });
  },
};

export default plugin;
