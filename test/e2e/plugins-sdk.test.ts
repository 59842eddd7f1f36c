// The SDK's later entries, each in-process and in a worker (PluginsIsolation), through
// test/plugins/sdk.ts: HTTP filters that answer themselves (a 401 challenge, a redirect), a
// plugin's own error code in Orthanc's error JSON, RootUri, DICOM JSON of an instance, dictionary
// lookups and registrations (the name then shows in /instances/{id}/tags), forced stable status,
// audit records, and the key-value stores and queues, which survive a restart.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { EXPLICIT_VR_LITTLE_ENDIAN as E } from "../../src/dicom/writer.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { dataset, file, text } from "../support/odd-dicom.ts";

const sdkPlugin = resolve(import.meta.dir, "../plugins/sdk.ts");

/** An instance with two private elements of the creator SDKTEST, which no dictionary knows. */
const privateFile = file(
  "sdk",
  "1.2.840.10008.1.2.1",
  dataset("sdk", E, [], [
    text(0x00210010, "LO", "SDKTEST", E),
    text(0x00211001, "LO", "one", E),
    text(0x00211002, "LO", "two", E),
  ]),
);

const MODES = [
  { mode: "in-process", isolation: {}, tag: "0021,1001", name: "SdkInProcessTag" },
  { mode: "in a worker", isolation: { sdk: "Worker" }, tag: "0021,1002", name: "SdkWorkerTag" },
] as const;

function configFor(m: typeof MODES[number]) {
  return {
    Plugins: [sdkPlugin],
    PluginsIsolation: m.isolation,
    StableAge: 3600,
    Sdk: { tag: m.tag, name: m.name },
  };
}

for (const m of MODES) {
  describe(`plugin SDK entries ${m.mode}`, () => {
    let s: InProcessServer;
    let ids: { ID: string; ParentSeries: string; ParentStudy: string };
    const get = (path: string, init?: RequestInit) =>
      s.pharos.app.fetch(new Request(`${s.url}${path}`, init));

    beforeAll(async () => {
      s = await startInProcess({ config: configFor(m) });
      const res = await get("/instances", { method: "POST", body: privateFile.bytes });
      expect(res.status).toBe(200);
      ids = await res.json();
    });
    afterAll(async () => {
      await s?.stop();
    });

    test("a filter answers a 401 with its challenge, a redirect, or lets the request through", async () => {
      const refused = await get("/sdk/private/hello");
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="sdk"');
      expect(await refused.text()).toBe("token needed");
      const allowed = await get("/sdk/private/hello", { headers: { Authorization: "Token ok" } });
      expect(await allowed.text()).toBe("secret");
      const moved = await get("/sdk/old", { redirect: "manual" });
      expect(moved.status).toBe(302);
      expect(moved.headers.get("location")).toBe("/sdk/login");
      // The boolean answer keeps Orthanc's bare 403.
      const denied = await get("/system", { headers: { "x-sdk-deny": "1" } });
      expect(denied.status).toBe(403);
      expect(await denied.text()).toBe("");
      expect((await get("/system")).status).toBe(200);
    });

    test("a plugin's own error code gives its status and message in Orthanc's error JSON", async () => {
      for (
        const [path, details] of [["/sdk/own-error", "no token given"], [
          "/sdk/filter-error",
          "from the filter",
        ]]
      ) {
        const res = await get(path);
        expect(res.status).toBe(402);
        const body = await res.json();
        expect(body).toMatchObject({
          HttpError: "Payment Required",
          HttpStatus: 402,
          Message: "The sdk plugin wants a token",
          OrthancError: "The sdk plugin wants a token",
          OrthancStatus: 1000000,
          Details: details,
          Uri: path,
        });
      }
    });

    test("RootUri shows at /plugins/{id}", async () => {
      const body = await (await get("/plugins/sdk")).json();
      expect(body.RootUri).toBe("/sdk/ui");
      expect(body.Version).toBe("1.0.0");
    });

    test("the DICOM JSON of an instance is the one its /file route answers", async () => {
      const fromPlugin = await (await get(`/sdk/dicom-json/${ids.ID}`)).json();
      const fromRoute = await (await get(`/instances/${ids.ID}/file`, {
        headers: { Accept: "application/dicom+json" },
      })).json();
      expect(fromPlugin).toEqual(fromRoute);
      expect(fromPlugin["00211001"]).toEqual({ vr: "LO", Value: ["one"] });
      expect((await get("/sdk/dicom-json/nope")).status).toBe(404);
    });

    test("dictionary lookups, and a registered private tag named in /tags", async () => {
      expect(await (await get("/sdk/lookup/PatientName")).json()).toEqual({
        tag: "0010,0010",
        name: "PatientName",
        vr: "PN",
      });
      expect(await (await get("/sdk/lookup/00080060")).json()).toMatchObject({ name: "Modality" });
      expect(await (await get("/sdk/lookup/NoSuchKeyword")).json()).toBeNull();
      expect(await (await get(`/sdk/lookup/${m.tag}?creator=SDKTEST`)).json()).toEqual({
        tag: m.tag,
        name: m.name,
        vr: "LO",
      });
      const tags = await (await get(`/instances/${ids.ID}/tags`)).json();
      expect(tags[m.tag]).toEqual({
        Name: m.name,
        PrivateCreator: "SDKTEST",
        Type: "String",
        Value: m.tag.endsWith("1") ? "one" : "two",
      });
    });

    test("a series is forced stable (its StableSeries logged) and unstable again", async () => {
      const series = ids.ParentSeries;
      const isStable = async () => (await (await get(`/series/${series}`)).json()).IsStable;
      expect(await isStable()).toBe(false);
      expect(await (await get(`/sdk/stable/${series}/stable`)).json()).toBe(true);
      expect(await isStable()).toBe(true);
      const changes = (await (await get("/changes")).json()).Changes as {
        ChangeType: string;
        ID: string;
      }[];
      expect(changes.some((c) => c.ChangeType === "StableSeries" && c.ID === series)).toBe(true);
      expect(await (await get(`/sdk/stable/${series}/stable`)).json()).toBe(false);
      expect(await (await get(`/sdk/stable/${series}/unstable`)).json()).toBe(true);
      expect(await isStable()).toBe(false);
      const instance = await get(`/sdk/stable/${ids.ID}/stable`);
      expect(instance.status).toBe(400);
      expect((await get("/sdk/stable/nope/stable")).status).toBe(404);
    });

    test("an audit record reaches the subscribers; an ill-formed one is refused", async () => {
      const record = {
        userId: "alice",
        resourceType: "Study",
        resourceId: ids.ParentStudy,
        action: "view",
        logData: { why: "test" },
      };
      expect((await get("/sdk/audit", { method: "POST", body: JSON.stringify(record) })).status)
        .toBe(200);
      let audits: unknown[] = [];
      const deadline = Date.now() + 5000;
      while (audits.length === 0 && Date.now() < deadline) {
        audits = await (await get("/sdk/audits")).json();
      }
      expect(audits).toEqual([{ sourcePlugin: "sdk", ...record }]);
      const bad = await get("/sdk/audit", {
        method: "POST",
        body: JSON.stringify({ userId: "x" }),
      });
      expect(bad.status).toBe(400);
      expect((await bad.json()).OrthancStatus).toBe(3);
    });

    test("key-value stores: set, get, delete, listing by pages", async () => {
      const put = (key: string, value: string) =>
        get(`/sdk/kv/colors/${key}`, { method: "PUT", body: value });
      expect(await (await put("b", "blue")).text()).toBe("blue");
      await put("a", "amber");
      await put("c", "cyan");
      expect(await (await put("a", "azure")).text()).toBe("azure");
      expect(await (await get("/sdk/kv/colors/a")).text()).toBe("azure");
      expect((await get("/sdk/kv/other/a")).status).toBe(404);
      expect(await (await get("/sdk/kv/colors?limit=2")).json()).toEqual([["a", "azure"], [
        "b",
        "blue",
      ]]);
      expect(await (await get("/sdk/kv/colors?after=b")).json()).toEqual([["c", "cyan"]]);
      expect((await get("/sdk/kv/colors/c", { method: "DELETE" })).status).toBe(404);
      expect(await (await get("/sdk/kv/colors")).json()).toEqual([["a", "azure"], ["b", "blue"]]);
      const bad = await get("/sdk/kv/colors?limit=0");
      expect(bad.status).toBe(400);
    });

    test("queues: FIFO from the front, LIFO from the back, their size", async () => {
      const push = async (v: string) =>
        await (await get("/sdk/queue/q", { method: "POST", body: v })).json();
      const pop = async (origin = "") => await (await get(`/sdk/queue/q${origin}`)).json();
      expect(await push("1")).toBe(1);
      await push("2");
      expect(await push("3")).toBe(3);
      expect(await pop()).toBe("1");
      expect(await pop("?origin=back")).toBe("3");
      expect(await pop("?origin=front")).toBe("2");
      expect(await pop()).toBeNull();
      expect((await get("/sdk/queue/q?origin=middle")).status).toBe(400);
    });
  });
}

describe("key-value stores and queues across a restart", () => {
  test("what a plugin stored and queued is there after a restart", async () => {
    const first = await startInProcess({ config: configFor(MODES[0]) });
    const dir = first.dir;
    const at = (s: InProcessServer, path: string, init?: RequestInit) =>
      s.pharos.app.fetch(new Request(`${s.url}${path}`, init));
    await at(first, "/sdk/kv/kept/k", { method: "PUT", body: "v" });
    await at(first, "/sdk/queue/kept", { method: "POST", body: "x" });
    await at(first, "/sdk/queue/kept", { method: "POST", body: "y" });
    await first.stop({ keep: true });
    const second = await startInProcess({ config: configFor(MODES[1]), dir });
    try {
      expect(await (await at(second, "/sdk/kv/kept/k")).text()).toBe("v");
      expect(await (await at(second, "/sdk/queue/kept")).json()).toBe("x");
      expect(await (await at(second, "/sdk/queue/kept")).json()).toBe("y");
    } finally {
      await second.stop();
    }
  });
});
