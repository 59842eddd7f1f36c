// Plugin WebDAV collections (host.webdav.register) through a running server: OPTIONS, PROPFIND
// with Depth 0 and 1, GET/HEAD, PUT, MKCOL, DELETE, read-only collections and failing callbacks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { type RunningServer, startPharos } from "../support/server.ts";

const PLUGIN = resolve(import.meta.dir, "../plugins/webdav.ts");

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

/** The <D:response> elements of a multistatus body, by href. */
function responses(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of xml.matchAll(/<D:response>(.*?)<\/D:response>/gs)) {
    out.set(/<D:href>(.*?)<\/D:href>/.exec(m[1]!)![1]!, m[1]!);
  }
  return out;
}

describe("plugin WebDAV collections", () => {
  test("registration rules: one collection per URI, not Orthanc's folders, only from initialize()", async () => {
    expect(await (await fetch(`${server.url}/webdav-probe/state`)).json()).toEqual({
      refused: true,
      reserved: true,
      late: true,
    });
  });

  test("OPTIONS lists the methods the collection allows", async () => {
    const mem = await dav("/webdav/mem/", "OPTIONS");
    expect(mem.status).toBe(200);
    expect(mem.headers.get("dav")).toBe("1");
    expect(mem.headers.get("allow")).toBe("OPTIONS, PROPFIND, GET, HEAD, PUT, MKCOL, DELETE");
    const ro = await dav("/webdav/ro/files", "OPTIONS");
    expect(ro.headers.get("allow")).toBe("OPTIONS, PROPFIND, GET, HEAD, PUT");
  });

  test("PROPFIND Depth 0 describes the folder only; Depth 1 adds its children", async () => {
    const zero = await propfind("/webdav/mem/", "0");
    expect(zero.status).toBe(207);
    expect(zero.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    const self = responses(await zero.text());
    expect([...self.keys()]).toEqual(["/webdav/mem/"]);
    expect(self.get("/webdav/mem/")).toContain("<D:resourcetype><D:collection/></D:resourcetype>");
    expect(self.get("/webdav/mem/")).toContain("<D:displayname>mem</D:displayname>");

    const one = await propfind("/webdav/mem", "1");
    expect(one.status).toBe(207);
    const body = await one.text();
    expect(body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    expect(body).toContain('<D:multistatus xmlns:D="DAV:">');
    const all = responses(body);
    expect([...all.keys()]).toEqual([
      "/webdav/mem/",
      "/webdav/mem/sub%20dir/",
      "/webdav/mem/hello.txt",
    ]);
    const file = all.get("/webdav/mem/hello.txt")!;
    expect(file).toContain("<D:displayname>hello.txt</D:displayname>");
    expect(file).toContain("<D:resourcetype/>");
    expect(file).toContain("<D:getcontentlength>12</D:getcontentlength>");
    expect(file).toContain("<D:getlastmodified>Tue, 02 Jan 2024 03:04:05 GMT</D:getlastmodified>");
    expect(file).toContain("<D:getcontenttype>text/plain</D:getcontenttype>");
    expect(all.get("/webdav/mem/sub%20dir/")).toContain("<D:displayname>sub dir</D:displayname>");

    // A file, and a path that does not exist.
    const one_file = responses(await (await propfind("/webdav/mem/hello.txt", "1")).text());
    expect([...one_file.keys()]).toEqual(["/webdav/mem/hello.txt"]);
    expect((await propfind("/webdav/mem/nope", "1")).status).toBe(404);
    expect((await propfind("/webdav/mem/nope/deeper", "0")).status).toBe(404);
  });

  test("GET and HEAD answer a file's content; a missing file is a 404", async () => {
    const res = await dav("/webdav/mem/hello.txt", "GET");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(res.headers.get("last-modified")).toBe("Tue, 02 Jan 2024 03:04:05 GMT");
    expect(await res.text()).toBe("hello webdav");
    const head = await dav("/webdav/mem/hello.txt", "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("12");
    expect((await dav("/webdav/mem/missing.txt", "GET")).status).toBe(404);
    const dcm = await dav("/webdav/ro/files/a.dcm", "GET");
    expect(dcm.headers.get("content-type")).toBe("application/dicom");
    expect([...new Uint8Array(await dcm.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  test("MKCOL, PUT, then PROPFIND/GET see them; DELETE removes them", async () => {
    expect((await dav("/webdav/mem/new", "MKCOL")).status).toBe(201);
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    expect((await dav("/webdav/mem/new/data.bin", "PUT", { body: bytes })).status).toBe(201);
    const listing = responses(await (await propfind("/webdav/mem/new/", "1")).text());
    expect([...listing.keys()]).toEqual(["/webdav/mem/new/", "/webdav/mem/new/data.bin"]);
    expect(listing.get("/webdav/mem/new/data.bin")).toContain(
      "<D:getcontentlength>5</D:getcontentlength>",
    );
    expect(listing.get("/webdav/mem/new/data.bin")).toContain(
      "<D:getlastmodified>Sat, 07 Jun 2025 08:09:10 GMT</D:getlastmodified>",
    );
    const got = await dav("/webdav/mem/new/data.bin", "GET");
    expect(got.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);

    expect((await dav("/webdav/mem/new/data.bin", "DELETE")).status).toBe(204);
    expect((await dav("/webdav/mem/new/data.bin", "GET")).status).toBe(404);
    expect((await dav("/webdav/mem/new", "DELETE")).status).toBe(204);
    expect((await propfind("/webdav/mem/new", "0")).status).toBe(404);
    // deleteItem answering false: read-only.
    expect((await dav("/webdav/mem/never", "DELETE")).status).toBe(403);
  });

  test("a read-only collection refuses writes: 403 from storeFile, 405 without a callback", async () => {
    expect((await dav("/webdav/ro/files/b.dcm", "PUT", { body: "x" })).status).toBe(403);
    const mkcol = await dav("/webdav/ro/files/dir", "MKCOL");
    expect(mkcol.status).toBe(405);
    expect(mkcol.headers.get("allow")).toBe("OPTIONS, PROPFIND, GET, HEAD, PUT");
    expect((await dav("/webdav/ro/files/a.dcm", "DELETE")).status).toBe(405);
    expect((await dav("/webdav/ro/files/a.dcm", "LOCK")).status).toBe(405);
  });

  test("a throwing callback answers 500, is logged with the plugin's name, and the server lives", async () => {
    const listed = await propfind("/webdav/boom/x", "1");
    expect(listed.status).toBe(500);
    expect((await listed.json()).Details).toContain(
      'Error in the WebDAV callback of plugin "webdav-probe": listing exploded',
    );
    expect((await dav("/webdav/boom/x", "GET")).status).toBe(500);
    expect((await dav("/webdav/mem/hello.txt", "GET")).status).toBe(200);
    // Outside any collection: the built-in share's 404 (a PROPFIND without Depth would be its 500).
    expect((await propfind("/webdav/elsewhere/", "1")).status).toBe(404);
    await server.stop({ keep: false });
    const log = await stderr;
    expect(log).toContain('Error in the WebDAV callback of plugin "webdav-probe"');
    expect(log).toContain("retrieval exploded");
  });
});
