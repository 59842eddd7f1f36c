// The plugin host through a running server: loading, /plugins, the host API and isolation.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { replaceElement } from "../../src/plugins/dicom-edit.ts";
import { type RunningServer, samplesDir, startPharos, upload } from "../support/server.ts";

const fixtures = resolve(import.meta.dir, "../plugins");
const KNEE = join(samplesDir, "Knee/T1/IM-0001-0001.dcm");
const BRAINIX = join(samplesDir, "Brainix/Epi/IM-0001-0001.dcm");

const read = async (path: string) => new Uint8Array(await Bun.file(path).arrayBuffer());

/** A data folder holding the plugins, so that `Plugins` can name them relative to it. */
function pluginFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "pharos-plugins-"));
  cpSync(join(fixtures, "probe.ts"), join(dir, "probe.ts"));
  cpSync(join(fixtures, "broken"), join(dir, "broken"), { recursive: true });
  writeFileSync(join(dir, "broken", "d-syntax.ts"), "export default function initialize( {\n");
  writeFileSync(join(dir, "broken", "notes.txt"), "not a module");
  return dir;
}

let dir: string;
let server: RunningServer;
let stderr: Promise<string>;
beforeAll(async () => {
  dir = pluginFolder();
  server = await startPharos({
    dir,
    config: { Plugins: ["probe.ts", "./broken"] },
  });
  stderr = new Response(server.process.stderr as ReadableStream).text();
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
const json = async (path: string, init?: RequestInit) => await (await get(path, init)).json();

describe("loading", () => {
  test("good plugins load; broken ones are left out and the server still starts", async () => {
    expect(await json("/plugins")).toEqual(["explorer.js", "fine", "probe"]);
    expect(await (await get("/fine")).text()).toBe("fine");
  });

  test("/plugins/{id} and /plugins/explorer.js", async () => {
    expect(await json("/plugins/probe")).toEqual({
      Description: "Probes the host API",
      ExtendsOrthancExplorer: true,
      ID: "probe",
      Path: join(dir, "probe.ts"),
      Version: "2.5.0",
    });
    expect(await json("/plugins/fine")).toEqual({
      ExtendsOrthancExplorer: false,
      ID: "fine",
      Path: join(dir, "broken", "c-fine.js"),
      Version: "0.1.0",
    });
    const missing = await get("/plugins/nope");
    expect(missing.status).toBe(404);
    const js = await get("/plugins/explorer.js");
    expect(js.headers.get("content-type")).toBe("application/javascript");
    expect(await js.text()).toBe(
      "// Extensions to Orthanc Explorer by the registered plugins\n\n" +
        "/**\n * From plugin: probe (version 2.5.0)\n **/\n\nconsole.log('probe');\n\n",
    );
  });

  test("a plugin can use the index from initialize(): a global property counts the runs", async () => {
    expect((await json("/probe/state")).runs).toBe(1);
  });
});

describe("REST callbacks", () => {
  test("path groups, named groups, GET arguments and the body reach the callback", async () => {
    expect(await json("/probe/echo/a%20b/c?x=1&y=2")).toEqual({
      body: null,
      get: { x: "1", y: "2" },
      groups: ["a b", "c"],
      ip: "127.0.0.1",
      method: "GET",
      named: { second: "c" },
    });
    const posted = await json("/probe/echo/1/2", { method: "POST", body: "hello" });
    expect(posted.body).toBe("hello");
    expect(posted.method).toBe("POST");
  });

  test("plugin routes come before built-in routes, and match the whole path", async () => {
    expect(await (await get("/tools/now-local")).text()).toBe("shadowed by probe");
    expect((await get("/probe/echo/1/2/3")).status).toBe(404);
    expect((await get("/xprobe/state")).status).toBe(404);
  });

  test("answer helpers: error details, redirect, cookies, multipart, unauthorized", async () => {
    const error = await get("/probe/error");
    expect(error.status).toBe(404);
    expect(await error.json()).toEqual({
      Details: "no such probe",
      HttpError: "Not Found",
      HttpStatus: 404,
      Message: "Unknown resource",
      Method: "GET",
      OrthancError: "Unknown resource",
      OrthancStatus: 17,
      Uri: "/probe/error",
    });
    const redirect = await get("/probe/redirect", { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("/system");
    const cookie = await get("/probe/cookie");
    expect(cookie.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(cookie.headers.get("x-probe")).toBe("yes");
    const multipart = await get("/probe/multipart");
    const type = multipart.headers.get("content-type")!;
    expect(type).toMatch(/^multipart\/mixed; type=text\/plain; boundary=\w+$/);
    const boundary = type.split("boundary=")[1]!;
    const body = await multipart.text();
    expect(body.split(`--${boundary}`).length).toBe(4);
    expect(body).toContain("Content-Type: text/plain\r\nContent-Length: 3\r\n\r\none\r\n");
    const unauthorized = await get("/probe/unauthorized");
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("www-authenticate")).toBe('Basic realm="probe"');
  });

  test("calls into the REST API: built-in only, or after the plugins", async () => {
    const answer = await json("/probe/internal");
    expect(answer.after).toBe("shadowed by probe");
    expect(answer.builtin).toMatch(/^\d{8}T\d{6}$/);
    expect(answer.name).toBe("PharosTest");
    expect(answer.missing).toBe(404);
  });
});

describe("isolation", () => {
  test("a throwing or rejecting callback gives Orthanc's 500 JSON, and the server lives on", async () => {
    for (const path of ["/probe/throws", "/probe/rejects", "/probe/not-a-response"]) {
      const res = await get(path);
      expect(res.status).toBe(500);
      const body = await res.json();
      expect(body).toMatchObject({
        HttpError: "Internal Server Error",
        HttpStatus: 500,
        Method: "GET",
        OrthancStatus: 1,
        Uri: path,
      });
      expect(body.Details).toContain('plugin "probe"');
    }
    expect((await get("/system")).status).toBe(200);
  });

  test("a slow plugin route does not hold other requests back", async () => {
    const started = performance.now();
    const slow = get("/probe/slow").then(async (r) => ({
      text: await r.text(),
      ms: performance.now() - started,
    }));
    await Bun.sleep(100);
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) expect((await get("/system")).status).toBe(200);
    expect((await get("/probe/echo/x/y")).status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(700);
    const done = await slow;
    expect(done.text).toBe("slow done");
    expect(done.ms).toBeGreaterThanOrEqual(1400);
  });

  test("exclusive routes run one call at a time", async () => {
    await Promise.all(Array.from({ length: 5 }, () => get("/probe/exclusive")));
    expect((await json("/probe/state")).exclusiveOverlap).toBe(false);
  });

  test("callbacks can only be registered from initialize()", async () => {
    const res = await get("/probe/late-register");
    expect(res.status).toBe(400);
    expect((await res.json()).Details).toBe("onChange() can only be called from initialize()");
  });

  test("a throwing HTTP filter gives a 500, not a crash", async () => {
    const res = await get("/probe/filter-throws");
    expect(res.status).toBe(500);
    expect((await res.json()).Details).toContain("HTTP request filter");
  });
});

describe("HTTP filter", () => {
  test("sees headers and GET arguments, and refuses with 403", async () => {
    expect((await get("/system", { headers: { "X-Probe-Deny": "1" } })).status).toBe(403);
    expect((await get("/system?deny=1")).status).toBe(403);
    expect((await get("/system?deny=0")).status).toBe(200);
  });
});

describe("store pipeline and events", () => {
  test("stored instances and changes reach the plugin; lookups and the file work", async () => {
    const stored = await (await upload(server.url, KNEE)).json();
    expect(stored.Status).toBe("Success");
    const tags = await json(`/instances/${stored.ID}/simplified-tags`);
    const state = await json("/probe/state");
    expect(state.stored).toEqual([stored.ID]);
    const types = state.changes.map((c: { changeType: string }) => c.changeType);
    expect(types[0]).toBe("OrthancStarted");
    expect(types).toEqual(
      expect.arrayContaining(["NewInstance", "NewSeries", "NewStudy", "NewPatient"]),
    );
    const newInstance = state.changes.find((c: { changeType: string }) =>
      c.changeType === "NewInstance"
    );
    expect(newInstance).toMatchObject({
      level: "Instance",
      resourceId: stored.ID,
      changeTypeCode: 4,
    });

    const lookup = await json(
      `/probe/lookup?patient=${encodeURIComponent(tags.PatientID)}&study=${tags.StudyInstanceUID}` +
        `&accession=${tags.AccessionNumber}&series=${tags.SeriesInstanceUID}` +
        `&instance=${tags.SOPInstanceUID}`,
    );
    expect(lookup).toEqual({
      accession: stored.ParentStudy,
      instance: stored.ID,
      patient: stored.ParentPatient,
      series: stored.ParentSeries,
      study: stored.ParentStudy,
    });
    const none = await json("/probe/lookup?patient=nobody&study=1.2.3&accession=A*");
    expect(none).toEqual({
      accession: null,
      instance: null,
      patient: null,
      series: null,
      study: null,
    });

    const file = new Uint8Array(await (await get(`/probe/file/${stored.ID}`)).arrayBuffer());
    expect(Buffer.compare(file, await read(KNEE))).toBe(0);
    const missing = await get("/probe/file/nope");
    expect(missing.status).toBe(404);

    // A second instance of the study that disagrees on StudyDescription: the index keeps the
    // first's until a reconstruction reads the second one again.
    const other = replaceElement(
      replaceElement(await read(KNEE), "0008,0018", "1.2.3.4.5"),
      "0008,1030",
      "Other",
    );
    const copy = await (await get("/instances", { method: "POST", body: other })).json();
    const description = async () =>
      (await json(`/studies/${stored.ParentStudy}`)).MainDicomTags.StudyDescription;
    expect(await description()).not.toBe("Other");
    expect((await get(`/probe/reconstruct/Instance/${copy.ID}`)).status).toBe(200);
    expect(await description()).toBe("Other");
    expect((await get("/probe/reconstruct/Study/nope")).status).toBe(404);
    await get(`/instances/${copy.ID}`, { method: "DELETE" });
  });

  test("received-instance discard, incoming filter refusal, and throwing callbacks", async () => {
    const original = await read(BRAINIX);
    const discard = replaceElement(original, "0010,0020", "DISCARD-ME");
    const refuse = replaceElement(original, "0010,0020", "REFUSE-ME");
    const explode = replaceElement(original, "0010,0020", "EXPLODE-ME");
    const throwOnStored = replaceElement(original, "0010,0020", "THROW-ON-STORED");
    const before = (await json("/statistics")).CountInstances;
    const post = (body: Uint8Array) => get("/instances", { method: "POST", body });

    const discarded = await post(discard);
    expect(discarded.status).toBe(200);
    expect((await discarded.json()).Status).toBe("FilteredOut");
    const refused = await post(refuse);
    expect((await refused.json()).Status).toBe("FilteredOut");
    const exploded = await post(explode);
    expect(exploded.status).toBe(500);
    expect((await exploded.json()).Details).toContain("received-instance callback");
    expect((await json("/statistics")).CountInstances).toBe(before);

    // A failing on-stored callback is logged; the instance is stored all the same.
    const stored = await post(throwOnStored);
    expect((await stored.json()).Status).toBe("Success");
    expect((await json("/statistics")).CountInstances).toBe(before + 1);
  });

  test("global properties: >= 1024 only", async () => {
    expect(await (await get("/probe/property/5000")).text()).toBe("(unset)");
    await get("/probe/property/5000", { method: "PUT", body: "value" });
    expect(await (await get("/probe/property/5000")).text()).toBe("value");
    const low = await get("/probe/property/12");
    expect(low.status).toBe(400);
    expect((await low.json()).Details).toBe(
      "Plugins may only use global properties >= 1024 (got 12)",
    );
  });

  test("failures are logged with the plugin's name", async () => {
    await server.stop({ keep: true });
    const log = await stderr;
    expect(log).toContain('Plugin "a-throws"');
    expect(log).toContain("broken on purpose");
    expect(log).toContain('Plugin "b-no-default"');
    expect(log).toContain('Plugin "d-syntax"');
    expect(log).toContain('Error in the on-change callback of plugin "probe"');
    expect(log).toContain('Error in the on-stored-instance callback of plugin "probe"');
    expect(log).toContain('Error in the REST callback of plugin "probe" (GET /probe/throws)');
    expect(log).not.toContain("notes");
    // Restarted: the global property remembers the first run.
    server = await startPharos({ dir, config: { Plugins: ["probe.ts"] } });
    expect((await json("/probe/state")).runs).toBe(2);
  });
});

describe("configuration", () => {
  test("PluginsFailOnError refuses to start when a plugin fails", async () => {
    const other = mkdtempSync(join(tmpdir(), "pharos-plugins-"));
    try {
      const config = join(other, "config.json");
      writeFileSync(
        config,
        JSON.stringify({
          HttpPort: 0,
          StorageDirectory: join(other, "storage"),
          IndexDirectory: join(other, "index"),
          Plugins: [join(fixtures, "broken")],
          PluginsFailOnError: true,
        }),
      );
      const main = resolve(import.meta.dir, "../../src/main.ts");
      const run = Bun.spawn([process.execPath, main, config], { stderr: "pipe", stdout: "pipe" });
      expect(await run.exited).toBe(1);
      expect(await new Response(run.stderr).text()).toMatch(
        /E Plugin "a-throws" \(.*a-throws\.mjs\) failed to load: Error: broken on purpose/,
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test("authorization tokens grant access when authentication is enabled", async () => {
    const auth = await startPharos({
      config: {
        Plugins: [join(fixtures, "probe.ts")],
        AuthenticationEnabled: true,
        RegisteredUsers: { alice: "secret" },
      },
    });
    try {
      const basic = { Authorization: `Basic ${btoa("alice:secret")}` };
      expect((await fetch(`${auth.url}/system`)).status).toBe(401);
      const token = await (await fetch(`${auth.url}/probe/token`, { headers: basic })).text();
      expect(token).toMatch(/^Bearer /);
      const withToken = await fetch(`${auth.url}/system`, { headers: { Authorization: token } });
      expect(withToken.status).toBe(200);
      const wrong = await fetch(`${auth.url}/system`, { headers: { Authorization: "Bearer x" } });
      expect(wrong.status).toBe(401);
      // In-process calls need no credentials.
      expect((await (await fetch(`${auth.url}/probe/internal`, { headers: basic })).json()).name)
        .toBe("PharosTest");
    } finally {
      await auth.stop();
    }
  });

  test("host.storageArea: create, read, readRange, remove; UUIDs only", async () => {
    const server = await startPharos({
      config: { Plugins: [join(fixtures, "storage-access.ts")] },
    });
    try {
      expect(await (await fetch(`${server.url}/storage-access/roundtrip`)).json()).toEqual({
        whole: "hello storage",
        part: "storage",
        gone: true,
        expectedDatabaseVersion: 6,
      });
      const bad = await fetch(`${server.url}/storage-access/bad`);
      expect(bad.status).toBe(400);
      expect((await bad.json()).OrthancError).toBe("Parameter out of range");
      const stored = await (await upload(server.url, KNEE)).json();
      const uuid =
        (await (await fetch(`${server.url}/instances/${stored.ID}/attachments/dicom/info`))
          .json()).Uuid;
      const part = await fetch(`${server.url}/storage-access/read/${uuid}?start=128&end=132`);
      expect(new TextDecoder().decode(await part.arrayBuffer())).toBe("DICM");
    } finally {
      await server.stop();
    }
  });

  test("a plugin's storage area replaces the filesystem", async () => {
    const storage = await startPharos({
      config: {
        Plugins: [
          join(fixtures, "storage/memory-storage.ts"),
          join(fixtures, "storage-access.ts"),
        ],
        FlatStorage: "flat",
      },
    });
    try {
      const stored = await (await upload(storage.url, KNEE)).json();
      expect(stored.Status).toBe("Success");
      const flat = readdirSync(join(storage.dir, "flat"));
      expect(flat).toHaveLength(1);
      expect(flat[0]).toMatch(/^[0-9a-f-]{36}\.1$/);
      expect(
        existsSync(join(storage.dir, "storage")) ? readdirSync(join(storage.dir, "storage")) : [],
      )
        .toEqual([]);
      const back = new Uint8Array(
        await (await fetch(`${storage.url}/instances/${stored.ID}/file`)).arrayBuffer(),
      );
      expect(Buffer.compare(back, await read(KNEE))).toBe(0);
      // host.storageArea reaches the plugin's area, its range reads included.
      const uuid = readdirSync(join(storage.dir, "flat"))[0]!.slice(0, 36);
      const whole = await fetch(`${storage.url}/storage-access/read/${uuid}`);
      expect(Buffer.compare(new Uint8Array(await whole.arrayBuffer()), await read(KNEE))).toBe(0);
      const part = await fetch(`${storage.url}/storage-access/read/${uuid}?start=128&end=132`);
      expect(new TextDecoder().decode(await part.arrayBuffer())).toBe("DICM");
      expect((await (await fetch(`${storage.url}/flat-storage/ranges`)).json()).ranges).toBe(1);
      expect(await (await fetch(`${storage.url}/flat-storage/late`)).text()).toBe(
        "refused: A storage area can only be registered from initialize()",
      );
      expect((await fetch(`${storage.url}/instances/${stored.ID}`, { method: "DELETE" })).status)
        .toBe(200);
      expect(readdirSync(join(storage.dir, "flat"))).toEqual([]);
    } finally {
      await storage.stop();
    }
  });
});
