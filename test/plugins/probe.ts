// A test plugin that exercises the host API and exposes what it saw under /probe/*.
import type {
  ChangeEvent,
  PharosPlugin,
  ResourceLevel,
} from "../../src/plugins/pharos-plugin.d.ts";

const changes: ChangeEvent[] = [];
const stored: string[] = [];
let exclusiveRunning = 0;
let exclusiveOverlap = false;

const plugin: PharosPlugin = {
  name: "probe",
  version: "2.5.0",
  async initialize(host) {
    host.setDescription("Probes the host API");
    host.extendExplorer("console.log('probe');");
    // Global properties are usable during initialize().
    const runs = Number(await host.globalProperties.get(4242, "0")) + 1;
    await host.globalProperties.set(4242, String(runs));

    host.onChange((change) => {
      changes.push(change);
    });
    host.onChange(() => Promise.reject(new Error("probe: rejected on purpose")));
    host.onStoredInstance((instance) => {
      stored.push(instance.ids.instance);
      if (instance.simplifiedTags().PatientID === "THROW-ON-STORED") {
        throw new Error("probe: on-stored throws on purpose");
      }
    });
    host.onIncomingInstance((instance) => instance.simplifiedTags().PatientID !== "REFUSE-ME");
    host.onReceivedInstance((bytes) => {
      const text = new TextDecoder("latin1").decode(bytes.subarray(0, 4096));
      if (text.includes("DISCARD-ME")) return { action: "discard" };
      if (text.includes("EXPLODE-ME")) throw new Error("probe: received callback throws");
      return undefined;
    });
    host.onIncomingHttpRequest((request) => {
      if (request.uri === "/probe/filter-throws") throw new Error("probe: filter throws");
      return request.headers["x-probe-deny"] === undefined &&
        request.getArguments["deny"] !== "1";
    });

    const { rest, answers } = host;
    rest.register(
      /\/probe\/echo\/([^/]+)\/(?<second>[^/]+)/,
      async (request, match) =>
        answers.json({
          method: request.method,
          groups: match.groups,
          named: match.named,
          get: match.getArguments,
          body: request.method === "POST" ? await request.text() : null,
          ip: match.remoteIp ?? null,
        }),
    );
    rest.register(
      "/probe/state",
      () => answers.json({ changes, stored, runs, exclusiveOverlap, pluginName: host.pluginName }),
    );
    rest.register("/probe/throws", () => {
      throw new Error("probe: REST callback throws");
    });
    rest.register("/probe/rejects", () => Promise.reject(new Error("probe: rejected")));
    rest.register("/probe/not-a-response", () => "nope" as unknown as Response);
    rest.register("/probe/slow", async () => {
      await Bun.sleep(1500);
      return answers.text("slow done");
    });
    rest.register("/probe/exclusive", async () => {
      if (exclusiveRunning > 0) exclusiveOverlap = true;
      exclusiveRunning++;
      await Bun.sleep(100);
      exclusiveRunning--;
      return answers.text("ok");
    }, { exclusive: true });
    rest.register("/probe/error", () => answers.error(404, "no such probe"));
    rest.register("/probe/redirect", () => answers.redirect("/system"));
    rest.register(
      "/probe/cookie",
      () => answers.text("c", { cookies: { a: "1", b: "2" }, headers: { "X-Probe": "yes" } }),
    );
    rest.register("/probe/multipart", () =>
      answers.multipart([
        { body: "one", contentType: "text/plain" },
        { body: new Uint8Array([1, 2, 3]), contentType: "application/octet-stream" },
      ], "mixed"));
    rest.register("/probe/unauthorized", () => answers.unauthorized("probe"));
    rest.register("/probe/token", () => answers.text(rest.generateAuthorizationToken()));
    // A plugin route shadowing a built-in one: visible to clients and to afterPlugins calls.
    rest.register("/tools/now-local", () => answers.text("shadowed by probe"));
    rest.register("/probe/internal", async () => {
      const builtin = await (await rest.get("/tools/now-local")).text();
      const after = await (await rest.get("/tools/now-local", { afterPlugins: true })).text();
      const system = await rest.getJson<{ Name: string }>("/system");
      const missing = (await rest.get("/instances/nope")).status;
      return answers.json({ builtin, after, name: system.Name, missing });
    });
    rest.register("/probe/lookup", async (_request, match) => {
      const a = match.getArguments;
      return answers.json({
        patient: await host.lookup.patient(a.patient ?? "") ?? null,
        study: await host.lookup.study(a.study ?? "") ?? null,
        accession: await host.lookup.studyByAccessionNumber(a.accession ?? "") ?? null,
        series: await host.lookup.series(a.series ?? "") ?? null,
        instance: await host.lookup.instance(a.instance ?? "") ?? null,
      });
    });
    rest.register(
      "/probe/file/(.+)",
      async (_request, match) =>
        answers.buffer(await host.getDicomForInstance(match.groups[0]!), "application/dicom"),
    );
    rest.register("/probe/reconstruct/(\\w+)/(.+)", async (_request, match) => {
      await host.reconstructMainDicomTags(match.groups[0] as ResourceLevel, match.groups[1]);
      return answers.text("");
    });
    rest.register("/probe/property/(\\d+)", async (request, match) => {
      const property = Number(match.groups[0]);
      if (request.method === "PUT") {
        await host.globalProperties.set(property, await request.text());
        return answers.text("");
      }
      return answers.text((await host.globalProperties.get(property)) ?? "(unset)");
    });
    rest.register("/probe/late-register", () => {
      host.onChange(() => {});
      return answers.text("unreachable");
    });
  },
};
export default plugin;
