// The upload area of the WebDAV share and its importer, in-process: the listing order, the
// import queue, and the removal of folders left empty after an idle delay (30 s in Orthanc,
// shortened here).
import { expect, test } from "bun:test";
import { UploadArea } from "../../src/webdav/upload-area.ts";
import { UploadImporter } from "../../src/webdav/uploads.ts";
import { OrthancError } from "../../src/server/errors.ts";
import type { StoreResult } from "../../src/server/store.ts";
import { waitFor } from "../support/server.ts";

const IDS = { patient: "p", study: "s", series: "r", instance: "i" };

test("files are listed before folders, each by name", () => {
  const area = new UploadArea();
  expect(area.createFolder(["b"])).toBe(true);
  expect(area.createFolder(["a"])).toBe(true);
  expect(area.store(["z.txt"], new Uint8Array(3))).toBe(true);
  expect(area.store(["y.txt"], new Uint8Array(0))).toBe(true);
  expect(area.list([])!.map((i) => `${i.name}${i.folder ? "/" : ""}`)).toEqual([
    "y.txt",
    "z.txt",
    "a/",
    "b/",
  ]);
  expect(area.store(["a"], new Uint8Array(1))).toBe(false);
  expect(area.createFolder(["z.txt"])).toBe(false);
  expect(() => area.createFolder([])).toThrow(OrthancError);
});

test("imports run in order; failures are removed too; empty folders go after the idle delay", async () => {
  const area = new UploadArea();
  const stored: string[] = [];
  const store = (bytes: Uint8Array): Promise<StoreResult> => {
    const text = new TextDecoder().decode(bytes);
    if (text === "bad") return Promise.reject(new OrthancError("BadFileFormat"));
    stored.push(text);
    return Promise.resolve({ status: "Success", ids: IDS });
  };
  const importer = new UploadImporter(area, store, 50);
  area.createFolder(["in"]);
  area.createFolder(["keep"]);
  expect(importer.put(["in", "1.dcm"], new TextEncoder().encode("one"))).toBe(true);
  expect(importer.put(["in", "2.dcm"], new TextEncoder().encode("bad"))).toBe(true);
  expect(importer.put(["in", "3.dcm"], new TextEncoder().encode("three"))).toBe(true);
  expect(importer.put(["keep", "empty.dcm"], new Uint8Array(0))).toBe(true);
  expect(importer.put(["missing", "x.dcm"], new TextEncoder().encode("x"))).toBe(false);

  await waitFor(() => area.list(["in"])?.length === 0, "the imports", 2000);
  expect(stored).toEqual(["one", "three"]);
  await waitFor(() => !area.isExistingFolder(["in"]), "the idle cleanup", 2000);
  expect(area.list([])!.map((i) => i.name)).toEqual(["keep"]);
});
