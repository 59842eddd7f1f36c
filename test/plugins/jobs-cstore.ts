// A test plugin for custom jobs and the C-STORE filter, driven through /jobs-probe/*.
import type { JobStopReason, PharosPlugin, PluginJob } from "../../src/plugins/pharos-plugin.d.ts";

type Mode = "ok" | "throw" | "fail" | "forever" | "async";

const stops: Record<string, JobStopReason[]> = {};

function makeJob(mode: Mode, steps: number, priority: number, record: (r: JobStopReason) => void) {
  let done = 0;
  const job: PluginJob = {
    type: `Probe-${mode}`,
    priority,
    step() {
      done++;
      if (mode === "throw" && done === 3) throw new Error("jobs-probe: step throws on purpose");
      if (mode === "fail" && done === 2) return "failure";
      if (mode === "forever") {
        const until = performance.now() + 2;
        while (performance.now() < until) { /* a little CPU per step */ }
        return "continue";
      }
      return done >= steps ? "success" : "continue";
    },
    stop: (reason) => record(reason),
    getProgress: () => (mode === "forever" ? 0.5 : done / steps),
    getContent: () => ({ Done: done, Mode: mode }),
  };
  if (mode === "async") {
    job.step = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      done++;
      return done >= steps ? "success" : "continue";
    };
  }
  return job;
}

const plugin: PharosPlugin = {
  name: "jobs-cstore",
  version: "1.0.0",
  initialize(host) {
    host.rest.register("/jobs-probe/submit", async (request) => {
      const spec = await request.json() as { mode: Mode; steps?: number; priority?: number };
      const holder = { id: "" };
      holder.id = host.jobs.submit(
        makeJob(spec.mode, spec.steps ?? 5, spec.priority ?? 0, (reason) => {
          (stops[holder.id] ??= []).push(reason);
        }),
      );
      return host.answers.json({ ID: holder.id });
    });
    host.rest.register("/jobs-probe/stops", () => host.answers.json(stops));
    host.rest.register("/jobs-probe/bad", () => {
      // No step(): refused at submission, the route answers Orthanc's 500.
      host.jobs.submit({ type: "Bad" } as unknown as PluginJob);
      return host.answers.text("unreachable");
    });

    const refuse = host.configuration.CStoreRefuse as Record<string, number> | undefined;
    host.onIncomingCStoreInstance((instance) => {
      const patientId = String(instance.simplifiedTags().PatientID ?? "");
      if (patientId === "THROW-CSTORE") throw new Error("jobs-probe: C-STORE filter throws");
      if (instance.origin.kind !== "DicomProtocol") return 0xc000; // never reached
      return refuse?.[patientId] ?? 0;
    });
  },
};

export default plugin;
