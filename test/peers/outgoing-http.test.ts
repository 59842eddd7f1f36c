// Outgoing HTTP as Orthanc's client sends it: through HttpProxy (peers, the DICOMweb client, Lua's
// HttpGet), and each request logged with HttpVerbose. The proxy is a recording forward proxy.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { proxyUrl } from "../../src/server/outgoing-http.ts";
import { type RunningServer, startPharos } from "../support/server.ts";

const seen: { line: string; proxyAuthorization: string | null }[] = [];
let target: ReturnType<typeof Bun.serve>;
let proxy: ReturnType<typeof Bun.serve>;
let pharos: RunningServer;
let targetUrl: string;

beforeAll(async () => {
  target = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/orthanc/system") return Response.json({ Name: "remote", Version: "1.10.1" });
      if (path === "/dicom-web/studies") return Response.json([]);
      return new Response(`plain ${path}`);
    },
  });
  targetUrl = `http://127.0.0.1:${target.port}`;
  proxy = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      seen.push({
        line: `${request.method} ${request.url}`,
        proxyAuthorization: request.headers.get("proxy-authorization"),
      });
      const headers = new Headers(request.headers);
      headers.delete("proxy-authorization");
      return await fetch(request.url, { method: request.method, headers, body: request.body });
    },
  });
  pharos = await startPharos({
    extraArgs: ["--verbose"],
    config: {
      HttpProxy: `alice:secret@127.0.0.1:${proxy.port}`,
      HttpVerbose: true,
      ExecuteLuaEnabled: true,
      OrthancPeers: { remote: [`${targetUrl}/orthanc/`] },
      DicomWeb: { Enable: true, Servers: { remote: [`${targetUrl}/dicom-web/`] } },
    },
  });
});

afterAll(async () => {
  await pharos?.stop();
  proxy?.stop(true);
  target?.stop(true);
});

test("a peer is reached through the proxy, with the proxy's credentials", async () => {
  const answer = await fetch(`${pharos.url}/peers/remote/system`);
  expect(answer.status).toBe(200);
  expect(await answer.json()).toEqual({ Name: "remote", Version: "1.10.1" });
  const request = seen.find((s) => s.line === `GET ${targetUrl}/orthanc/system`);
  expect(request?.proxyAuthorization).toBe(`Basic ${btoa("alice:secret")}`);
});

test("the DICOMweb client goes through the proxy", async () => {
  const answer = await fetch(`${pharos.url}/dicom-web/servers/remote/get`, {
    method: "POST",
    body: JSON.stringify({ Uri: "/studies" }),
  });
  expect(answer.status).toBe(200);
  expect(await answer.json()).toEqual([]);
  expect(seen.map((s) => s.line)).toContain(`GET ${targetUrl}/dicom-web/studies`);
});

test("Lua's HttpGet goes through the proxy", async () => {
  const answer = await fetch(`${pharos.url}/tools/execute-script`, {
    method: "POST",
    body: `print(HttpGet('${targetUrl}/lua'))`,
  });
  expect(await answer.text()).toBe("plain /lua\n");
  expect(seen.map((s) => s.line)).toContain(`GET ${targetUrl}/lua`);
});

test("HttpVerbose logs each request, without the proxy's password", async () => {
  await pharos.stop({ keep: false });
  const stderr = await new Response(pharos.process.stderr).text();
  expect(stderr).toContain(
    `HTTP client: GET ${targetUrl}/orthanc/system through the proxy http://127.0.0.1:${proxy.port}`,
  );
  expect(stderr).toMatch(new RegExp(`GET ${targetUrl}/orthanc/system answered 200 in `));
  expect(stderr).not.toContain("secret");
});

test("HttpProxy's forms", () => {
  expect(proxyUrl("")).toBeUndefined();
  expect(proxyUrl("10.0.0.1:3128")).toBe("http://10.0.0.1:3128");
  expect(proxyUrl("u:p@10.0.0.1:3128")).toBe("http://u:p@10.0.0.1:3128");
  expect(proxyUrl("https://proxy:443")).toBe("https://proxy:443");
});
