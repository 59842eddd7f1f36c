// Attachments at the four levels, against in-process servers: reading with ETags and ranges,
// user attachments with revisions, compression changed in place, MD5 verification, and the
// answers Orthanc 1.10.1 gives to bad input (recorded from it; revisions follow the 1.12 contract,
// which Orthanc's SQLite back-end does not implement).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { startInProcess } from "../support/in-process.ts";
import { samplesDir, type TestServer, upload } from "../support/server.ts";

const SAMPLE = join(samplesDir, "MultiframeWindowing.dcm");
const INSTANCE = "fa11679b-df0608bd-ba4fbc44-51a73d64-5cbae016";
const SERIES = "f8192f84-77bbed25-dfe7c049-70a89591-0614c194";
const STUDY = "bd071501-08ae315b-1ca4a677-08da65b8-6fe8fc47";
const PATIENT = "da39a3ee-5e6b4b0d-3255bfef-95601890-afd80709";
const SAMPLE_MD5 = "7c4b0562c25269e78942307cae963d8d";
const EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";
const USER_TYPES = { report: 1025, pdf: [1026, "application/pdf"] };
const A = `/instances/${INSTANCE}/attachments`;

const md5 = (data: Uint8Array | string) => new Bun.CryptoHasher("md5").update(data).digest("hex");

class Client {
  constructor(readonly server: TestServer) {}
  fetch(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`${this.server.url}${path}`, init);
  }
  put(path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, { method: "PUT", body, headers });
  }
  del(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, { method: "DELETE", headers });
  }
  post(path: string): Promise<Response> {
    return this.fetch(path, { method: "POST" });
  }
  async json(path: string): Promise<unknown> {
    const res = await this.fetch(path);
    expect(res.status).toBe(200);
    return res.json();
  }
  async text(path: string): Promise<string> {
    const res = await this.fetch(path);
    expect(res.status).toBe(200);
    return res.text();
  }
  async info(path: string): Promise<Info> {
    return (await this.json(`${path}/info`)) as Info;
  }
  /** Where the filesystem storage area keeps a file. */
  storedPath(uuid: string): string {
    return join(this.server.dir, "storage", uuid.slice(0, 2), uuid.slice(2, 4), uuid);
  }
  storedFiles(): number {
    return readdirSync(join(this.server.dir, "storage"), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile()).length;
  }
}

interface Info {
  CompressedMD5: string;
  CompressedSize: number;
  ContentType: number;
  UncompressedMD5: string;
  UncompressedSize: number;
  Uuid: string;
}

function orthancError(status: number, code: number, method: string, uri: string) {
  const http: Record<number, string> = {
    400: "Bad Request",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
  };
  const messages: Record<number, string> = {
    3: "Parameter out of range",
    5: "Bad type for a parameter",
    7: "Accessing an inexistent item",
    17: "Unknown resource",
    43:
      "A bad revision number was provided, which might indicate conflict between multiple writers",
    2006: "The specified path does not point to a regular file",
  };
  return {
    HttpError: http[status],
    HttpStatus: status,
    Message: messages[code],
    Method: method,
    OrthancError: messages[code],
    OrthancStatus: code,
    Uri: uri,
  };
}

async function expectError(
  res: Response,
  status: number,
  code: number,
  method: string,
  uri: string,
  details?: string,
): Promise<void> {
  expect(res.status).toBe(status);
  const expected: Record<string, unknown> = orthancError(status, code, method, uri);
  if (details !== undefined) expected.Details = details;
  expect(await res.json()).toEqual(expected);
}

async function expectBare(res: Response, status: number): Promise<void> {
  expect(res.status).toBe(status);
  expect(await res.text()).toBe("");
}

async function startWith(config: Record<string, unknown>): Promise<Client> {
  const server = await startInProcess({ config: { UserContentType: USER_TYPES, ...config } });
  expect((await upload(server.url, SAMPLE)).status).toBe(200);
  return new Client(server);
}

const servers: Client[] = [];
let plain: Client;
let checked: Client;
let compressed: Client;
let noMd5: Client;
beforeAll(async () => {
  [plain, checked, compressed, noMd5] = await Promise.all([
    startWith({}),
    startWith({ CheckRevisions: true }),
    startWith({ StorageCompression: true }),
    startWith({ StoreMD5ForAttachments: false }),
  ]);
  servers.push(plain, checked, compressed, noMd5);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.server.stop()));
});

describe("reading the DICOM attachment", () => {
  test("lists attachments by name, or by name and number with ?full", async () => {
    expect(await plain.json(A)).toEqual(["dicom"]);
    expect(await plain.json(`${A}?full`)).toEqual({ dicom: 1 });
    expect(await plain.json(`/patients/${PATIENT}/attachments`)).toEqual([]);
  });

  test("lists the operations, with the ETag of the revision and MD5", async () => {
    const res = await plain.fetch(`${A}/dicom`);
    expect(res.headers.get("etag")).toBe(`"0-${SAMPLE_MD5}"`);
    expect(await res.json()).toEqual([
      "compress",
      "compressed-data",
      "compressed-md5",
      "compressed-size",
      "data",
      "info",
      "is-compressed",
      "md5",
      "size",
      "uncompress",
      "verify-md5",
      "uuid",
    ]);
  });

  test("sizes, MD5s, compression flag and info, each with the ETag", async () => {
    const expectations: [string, string][] = [
      ["size", "936"],
      ["compressed-size", "936"],
      ["md5", SAMPLE_MD5],
      ["compressed-md5", SAMPLE_MD5],
      ["is-compressed", "0"],
    ];
    for (const [path, value] of expectations) {
      const res = await plain.fetch(`${A}/dicom/${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain");
      expect(res.headers.get("etag")).toBe(`"0-${SAMPLE_MD5}"`);
      expect(await res.text()).toBe(value);
    }
    const info = await plain.info(`${A}/dicom`);
    expect(info).toEqual({
      CompressedMD5: SAMPLE_MD5,
      CompressedSize: 936,
      ContentType: 1,
      UncompressedMD5: SAMPLE_MD5,
      UncompressedSize: 936,
      Uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(existsSync(plain.storedPath(info.Uuid))).toBe(true);
  });

  test("data is the file as application/dicom named <uuid>.dcm; compressed-data unnamed", async () => {
    const original = new Uint8Array(await Bun.file(SAMPLE).arrayBuffer());
    const { Uuid } = await plain.info(`${A}/dicom`);
    const data = await plain.fetch(`${A}/dicom/data`);
    expect(data.headers.get("content-type")).toBe("application/dicom");
    expect(data.headers.get("content-disposition")).toBe(`filename="${Uuid}.dcm"`);
    expect(data.headers.get("etag")).toBe(`"0-${SAMPLE_MD5}"`);
    expect(new Uint8Array(await data.arrayBuffer())).toEqual(original);
    const raw = await plain.fetch(`${A}/dicom/compressed-data`);
    expect(raw.headers.get("content-type")).toBe("application/octet-stream");
    expect(raw.headers.get("content-disposition")).toBeNull();
    expect(new Uint8Array(await raw.arrayBuffer())).toEqual(original);
    const named = await plain.fetch(`${A}/dicom/data?filename=scan.dcm`);
    expect(named.headers.get("content-disposition")).toBe('filename="scan.dcm"');
  });

  test("a content type can be named by its number", async () => {
    expect(await plain.text(`${A}/1/size`)).toBe("936");
    expect(await plain.text(`${A}/01/md5`)).toBe(SAMPLE_MD5);
  });

  test("If-None-Match with the current ETag answers 304; a stale or bad one does not", async () => {
    const etag = `"0-${SAMPLE_MD5}"`;
    for (const path of ["", "/data", "/info", "/size", "/compressed-data"]) {
      const res = await plain.fetch(`${A}/dicom${path}`, { headers: { "If-None-Match": etag } });
      expect(res.status).toBe(304);
      expect(res.headers.get("etag")).toBe(etag);
    }
    const unquoted = await plain.fetch(`${A}/dicom/md5`, {
      headers: { "If-None-Match": `0-${SAMPLE_MD5}` },
    });
    expect(unquoted.status).toBe(304);
    const stale = await plain.fetch(`${A}/dicom/size`, {
      headers: { "If-None-Match": `"1-${SAMPLE_MD5}"` },
    });
    expect(stale.status).toBe(200);
    const bad = await plain.fetch(`${A}/dicom/size`, { headers: { "If-None-Match": "junk" } });
    expect(bad.headers.get("etag")).toBe(etag);
    await expectError(
      bad,
      400,
      3,
      "GET",
      `${A}/dicom/size`,
      'The "If-None-Match" HTTP header should contain the ETag (revision followed by MD5 hash), but found: junk',
    );
  });

  test("data and compressed-data serve byte ranges", async () => {
    const original = new Uint8Array(await Bun.file(SAMPLE).arrayBuffer());
    const part = await plain.fetch(`${A}/dicom/data`, { headers: { Range: "bytes=128-131" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 128-131/936");
    expect(await part.text()).toBe("DICM");
    const tail = await plain.fetch(`${A}/dicom/compressed-data`, {
      headers: { Range: "bytes=-10" },
    });
    expect(tail.status).toBe(206);
    expect(tail.headers.get("content-range")).toBe("bytes 926-935/936");
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(original.subarray(926));
    const open = await plain.fetch(`${A}/dicom/data`, { headers: { Range: "bytes=930-" } });
    expect(open.headers.get("content-range")).toBe("bytes 930-935/936");
    const beyond = await plain.fetch(`${A}/dicom/data`, { headers: { Range: "bytes=936-" } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe("bytes */936");
    // Several ranges, or one that does not parse, are ignored: the whole file comes back.
    for (const range of ["bytes=0-1,4-5", "bytes=9-2", "lines=1-2"]) {
      const whole = await plain.fetch(`${A}/dicom/data`, { headers: { Range: range } });
      expect(whole.status).toBe(200);
      expect((await whole.arrayBuffer()).byteLength).toBe(936);
    }
  });

  test("unknown names, numbers, routes and resources get Orthanc's errors", async () => {
    await expectError(await plain.fetch(`${A}/foo`), 404, 7, "GET", `${A}/foo`);
    await expectError(await plain.fetch(`${A}/DICOM/size`), 404, 7, "GET", `${A}/DICOM/size`);
    await expectError(await plain.fetch(`${A}/+1`), 404, 7, "GET", `${A}/+1`);
    // A known name or a number, but nothing stored under it.
    await expectError(
      await plain.fetch(`${A}/dicom-as-json`),
      404,
      17,
      "GET",
      `${A}/dicom-as-json`,
    );
    await expectError(await plain.fetch(`${A}/report/data`), 404, 17, "GET", `${A}/report/data`);
    await expectError(await plain.fetch(`${A}/70000`), 404, 17, "GET", `${A}/70000`);
    await expectError(
      await plain.fetch(`${A}/99999999999`),
      400,
      5,
      "GET",
      `${A}/99999999999`,
      "Syntax error in some user-supplied data",
    );
    // Orthanc 1.10.1 lists "uuid" among the operations but serves no such route.
    await expectError(await plain.fetch(`${A}/dicom/uuid`), 404, 17, "GET", `${A}/dicom/uuid`);
    const wrongLevel = `/patients/${INSTANCE}/attachments`;
    await expectError(await plain.fetch(wrongLevel), 404, 17, "GET", wrongLevel);
    await expectError(
      await plain.fetch("/series/nope/attachments/dicom/size"),
      404,
      17,
      "GET",
      "/series/nope/attachments/dicom/size",
    );
  });

  test("wrong methods give 405 with Orthanc's Allow", async () => {
    const allow = async (path: string, method: string) =>
      (await plain.fetch(path, { method })).headers.get("allow");
    expect(await allow(`${A}/report`, "POST")).toBe("GET,PUT,DELETE");
    expect(await allow(A, "PUT")).toBe("GET");
    expect(await allow(`${A}/report/compress`, "GET")).toBe("POST");
    expect(await allow(`${A}/report/verify-md5`, "PUT")).toBe("POST");
    expect(await allow(`${A}/report/data`, "DELETE")).toBe("GET");
  });
});

describe("user attachments", () => {
  test("PUT stores a declared name and answers {} with the new ETag", async () => {
    const res = await plain.put(`${A}/report`, "hello");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("etag")).toBe(`"0-${md5("hello")}"`);
    expect(await res.text()).toBe("{}");
    expect(await plain.json(A)).toEqual(["dicom", "report"]);
    const data = await plain.fetch(`${A}/report/data`);
    const { Uuid } = await plain.info(`${A}/report`);
    expect(data.headers.get("content-type")).toBe("application/octet-stream");
    expect(data.headers.get("content-disposition")).toBe(`filename="${Uuid}"`);
    expect(await data.text()).toBe("hello");
    expect(await plain.text(`${A}/1025/size`)).toBe("5");
  });

  test("the MIME type of a [number, type] declaration; numbers outside the option", async () => {
    expect((await plain.put(`${A}/pdf`, "%PDF-1.4")).status).toBe(200);
    const pdf = await plain.fetch(`${A}/pdf/data`);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect((await plain.put(`${A}/2000`, "x")).status).toBe(200);
    expect(await plain.json(`${A}?full`)).toEqual({
      2000: 2000,
      dicom: 1,
      pdf: 1026,
      report: 1025,
    });
    expect(await plain.json(A)).toEqual(["dicom", "report", "pdf", "2000"]);
  });

  test("overwriting bumps the revision and removes the replaced file", async () => {
    const before = await plain.info(`${A}/report`);
    const res = await plain.put(`${A}/report`, "hello again");
    expect(res.headers.get("etag")).toBe(`"1-${md5("hello again")}"`);
    const after = await plain.info(`${A}/report`);
    expect(after.Uuid).not.toBe(before.Uuid);
    expect(existsSync(plain.storedPath(before.Uuid))).toBe(false);
    expect(existsSync(plain.storedPath(after.Uuid))).toBe(true);
    const read = await plain.fetch(`${A}/report/data`);
    expect(read.headers.get("etag")).toBe(`"1-${md5("hello again")}"`);
    expect(await read.text()).toBe("hello again");
  });

  test("If-Match: a matching ETag writes, a stale or foreign one is a 409", async () => {
    const uri = `${A}/report`;
    const current = `"1-${md5("hello again")}"`;
    await expectError(
      await plain.put(uri, "x", { "If-Match": `"0-${md5("hello")}"` }),
      409,
      43,
      "PUT",
      uri,
    );
    await expectError(
      await plain.put(uri, "x", { "If-Match": `"1-${md5("other")}"` }),
      409,
      43,
      "PUT",
      uri,
    );
    await expectError(
      await plain.put(uri, "x", { "If-Match": "garbage" }),
      400,
      3,
      "PUT",
      uri,
      'The "if-match" HTTP header should contain the ETag (revision followed by MD5 hash), but found: garbage',
    );
    expect(await plain.text(`${uri}/data`)).toBe("hello again");
    const ok = await plain.put(uri, "third", { "If-Match": current });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("etag")).toBe(`"2-${md5("third")}"`);
    // A first write ignores If-Match, as Orthanc starts a new sequence of revisions.
    const fresh = await plain.put(`${A}/1030`, "new", { "If-Match": '"7-abc"' });
    expect(fresh.headers.get("etag")).toBe(`"0-${md5("new")}"`);
  });

  test("Orthanc's own content types cannot be written: a bare 403, nothing stored", async () => {
    const files = plain.storedFiles();
    for (const name of ["dicom", "1", "3", "1023", "65536", "-1"]) {
      await expectBare(await plain.put(`${A}/${name}`, "x"), 403);
    }
    expect(plain.storedFiles()).toBe(files);
    expect(await plain.text(`${A}/dicom/md5`)).toBe(SAMPLE_MD5);
    await expectError(await plain.put(`${A}/foo`, "x"), 404, 7, "PUT", `${A}/foo`);
  });

  test("a write to an unknown resource is a 404 and leaves no file behind", async () => {
    const files = plain.storedFiles();
    const uri = "/studies/nope/attachments/report";
    await expectError(await plain.put(uri, "x"), 404, 17, "PUT", uri);
    expect(plain.storedFiles()).toBe(files);
  });

  test("an empty body is an empty attachment", async () => {
    const res = await plain.put(`${A}/1100`, "");
    expect(res.headers.get("etag")).toBe(`"0-${EMPTY_MD5}"`);
    const info = await plain.info(`${A}/1100`);
    expect(info.UncompressedSize).toBe(0);
    expect(info.UncompressedMD5).toBe(EMPTY_MD5);
    expect(await plain.text(`${A}/1100/data`)).toBe("");
  });

  test("a large body round-trips, and ranges reach into it", async () => {
    const big = crypto.getRandomValues(new Uint8Array(8 * 1024 * 1024));
    expect((await plain.put(`${A}/1200`, big)).status).toBe(200);
    expect(await plain.text(`${A}/1200/size`)).toBe(String(big.length));
    expect(await plain.text(`${A}/1200/md5`)).toBe(md5(big));
    const back = new Uint8Array(await (await plain.fetch(`${A}/1200/data`)).arrayBuffer());
    expect(md5(back)).toBe(md5(big));
    const part = await plain.fetch(`${A}/1200/data`, {
      headers: { Range: "bytes=5000000-5000009" },
    });
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(big.subarray(5000000, 5000010));
    expect((await plain.del(`${A}/1200`)).status).toBe(200);
  });

  test("every level takes attachments; their lists show only their own", async () => {
    expect((await plain.put(`/patients/${PATIENT}/attachments/report`, "p")).status).toBe(200);
    expect((await plain.put(`/studies/${STUDY}/attachments/report`, "st")).status).toBe(200);
    expect((await plain.put(`/series/${SERIES}/attachments/pdf`, "se")).status).toBe(200);
    expect(await plain.json(`/patients/${PATIENT}/attachments?full`)).toEqual({ report: 1025 });
    expect(await plain.json(`/studies/${STUDY}/attachments`)).toEqual(["report"]);
    expect(await plain.text(`/studies/${STUDY}/attachments/report/data`)).toBe("st");
    const series = await plain.fetch(`/series/${SERIES}/attachments/pdf/data`);
    expect(series.headers.get("content-type")).toBe("application/pdf");
    expect(await series.text()).toBe("se");
  });

  test("writes go to the change feed and the statistics", async () => {
    const before = (await plain.json("/statistics")) as { TotalDiskSize: string };
    expect((await plain.put(`${A}/1300`, "12345678")).status).toBe(200);
    const after = (await plain.json("/statistics")) as { TotalDiskSize: string };
    expect(Number(after.TotalDiskSize) - Number(before.TotalDiskSize)).toBe(8);
    const feed = (await plain.json("/changes?limit=10000")) as {
      Changes: { ChangeType: string; ID: string; ResourceType: string }[];
    };
    const updates = feed.Changes.filter((c) => c.ChangeType === "UpdatedAttachment");
    expect(updates.at(-1)).toMatchObject({ ID: INSTANCE, ResourceType: "Instance" });
    expect(updates.some((c) => c.ID === PATIENT && c.ResourceType === "Patient")).toBe(true);
  });
});

describe("deleting", () => {
  test("a user attachment goes with its file; a second DELETE is a 404", async () => {
    expect((await plain.put(`${A}/1400`, "bye")).status).toBe(200);
    const { Uuid } = await plain.info(`${A}/1400`);
    const res = await plain.del(`${A}/1400`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(await res.text()).toBe("");
    expect(existsSync(plain.storedPath(Uuid))).toBe(false);
    expect((await plain.json(A)) as string[]).not.toContain("1400");
    await expectError(await plain.del(`${A}/1400`), 404, 17, "DELETE", `${A}/1400`);
  });

  test("the DICOM file cannot be deleted; unknown names and resources get Orthanc's errors", async () => {
    await expectBare(await plain.del(`${A}/dicom`), 403);
    await expectBare(await plain.del(`${A}/-5`), 403);
    expect(await plain.text(`${A}/dicom/size`)).toBe("936");
    await expectError(
      await plain.del(`${A}/dicom-as-json`),
      404,
      17,
      "DELETE",
      `${A}/dicom-as-json`,
    );
    await expectError(await plain.del(`${A}/foo`), 404, 7, "DELETE", `${A}/foo`);
    const uri = "/patients/nope/attachments/report";
    await expectError(await plain.del(uri), 404, 17, "DELETE", uri);
  });

  test("If-Match must name the current revision", async () => {
    expect((await plain.put(`${A}/1500`, "v0")).status).toBe(200);
    expect((await plain.put(`${A}/1500`, "v1")).status).toBe(200);
    const uri = `${A}/1500`;
    await expectError(
      await plain.del(uri, { "If-Match": `"0-${md5("v0")}"` }),
      409,
      43,
      "DELETE",
      uri,
    );
    expect(await plain.text(`${uri}/data`)).toBe("v1");
    expect((await plain.del(uri, { "If-Match": `"1-${md5("v1")}"` })).status).toBe(200);
  });
});

describe("compression and verification", () => {
  test("compress rewrites the file in Orthanc's zlib format; uncompress restores it", async () => {
    expect((await plain.put(`${A}/1600`, "compress me ".repeat(100))).status).toBe(200);
    const before = await plain.info(`${A}/1600`);
    const res = await plain.post(`${A}/1600/compress`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe("{}");
    const info = await plain.info(`${A}/1600`);
    expect(await plain.text(`${A}/1600/is-compressed`)).toBe("1");
    expect(info.UncompressedSize).toBe(1200);
    expect(info.UncompressedMD5).toBe(before.UncompressedMD5);
    expect(info.CompressedSize).toBeLessThan(100);
    expect(existsSync(plain.storedPath(before.Uuid))).toBe(false);
    const raw = new Uint8Array(
      await (await plain.fetch(`${A}/1600/compressed-data`)).arrayBuffer(),
    );
    expect(raw.length).toBe(info.CompressedSize);
    expect(md5(raw)).toBe(info.CompressedMD5);
    expect(new DataView(raw.buffer).getBigUint64(0, true)).toBe(1200n);
    expect(new TextDecoder().decode(inflateSync(raw.subarray(8)))).toBe("compress me ".repeat(100));
    const data = await plain.fetch(`${A}/1600/data`);
    // A content change for the storage only, but a new revision all the same.
    expect(data.headers.get("etag")).toBe(`"1-${before.UncompressedMD5}"`);
    expect(await data.text()).toBe("compress me ".repeat(100));
    const ranged = await plain.fetch(`${A}/1600/data`, { headers: { Range: "bytes=12-22" } });
    expect(await ranged.text()).toBe("compress me");

    expect((await plain.post(`${A}/1600/compress`)).status).toBe(200);
    expect((await plain.info(`${A}/1600`)).Uuid).toBe(info.Uuid);
    expect((await plain.post(`${A}/1600/verify-md5`)).status).toBe(200);
    expect((await plain.post(`${A}/1600/uncompress`)).status).toBe(200);
    const back = await plain.info(`${A}/1600`);
    expect(back.CompressedSize).toBe(1200);
    expect(back.CompressedMD5).toBe(back.UncompressedMD5);
    expect(await plain.text(`${A}/1600/is-compressed`)).toBe("0");
  });

  test("the DICOM file can be compressed in place and still be read back", async () => {
    const original = new Uint8Array(await Bun.file(SAMPLE).arrayBuffer());
    const updates = async () => {
      const feed = (await plain.json("/changes?limit=10000")) as {
        Changes: { ChangeType: string }[];
      };
      return feed.Changes.filter((c) => c.ChangeType === "UpdatedAttachment").length;
    };
    const before = await updates();
    expect((await plain.post(`${A}/dicom/compress`)).status).toBe(200);
    expect(await plain.text(`${A}/dicom/is-compressed`)).toBe("1");
    const file = await plain.fetch(`/instances/${INSTANCE}/file`);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(original);
    expect(new Uint8Array(await (await plain.fetch(`${A}/dicom/data`)).arrayBuffer())).toEqual(
      original,
    );
    expect((await plain.post(`${A}/dicom/uncompress`)).status).toBe(200);
    expect(await plain.text(`${A}/dicom/compressed-size`)).toBe("936");
    // Orthanc logs UpdatedAttachment for user content types only.
    expect(await updates()).toBe(before);
  });

  test("verify-md5 answers {} when intact, a bare 400 when corrupted or absent", async () => {
    expect((await plain.put(`${A}/1700`, "intact")).status).toBe(200);
    const ok = await plain.post(`${A}/1700/verify-md5`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("{}");
    writeFileSync(plain.storedPath((await plain.info(`${A}/1700`)).Uuid), "broken");
    await expectBare(await plain.post(`${A}/1700/verify-md5`), 400);
    await expectBare(await plain.post(`${A}/1999/verify-md5`), 400);
    await expectError(
      await plain.post(`${A}/foo/verify-md5`),
      404,
      7,
      "POST",
      `${A}/foo/verify-md5`,
    );
    const unknown = "/patients/nope/attachments/report/verify-md5";
    await expectError(await plain.post(unknown), 404, 17, "POST", unknown);
  });

  test("a file missing from the storage area is Orthanc's 500", async () => {
    expect((await plain.put(`${A}/1800`, "soon gone")).status).toBe(200);
    const { Uuid } = await plain.info(`${A}/1800`);
    const path = plain.storedPath(Uuid);
    await Bun.file(path).delete();
    const details = `The path does not point to a regular file: ${path}`;
    await expectError(
      await plain.fetch(`${A}/1800/data`),
      500,
      2006,
      "GET",
      `${A}/1800/data`,
      details,
    );
    await expectError(
      await plain.post(`${A}/1800/compress`),
      500,
      2006,
      "POST",
      `${A}/1800/compress`,
      details,
    );
    // What the index knows is still answered.
    expect(await plain.text(`${A}/1800/size`)).toBe("9");
  });

  test("compressing what is not there is a 404", async () => {
    await expectError(
      await plain.post(`${A}/1999/compress`),
      404,
      17,
      "POST",
      `${A}/1999/compress`,
    );
    await expectError(
      await plain.post(`${A}/foo/uncompress`),
      404,
      7,
      "POST",
      `${A}/foo/uncompress`,
    );
  });
});

describe("CheckRevisions", () => {
  test("overwriting needs If-Match; a first write does not", async () => {
    const uri = `${A}/report`;
    expect((await checked.put(uri, "hello")).status).toBe(200);
    await expectError(await checked.put(uri, "hello2"), 409, 43, "PUT", uri);
    expect(await checked.text(`${uri}/data`)).toBe("hello");
    const res = await checked.put(uri, "hello2", { "If-Match": `"0-${md5("hello")}"` });
    expect(res.headers.get("etag")).toBe(`"1-${md5("hello2")}"`);
  });

  test("deleting needs If-Match with the current revision", async () => {
    const uri = `${A}/report`;
    await expectError(
      await checked.del(uri),
      409,
      43,
      "DELETE",
      uri,
      'HTTP header "If-Match" is missing, as "CheckRevisions" is "true"',
    );
    // Even before looking the attachment up, as Orthanc does.
    await expectError(
      await checked.del(`${A}/1999`),
      409,
      43,
      "DELETE",
      `${A}/1999`,
      'HTTP header "If-Match" is missing, as "CheckRevisions" is "true"',
    );
    await expectError(
      await checked.del(uri, { "If-Match": `"0-${md5("hello")}"` }),
      409,
      43,
      "DELETE",
      uri,
    );
    expect((await checked.del(uri, { "If-Match": `"1-${md5("hello2")}"` })).status).toBe(200);
    expect(await checked.json(A)).toEqual(["dicom"]);
  });
});

describe("StorageCompression", () => {
  test("the ingested DICOM file is stored compressed and read back whole", async () => {
    const original = new Uint8Array(await Bun.file(SAMPLE).arrayBuffer());
    expect(await compressed.text(`${A}/dicom/is-compressed`)).toBe("1");
    const info = await compressed.info(`${A}/dicom`);
    expect(info.UncompressedMD5).toBe(SAMPLE_MD5);
    expect(info.CompressedSize).toBeLessThan(936);
    const data = await compressed.fetch(`${A}/dicom/data`);
    expect(data.headers.get("etag")).toBe(`"0-${SAMPLE_MD5}"`);
    expect(new Uint8Array(await data.arrayBuffer())).toEqual(original);
    const raw = new Uint8Array(
      await (await compressed.fetch(`${A}/dicom/compressed-data`)).arrayBuffer(),
    );
    expect(md5(raw)).toBe(info.CompressedMD5);
    expect(new Uint8Array(inflateSync(raw.subarray(8)))).toEqual(original);
    expect((await compressed.post(`${A}/dicom/verify-md5`)).status).toBe(200);
  });

  test("user attachments are written compressed, with both MD5s", async () => {
    expect((await compressed.put(`${A}/report`, "hello")).status).toBe(200);
    expect(await compressed.info(`${A}/report`)).toMatchObject({
      CompressedMD5: "430b6fb7acf938619a1bb2d1af58bb89",
      CompressedSize: 21,
      UncompressedMD5: md5("hello"),
      UncompressedSize: 5,
    });
    expect(await compressed.text(`${A}/report/data`)).toBe("hello");
    const part = await compressed.fetch(`${A}/report/data`, { headers: { Range: "bytes=1-3" } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe("ell");
    expect((await compressed.post(`${A}/report/verify-md5`)).status).toBe(200);
    expect((await compressed.post(`${A}/report/uncompress`)).status).toBe(200);
    expect(await compressed.text(`${A}/report/compressed-size`)).toBe("5");
  });

  test("empty content is stored as an empty file, as Orthanc's zlib writer does", async () => {
    expect((await compressed.put(`${A}/1100`, "")).status).toBe(200);
    expect(await compressed.text(`${A}/1100/is-compressed`)).toBe("1");
    expect(await compressed.info(`${A}/1100`)).toMatchObject({
      CompressedMD5: EMPTY_MD5,
      CompressedSize: 0,
      UncompressedSize: 0,
    });
    expect(await compressed.text(`${A}/1100/data`)).toBe("");
    expect((await compressed.post(`${A}/1100/verify-md5`)).status).toBe(200);
  });
});

describe("StoreMD5ForAttachments false", () => {
  test("no MD5 routes, no MD5 in the ETag, nothing to verify", async () => {
    const ops = await noMd5.fetch(`${A}/dicom`);
    expect(ops.headers.get("etag")).toBe('"0-"');
    expect(await ops.json()).toEqual([
      "compress",
      "compressed-data",
      "compressed-size",
      "data",
      "info",
      "is-compressed",
      "size",
      "uncompress",
      "uuid",
    ]);
    const missing = await noMd5.fetch(`${A}/dicom/md5`);
    expect(missing.headers.get("etag")).toBe('"0-"');
    await expectBare(missing, 404);
    await expectBare(await noMd5.fetch(`${A}/dicom/compressed-md5`), 404);
    await expectBare(await noMd5.post(`${A}/dicom/verify-md5`), 400);
    expect((await noMd5.info(`${A}/dicom`)).UncompressedMD5).toBe("");
  });

  test("PUT still answers the MD5 of the body; If-Match then names the empty MD5", async () => {
    const res = await noMd5.put(`${A}/report`, "hello");
    expect(res.headers.get("etag")).toBe(`"0-${md5("hello")}"`);
    const uri = `${A}/report`;
    await expectError(
      await noMd5.put(uri, "x", { "If-Match": `"0-${md5("hello")}"` }),
      409,
      43,
      "PUT",
      uri,
    );
    const ok = await noMd5.put(uri, "x", { "If-Match": '"0-"' });
    expect(ok.status).toBe(200);
    expect((await noMd5.fetch(`${uri}/size`)).headers.get("etag")).toBe('"1-"');
  });
});
