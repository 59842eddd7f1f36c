// A test plugin that misbehaves on demand, for the isolation tests: stray rejections and timer
// throws, a REST callback and an HTTP filter that never answer, CPU and microtask loops, and
// (with "Misbehave": { "HangOnChange": true, "Filter": true }) an on-change callback that never
// returns from its first NewInstance, which holds back OrthancStopped too, and an HTTP filter;
// with "HangOnRestart", an initialize() that never returns when run again (in a new worker).
import type { PharosPlugin } from "../../src/plugins/pharos-plugin.d.ts";

const never = () => new Promise<never>(() => {});

const plugin: PharosPlugin = {
  name: "misbehave",
  version: "1.0.0",
  async initialize(host) {
    const options = (host.configuration.Misbehave ?? {}) as {
      HangOnChange?: boolean;
      Filter?: boolean;
      HangOnRestart?: boolean;
    };
    if (options.HangOnRestart) {
      if (await host.globalProperties.get(5000) === "initialized") await never();
      await host.globalProperties.set(5000, "initialized");
    }
    let changes = 0;
    host.rest.register("/misbehave/ok", () => host.answers.json({ changes }));
    host.rest.register("/misbehave/reconstruct/(.+)", async (_request, match) => {
      await host.reconstructMainDicomTags("Instance", match.groups[0]);
      return host.answers.text("reconstructed");
    });
    host.rest.register("/misbehave/reject", () => {
      void Promise.reject(new Error("misbehave: stray rejection"));
      return host.answers.text("rejected");
    });
    host.rest.register("/misbehave/timer-throw", () => {
      setTimeout(() => {
        throw new Error("misbehave: timer throw");
      }, 0);
      return host.answers.text("thrown");
    });
    host.rest.register("/misbehave/hang", never);
    host.rest.register("/misbehave/spin", (_request, match) => {
      host.metrics.set("misbehave_loop", Number(match.getArguments.mark ?? 1));
      const end = Date.now() + Number(match.getArguments.ms ?? 3000);
      while (Date.now() < end) {
        // a CPU loop that never yields
      }
      return host.answers.text("spun");
    });
    host.rest.register("/misbehave/microtasks", async (_request, match) => {
      host.metrics.set("misbehave_loop", Number(match.getArguments.mark ?? 1));
      const end = Date.now() + Number(match.getArguments.ms ?? 3000);
      await new Promise<void>((resolve) => {
        const turn = () => (Date.now() > end ? resolve() : queueMicrotask(turn));
        turn();
      });
      return host.answers.text("spun");
    });
    if (options.Filter) {
      host.onIncomingHttpRequest((request) =>
        request.headers["x-misbehave"] === "hang" ? never() : true
      );
    }
    host.onChange((change) => {
      changes++;
      if (options.HangOnChange && change.changeType === "NewInstance") return never();
    });
  },
};

export default plugin;
