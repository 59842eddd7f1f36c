// A test plugin that exercises the SDK's later entries, in-process or in a worker alike: HTTP
// filters that answer themselves (401 challenge, 302), DICOM JSON, the dictionary, stable status,
// its own error code, audit records, RootUri, and the key-value stores and queues. Its
// configuration section "Sdk" names the private tag it registers (so that two servers of one test
// process register distinct tags).
import type { AuditRecord, PharosPlugin } from "../../src/plugins/pharos-plugin.d.ts";

const audits: AuditRecord[] = [];

const plugin: PharosPlugin = {
  name: "sdk",
  version: "1.0.0",
  initialize(host) {
    const { rest, answers } = host;
    const settings = host.configuration.Sdk as { tag: string; name: string };
    host.setRootUri("/sdk/ui");
    host.dictionary.register({
      tag: settings.tag,
      vr: "LO",
      name: settings.name,
      privateCreator: "SDKTEST",
    });
    const paymentRequired = host.registerErrorCode(7, 402, "The sdk plugin wants a token");
    host.onAuditLog((record) => void audits.push(record));

    host.onIncomingHttpRequest((request) => {
      if (request.uri.startsWith("/sdk/private") && request.headers.authorization !== "Token ok") {
        return answers.text("token needed", {
          status: 401,
          headers: { "WWW-Authenticate": 'Bearer realm="sdk"' },
        });
      }
      if (request.uri === "/sdk/old") {
        return new Response(null, { status: 302, headers: { Location: "/sdk/login" } });
      }
      if (request.uri === "/sdk/filter-error") throw paymentRequired("from the filter");
      return request.headers["x-sdk-deny"] === undefined;
    });

    rest.register("/sdk/private/hello", () => answers.text("secret"));
    rest.register("/sdk/own-error", () => {
      throw paymentRequired("no token given");
    });
    rest.register(
      "/sdk/dicom-json/([^/]+)",
      async (_, m) => answers.json(await host.dicom.instanceDicomJson(m.groups[0]!)),
    );
    rest.register(
      "/sdk/lookup/([^/]+)",
      (_, m) => answers.json(host.dictionary.lookup(m.groups[0]!, m.getArguments.creator) ?? null),
    );
    rest.register(
      "/sdk/stable/([^/]+)/(stable|unstable)",
      async (_, m) =>
        answers.json(await host.setStableStatus(m.groups[0]!, m.groups[1] === "stable")),
    );
    rest.register("/sdk/audit", async (request) => {
      host.emitAuditLog(await request.json());
      return answers.text("");
    });
    rest.register("/sdk/audits", () => answers.json(audits));

    rest.register("/sdk/kv/([^/]+)/([^/]+)", async (request, m) => {
      const store = host.keyValues.store(m.groups[0]!);
      const key = m.groups[1]!;
      if (request.method === "PUT") {
        await store.set(key, new Uint8Array(await request.arrayBuffer()));
      }
      if (request.method === "DELETE") await store.delete(key);
      const value = await store.get(key);
      return value === undefined
        ? answers.status(404)
        : answers.buffer(value, "application/octet-stream");
    });
    rest.register("/sdk/kv/([^/]+)", async (_, m) => {
      const { after, limit } = m.getArguments;
      const entries = await host.keyValues.store(m.groups[0]!).list({
        after,
        limit: limit === undefined ? undefined : Number(limit),
      });
      return answers.json(entries.map((e) => [e.key, new TextDecoder().decode(e.value)]));
    });
    rest.register("/sdk/queue/([^/]+)", async (request, m) => {
      const queue = host.keyValues.queue(m.groups[0]!);
      if (request.method === "POST") {
        await queue.enqueue(await request.text());
        return answers.json(await queue.size());
      }
      const origin = m.getArguments.origin as "front" | "back" | undefined;
      const value = await queue.dequeue(origin);
      return answers.json(value === undefined ? null : new TextDecoder().decode(value));
    });
  },
};

export default plugin;
