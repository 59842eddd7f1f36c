// Plugin WebDAV collections (host.webdav.register) through a running server. Orthanc serves them
// with the same HTTP code as its own share (HttpServer over an IWebDavBucket), so they answer in
// its format: OPTIONS only at the collection's root with DAV 1,2, PROPFIND needing Depth 0 or 1 in
// pugixml's layout, ISO dates, Orthanc's MIME types, faked LOCK/UNLOCK/PROPPATCH, 403 for a write
// the collection refuses, and Orthanc's error JSON for a failing callback.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { type RunningServer, startPharos } from "../support/server.ts";

const PLUGIN = resolve(import.meta.dir, "../plugins/webdav.ts");
const ALLOW = "GET, PUT, DELETE, OPTIONS, PROPFIND, HEAD, LOCK, UNLOCK, PROPPATCH, MKCOL";

let server: RunningServer;
let stderr: Promise<string>;
beforeAll(async () => {
  server = await startPharos({ config: { Plugins: [PLUGIN] } });
  stderr = new Response(server.process.stderr as ReadableStream).text();
});
afterAll(async () => {
  await server.stop();
});

const dav = (path: string, method: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { ...init, method });
const propfind = (path: string, depth: string) =>
  dav(path, "PROPFIND", { headers: { Depth: depth } });

interface Entry {
  href: string;
  xml: string;
}

/** The responses of a multistatus answer, in order. */
async function entries(res: Response): Promise<Entry[]> {
  expect(res.status).toBe(207);
  expect(res.headers.get("content-type")).toBe("application/xml; charset=UTF-8");
  return [...(await res.text()).matchAll(/<D:response>(.*?)<\/D:response>/gs)].map((m) => ({
    href: /<D:href>(.*?)<\/D:href>/.exec(m[1]!)![1]!,
    xml: m[1]!,
  }));
}

const prop = (xml: string, name: string) =>
  new RegExp(`<D:${name}>(.*?)</D:${name}>`).exec(xml)?.[1];

/** A date Orthanc writes for "now": to the second, within the last minute. */
function expectNow(date: string | undefined): void {
  expect(date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  expect(Math.abs(Date.parse(date!) - Date.now())).toBeLessThan(60_000);
}

describe("plugin WebDAV collections", () => {
  test("registration rules: one collection per URI, not Orthanc's folders, only from initialize()", async () => {
    expect(await (await fetch(`${server.url}/webdav-probe/state`)).json()).toEqual({
      refused: true,
      reserved: true,
      late: true,
    });
  });

  test("a collection is mounted at its own URI, as in Orthanc (not below /webdav/)", async () => {
    expect((await dav("/dav-root/made", "MKCOL")).status).toBe(201);
    const listing = await entries(await propfind("/dav-root", "1"));
    expect(listing.map((e) => e.href)).toEqual([
      "/dav-root/",
      "/dav-root/sub%20dir",
      "/dav-root/made",
      "/dav-root/hello.txt",
    ]);
    expect((await propfind("/webdav/dav-root", "1")).status).toBe(404);
  });

  test("OPTIONS answers at the collection's root only, with Orthanc's DAV and Allow", async () => {
    for (const path of ["/webdav/mem", "/webdav/mem/", "/webdav/ro/files/"]) {
      const res = await dav(path, "OPTIONS");
      expect(res.status).toBe(200);
      expect(res.headers.get("dav")).toBe("1,2");
      expect(res.headers.get("allow")).toBe(ALLOW);
    }
    expect((await dav("/webdav/mem/sub%20dir", "OPTIONS")).status).toBe(404);
    expect((await dav("/webdav/ro", "OPTIONS")).status).toBe(404);
  });

  test("PROPFIND needs Depth 0 or 1, as on Orthanc's share", async () => {
    const none = await dav("/webdav/mem/", "PROPFIND");
    expect(none.status).toBe(500);
    expect((await none.json()).Details).toBe("WebDAV PROPFIND without depth");
    const two = await propfind("/webdav/mem/", "2");
    expect(two.status).toBe(500);
    expect((await two.json()).Details).toBe(
      "WebDAV PROPFIND at unsupported depth (can only be 0 or 1): 2",
    );
  });

  test("PROPFIND on a folder: Orthanc's XML, the folder itself dated now, then its items", async () => {
    const zero = await propfind("/webdav/mem/", "0");
    const body = await zero.clone().text();
    expect(body.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/g, "T")).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>
<D:multistatus xmlns:D="DAV:">
  <D:response>
    <D:href>/webdav/mem/</D:href>
    <D:propstat>
      <D:status>HTTP/1.1 200 OK</D:status>
      <D:prop>
        <D:displayname>mem</D:displayname>
        <D:creationdate>T</D:creationdate>
        <D:getlastmodified>T</D:getlastmodified>
        <D:resourcetype>
          <D:collection />
        </D:resourcetype>
      </D:prop>
    </D:propstat>
  </D:response>
</D:multistatus>
`,
    );
    const [self] = await entries(zero);
    expectNow(prop(self!.xml, "creationdate"));

    const one = await entries(await propfind("/webdav/mem", "1"));
    expect(one.map((e) => e.href)).toEqual([
      "/webdav/mem/",
      "/webdav/mem/sub%20dir",
      "/webdav/mem/hello.txt",
    ]);
    const [, folder, file] = one;
    expect(prop(folder!.xml, "displayname")).toBe("sub dir");
    expect(prop(folder!.xml, "creationdate")).toBe("2024-01-01T00:00:00Z");
    expect(folder!.xml).toContain("<D:collection />");
    expect(file!.xml).toContain(
      `<D:displayname>hello.txt</D:displayname>
        <D:creationdate>2024-01-02T03:04:05Z</D:creationdate>
        <D:getlastmodified>2024-01-02T03:04:05Z</D:getlastmodified>
        <D:resourcetype />
        <D:getcontentlength>12</D:getcontentlength>
        <D:getcontenttype>text/plain</D:getcontenttype>`,
    );
  });

  test("dates and MIME types as the plugin gives them, shown as Orthanc shows them", async () => {
    const items = await entries(await propfind("/webdav/ro/files", "1"));
    const shown = items.slice(1).map((e) => [
      e.href,
      prop(e.xml, "creationdate"),
      prop(e.xml, "getlastmodified"),
      prop(e.xml, "getcontenttype"),
    ]);
    expect(shown).toEqual([
      // Orthanc's "YYYYMMDDTHHMMSS,fff", to the second; the type guessed from the extension.
      [
        "/webdav/ro/files/a.dcm",
        "2023-04-05T06:07:08Z",
        "2023-04-05T06:07:08Z",
        "application/dicom",
      ],
      // A type Orthanc does not know becomes application/octet-stream.
      [
        "/webdav/ro/files/custom.dat",
        "1970-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
        "application/octet-stream",
      ],
      // text/xml is Orthanc's other spelling of application/xml.
      [
        "/webdav/ro/files/legacy.xml",
        "2022-01-02T03:04:05Z",
        "2022-01-02T03:04:05Z",
        "application/xml",
      ],
    ]);
    const custom = await dav("/webdav/ro/files/custom.dat", "GET");
    expect(custom.headers.get("content-type")).toBe("application/octet-stream");
    expect(custom.headers.get("last-modified")).toBe("1970-01-01T00:00:00Z");
  });

  test("PROPFIND on a file lists its folder, then the file as retrieveFile describes it", async () => {
    for (const depth of ["0", "1"]) {
      const [self, file] = await entries(await propfind("/webdav/mem/hello.txt", depth));
      expect(self!.href).toBe("/webdav/mem/");
      expect(file!.href).toBe("/webdav/mem/hello.txt");
      expectNow(prop(file!.xml, "creationdate"));
      expect(prop(file!.xml, "getlastmodified")).toBe("2024-01-02T03:04:05Z");
      expect(prop(file!.xml, "getcontentlength")).toBe("12");
      expect(prop(file!.xml, "getcontenttype")).toBe("text/plain");
    }
    const missing = await propfind("/webdav/mem/nope", "1");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("");
    expect((await propfind("/webdav/mem/nope/deeper", "0")).status).toBe(404);
  });

  test("GET and HEAD: the content, Orthanc's MIME type and ISO Last-Modified; else 404", async () => {
    const res = await dav("/webdav/mem/hello.txt", "GET");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(res.headers.get("last-modified")).toBe("2024-01-02T03:04:05Z");
    expect(await res.text()).toBe("hello webdav");
    const head = await dav("/webdav/mem/hello.txt", "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("last-modified")).toBe("2024-01-02T03:04:05Z");
    expect(await head.text()).toBe("");
    const dcm = await dav("/webdav/ro/files/a.dcm", "GET");
    expect(dcm.headers.get("content-type")).toBe("application/dicom");
    expect([...new Uint8Array(await dcm.arrayBuffer())]).toEqual([1, 2, 3]);
    for (const path of ["/webdav/mem/missing.txt", "/webdav/mem/sub%20dir", "/webdav/mem/"]) {
      expect((await dav(path, "GET")).status).toBe(404);
    }
  });

  test("MKCOL and PUT answer 201, DELETE 204; a write the plugin refuses is a 403", async () => {
    expect((await dav("/webdav/mem/new", "MKCOL")).status).toBe(201);
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    expect((await dav("/webdav/mem/new/data.bin", "PUT", { body: bytes })).status).toBe(201);
    const listing = await entries(await propfind("/webdav/mem/new/", "1"));
    expect(listing.map((e) => e.href)).toEqual(["/webdav/mem/new/", "/webdav/mem/new/data.bin"]);
    expect(prop(listing[1]!.xml, "getcontentlength")).toBe("5");
    expect(prop(listing[1]!.xml, "getlastmodified")).toBe("2025-06-07T08:09:10Z");
    const got = await dav("/webdav/mem/new/data.bin", "GET");
    expect(got.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);

    expect((await dav("/webdav/mem/new/data.bin", "DELETE")).status).toBe(204);
    expect((await dav("/webdav/mem/new/data.bin", "GET")).status).toBe(404);
    expect((await dav("/webdav/mem/new", "DELETE")).status).toBe(204);
    expect((await propfind("/webdav/mem/new", "0")).status).toBe(404);
    // deleteItem answering false.
    expect((await dav("/webdav/mem/never", "DELETE")).status).toBe(403);
  });

  test("a read-only collection: 403 for every write, whether refused or without a callback", async () => {
    expect((await dav("/webdav/ro/files/b.dcm", "PUT", { body: "x" })).status).toBe(403);
    for (const method of ["MKCOL", "DELETE"]) {
      const res = await dav("/webdav/ro/files/a.dcm", method);
      expect(res.status).toBe(403);
      expect(res.headers.get("allow")).toBeNull();
    }
    expect((await dav("/webdav/ro/files/a.dcm", "GET")).status).toBe(200);
  });

  test("LOCK, UNLOCK and PROPPATCH are granted without effect; MOVE and COPY are refused", async () => {
    const lock = await dav("/webdav/ro/files/a.dcm", "LOCK");
    expect(lock.status).toBe(201);
    const token = lock.headers.get("lock-token")!;
    expect(token).toMatch(/^opaquelocktoken:0x[0-9a-f]{32}$/);
    const xml = await lock.text();
    expect(xml).toContain("<D:lockroot>\n        <D:href>/webdav/ro/files/a.dcm</D:href>");
    expect(xml).toContain(`<D:locktoken>\n        <D:href>${token}</D:href>`);
    expect((await dav("/webdav/ro/files/a.dcm", "UNLOCK")).status).toBe(204);
    const patch = await dav("/webdav/mem/hello.txt", "PROPPATCH");
    expect(patch.status).toBe(207);
    expect(await patch.text()).toContain("<D:href>/webdav/mem/hello.txt</D:href>");
    for (const method of ["MOVE", "COPY"]) {
      const res = await dav("/webdav/mem/hello.txt", method);
      expect(res.status).toBe(400);
      expect(await res.text()).toBe("Error 400: Bad Request\nBad request");
    }
  });

  test("a failing callback is logged and answers Orthanc's error JSON; the server lives", async () => {
    const listed = await propfind("/webdav/boom/x", "1");
    expect(listed.status).toBe(500);
    const error = await listed.json();
    expect(error.Method).toBe("GET");
    expect(error.OrthancError).toBe("Error encountered within the plugin engine");
    expect(error.Details).toBe(
      'Error in the WebDAV callback of plugin "webdav-probe": listing exploded',
    );
    expect((await dav("/webdav/boom/x", "GET")).status).toBe(500);
    const stored = await dav("/webdav/boom/x", "PUT", { body: "x" });
    expect(stored.status).toBe(500);
    expect((await stored.json()).Method).toBe("PUT");
    // An ill-formed date is Orthanc's ParameterOutOfRange.
    const badDate = await propfind("/webdav/bad-date/", "1");
    expect(badDate.status).toBe(400);
    expect((await badDate.json()).OrthancError).toBe("Parameter out of range");
    expect((await dav("/webdav/mem/hello.txt", "GET")).status).toBe(200);
    // Outside any collection: the built-in share's 404.
    expect((await propfind("/webdav/elsewhere/", "1")).status).toBe(404);
    await server.stop({ keep: false });
    const log = await stderr;
    expect(log).toContain('Error in the WebDAV callback of plugin "webdav-probe"');
    expect(log).toContain("retrieval exploded");
    expect(log).toContain("storage exploded");
    expect(log).toContain("Unknown MIME type in plugin: text/x-custom");
  });
});
