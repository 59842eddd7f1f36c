// The inflation of gzip-encoded uploads stays bounded whatever size the gzip trailer announces.
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { inflateUpload } from "../../src/rest/gzip-body.ts";
import { OrthancError } from "../../src/server/errors.ts";

function kindOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof OrthancError ? error.kind : "other";
  }
  return undefined;
}

describe("inflateUpload", () => {
  const data = new Uint8Array(100_000).map((_, i) => i % 251);
  const gz = new Uint8Array(gzipSync(data));

  test("inflates a single member to the announced size", () => {
    expect(inflateUpload(gz)).toEqual(data);
  });

  test("refuses what inflates past the limit, as a failed allocation", () => {
    expect(kindOf(() => inflateUpload(gz, 1000))).toBe("NotEnoughMemory");
  });

  test("a trailer announcing more than the limit does not allocate it", () => {
    const bomb = new Uint8Array(gzipSync(new Uint8Array(64 * 1024 * 1024)));
    const forged = bomb.slice();
    forged.set([0xff, 0xff, 0xff, 0xff], forged.length - 4);
    expect(kindOf(() => inflateUpload(forged, 1024 * 1024))).toBe("NotEnoughMemory");
  });

  test("a trailer announcing less than the stream holds: bad file format", () => {
    const forged = gz.slice();
    forged.set([0x10, 0, 0, 0], forged.length - 4);
    expect(kindOf(() => inflateUpload(forged))).toBe("BadFileFormat");
  });
});
