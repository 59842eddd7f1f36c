// The plugins shipped in plugins/, each through a running server: in-process, then each one
// unchanged in a worker of its own (PluginsIsolation "Worker").
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inflateSync } from "node:zlib";
import { type RunningServer, samplesDir, startPharos, upload, waitFor } from "../support/server.ts";

const shipped = resolve(import.meta.dir, "../../plugins");
const KNEE = [1, 2, 3].map((i) => join(samplesDir, `Knee/T1/IM-0001-000${i}.dcm`));
const read = async (path: string) => new Uint8Array(await Bun.file(path).arrayBuffer());

const SHIPPED = ["auto-router", "metrics", "path-filter", "png-route", "rewrite-tags"];

const servers: RunningServer[] = [];
let isolation: Record<string, string> = {};
async function start(config: Record<string, unknown>): Promise<RunningServer> {
  const server = await startPharos({ config: { PluginsIsolation: isolation, ...config } });
  servers.push(server);
  return server;
}
afterAll(async () => {
  for (const s of servers) await s.stop();
});

for (const mode of ["InProcess", "Worker"]) {
  describe(mode, () => {
    beforeAll(() => {
      isolation = Object.fromEntries(SHIPPED.map((name) => [name, mode]));
    });
    describe("auto-router", () => {
      test("forwards each stored instance to the peer, byte for byte", async () => {
        const peer = await start({});
        const router = await start({
          Plugins: [join(shipped, "auto-router.ts")],
          AutoRouter: { Url: peer.url, Concurrency: 2 },
        });
        const ids: string[] = [];
        for (const file of KNEE) ids.push((await (await upload(router.url, file)).json()).ID);
        await waitFor(async () => {
          const stats = await (await fetch(`${peer.url}/statistics`)).json();
          return stats.CountInstances === KNEE.length;
        }, "the peer to receive every instance");
        for (const [i, id] of ids.entries()) {
          const back = new Uint8Array(
            await (await fetch(`${peer.url}/instances/${id}/file`)).arrayBuffer(),
          );
          expect(Buffer.compare(back, await read(KNEE[i]!))).toBe(0);
        }
        const metrics = await (await fetch(`${router.url}/tools/metrics-prometheus`)).text();
        expect(metrics).toMatch(/^pharos_autorouter_sent 3 \d+$/m);
        expect(metrics).toMatch(/^pharos_autorouter_failed 0 \d+$/m);
        expect(metrics).toMatch(/^pharos_autorouter_pending 0 \d+$/m);
      });

      test("without a Url it refuses to load, and the server runs without it", async () => {
        const server = await start({ Plugins: [join(shipped, "auto-router.ts")] });
        expect(await (await fetch(`${server.url}/plugins`)).json()).toEqual(["explorer.js"]);
      });
    });

    describe("path-filter", () => {
      test("refuses the configured paths with 403 and lets the rest through", async () => {
        const server = await start({
          Plugins: [join(shipped, "path-filter.ts")],
          PathFilter: { Deny: ["^/tools/now$", { Uri: "^/patients/[^/]+$", Methods: ["DELETE"] }] },
        });
        const stored = await (await upload(server.url, KNEE[0]!)).json();
        expect((await fetch(`${server.url}/tools/now`)).status).toBe(403);
        expect((await fetch(`${server.url}/tools/now-local`)).status).toBe(200);
        const patient = `${server.url}/patients/${stored.ParentPatient}`;
        expect((await fetch(patient, { method: "DELETE" })).status).toBe(403);
        expect((await fetch(patient)).status).toBe(200);
      });
    });

    /** dcmdump's lines for a file, without the header lines that name the file. */
    function dump(bytes: Uint8Array): string[] {
      const dir = mkdtempSync(join(tmpdir(), "pharos-dump-"));
      try {
        const file = join(dir, "x.dcm");
        writeFileSync(file, bytes);
        const run = Bun.spawnSync(["dcmdump", "-q", "+L", file]);
        expect(run.exitCode).toBe(0);
        return run.stdout.toString().split("\n");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    function differences(a: string[], b: string[]): { removed: string[]; added: string[] } {
      return {
        removed: a.filter((line) => !b.includes(line)),
        added: b.filter((line) => !a.includes(line)),
      };
    }

    describe("rewrite-tags", () => {
      const cases = [
        {
          name: "implicit little endian, with group lengths",
          file: "TransferSyntaxes/1.2.840.10008.1.2.dcm",
          removed: [
            "(0008,0000) UL 534                                      #   4, 1 GenericGroupLength",
            "(0008,0080) LO [Diag Radiology Grosshadern]             #  26, 1 InstitutionName",
          ],
          added: [
            "(0008,0000) UL 524                                      #   4, 1 GenericGroupLength",
            "(0008,0080) LO [PHAROS HOSPITAL]                        #  16, 1 InstitutionName",
          ],
        },
        {
          name: "explicit little endian, element added",
          file: "TransferSyntaxes/1.2.840.10008.1.2.1.dcm",
          removed: [
            "(0008,0000) UL 310                                      #   4, 1 GenericGroupLength",
          ],
          added: [
            "(0008,0000) UL 334                                      #   4, 1 GenericGroupLength",
            "(0008,0080) LO [PHAROS HOSPITAL]                        #  16, 1 InstitutionName",
          ],
        },
        {
          name: "explicit big endian",
          file: "TransferSyntaxes/1.2.840.10008.1.2.2.dcm",
          removed: [
            "(0008,0000) UL 308                                      #   4, 1 GenericGroupLength",
            "(0008,0080) LO [GE MEDICAL SYSTEMS]                     #  18, 1 InstitutionName",
          ],
          added: [
            "(0008,0000) UL 306                                      #   4, 1 GenericGroupLength",
            "(0008,0080) LO [PHAROS HOSPITAL]                        #  16, 1 InstitutionName",
          ],
        },
      ];

      test("stores files where only the rewritten element differs", async () => {
        const server = await start({
          Plugins: [join(shipped, "rewrite-tags.ts")],
          RewriteTags: { Tags: { "0008,0080": "PHAROS HOSPITAL" } },
        });
        for (const c of cases) {
          const original = await read(join(samplesDir, c.file));
          const stored = await (await upload(server.url, join(samplesDir, c.file))).json();
          expect(stored.Status).toBe("Success");
          const file = new Uint8Array(
            await (await fetch(`${server.url}/instances/${stored.ID}/file`)).arrayBuffer(),
          );
          const tags = await (await fetch(`${server.url}/instances/${stored.ID}/simplified-tags`))
            .json();
          expect(tags.InstitutionName).toBe("PHAROS HOSPITAL");
          // Byte level: one region changed, the same prefix and suffix around it (once the group
          // length, which must change with the element, is set back).
          const patched = file.slice();
          const groupLength = [
            [0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00], // implicit VR little endian
            [0x08, 0x00, 0x00, 0x00, 0x55, 0x4c, 0x04, 0x00], // explicit VR little endian
            [0x00, 0x08, 0x00, 0x00, 0x55, 0x4c, 0x00, 0x04], // explicit VR big endian
          ];
          for (let at = 0; at < original.length - 12; at++) {
            if (groupLength.some((h) => h.every((b, i) => original[at + i] === b))) {
              patched.set(original.subarray(at + 8, at + 12), at + 8);
              break;
            }
          }
          let prefix = 0;
          while (prefix < original.length && original[prefix] === patched[prefix]) prefix++;
          let suffix = 0;
          while (
            suffix < original.length - prefix &&
            original[original.length - 1 - suffix] === patched[patched.length - 1 - suffix]
          ) suffix++;
          expect(patched.length - prefix - suffix).toBeLessThanOrEqual(8 + 16);
          // dcmdump: every other line identical.
          const d = differences(dump(original), dump(file));
          expect({ case: c.name, ...d }).toEqual({
            case: c.name,
            removed: c.removed,
            added: c.added,
          });
        }
      });
    });

    /** The chunks of a PNG file and its rows, unfiltered (the encoder writes filter 0). */
    function decodePng(bytes: Uint8Array) {
      expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const chunks: { type: string; data: Uint8Array }[] = [];
      for (let pos = 8; pos < bytes.length;) {
        const length = view.getUint32(pos);
        const type = new TextDecoder().decode(bytes.subarray(pos + 4, pos + 8));
        chunks.push({ type, data: bytes.subarray(pos + 8, pos + 8 + length) });
        pos += 12 + length;
      }
      const ihdr = new DataView(chunks[0]!.data.buffer, chunks[0]!.data.byteOffset, 13);
      const idat = Buffer.concat(chunks.filter((c) => c.type === "IDAT").map((c) => c.data));
      return {
        types: chunks.map((c) => c.type),
        width: ihdr.getUint32(0),
        height: ihdr.getUint32(4),
        bitDepth: ihdr.getUint8(8),
        colorType: ihdr.getUint8(9),
        raw: new Uint8Array(inflateSync(idat)),
      };
    }

    describe("png-route", () => {
      test("answers PNG images the plugin draws", async () => {
        const server = await start({ Plugins: [join(shipped, "png-route.ts")] });
        const res = await fetch(`${server.url}/png-sample/64x32`);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe("image/png");
        const png = decodePng(new Uint8Array(await res.arrayBuffer()));
        expect(png).toMatchObject({ width: 64, height: 32, bitDepth: 8, colorType: 0 });
        expect(png.types).toEqual(["IHDR", "IDAT", "IEND"]);
        expect(png.raw.length).toBe(32 * 65);
        // Filter byte 0, then the gradient: black top-left, white bottom-right.
        expect(png.raw[0]).toBe(0);
        expect(png.raw[1]).toBe(0);
        expect(png.raw[31 * 65 + 64]).toBe(255);

        const wide = decodePng(
          new Uint8Array(
            await (await fetch(`${server.url}/png-sample/3x2?depth=16`)).arrayBuffer(),
          ),
        );
        expect(wide).toMatchObject({ width: 3, height: 2, bitDepth: 16, colorType: 0 });
        // Row 1 of a 3x2 gradient: filter 0, then 1/3, 2/3, 1 of 65535.
        expect([...wide.raw.subarray(7, 14)]).toEqual([0, 0x55, 0x55, 0xaa, 0xaa, 0xff, 0xff]);
        const two = decodePng(
          new Uint8Array(
            await (await fetch(`${server.url}/png-sample/2x2?depth=16`)).arrayBuffer(),
          ),
        );
        // 16-bit samples are big endian: 32768 is 0x80 0x00.
        expect([...two.raw.subarray(0, 5)]).toEqual([0, 0, 0, 0x80, 0x00]);
        const rgb = decodePng(
          new Uint8Array(
            await (await fetch(`${server.url}/png-sample/2x2?format=rgb`)).arrayBuffer(),
          ),
        );
        expect(rgb).toMatchObject({ bitDepth: 8, colorType: 2 });
        expect(rgb.raw.length).toBe(2 * 7);

        // `file` recognizes it too.
        const dir = mkdtempSync(join(tmpdir(), "pharos-png-"));
        try {
          writeFileSync(
            join(dir, "x.png"),
            new Uint8Array(await (await fetch(`${server.url}/png-sample/64x32`)).arrayBuffer()),
          );
          const file = Bun.spawnSync(["file", "-b", join(dir, "x.png")]);
          expect(file.stdout.toString()).toContain("PNG image data, 64 x 32, 8-bit grayscale");
          const jpeg = await fetch(`${server.url}/png-sample/64x32?format=rgb&as=jpeg`);
          expect(jpeg.headers.get("content-type")).toBe("image/jpeg");
          writeFileSync(join(dir, "x.jpg"), new Uint8Array(await jpeg.arrayBuffer()));
          const jpegFile = Bun.spawnSync(["file", "-b", join(dir, "x.jpg")]).stdout.toString();
          expect(jpegFile).toContain("JPEG image data, JFIF standard 1.01");
          expect(jpegFile).toContain("64x32, components 3");
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }

        const bad = await fetch(`${server.url}/png-sample/0x10`);
        expect(bad.status).toBe(400);
        expect((await bad.json()).Details).toBe("The size must be between 1x1 and 4096x4096");
        expect((await fetch(`${server.url}/png-sample/2x2`, { method: "POST" })).status).toBe(405);
      });
    });

    describe("metrics", () => {
      test("exports its counters with the core's at /tools/metrics-prometheus", async () => {
        const server = await start({ Plugins: [join(shipped, "metrics.ts")] });
        for (const file of KNEE.slice(0, 2)) await upload(server.url, file);
        const res = await fetch(`${server.url}/tools/metrics-prometheus`);
        expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4");
        const text = await res.text();
        const value = (name: string) => {
          const m = new RegExp(`^${name} (\\S+) (\\d+)$`, "m").exec(text);
          return m ? Number(m[1]) : undefined;
        };
        expect(value("orthanc_count_instances")).toBe(2);
        expect(value("orthanc_count_patients")).toBe(1);
        // Orthanc 1.10.1 writes no TYPE line, and counts the jobs by state.
        expect(text).not.toContain("# TYPE");
        expect(value("orthanc_jobs_completed")).toBe(0);
        expect(value("pharos_stored_instances_total")).toBe(2);
        expect(value("pharos_stored_instances_from_restapi_total")).toBe(2);
        const bytes = (await read(KNEE[0]!)).length + (await read(KNEE[1]!)).length;
        expect(value("pharos_stored_bytes_total")).toBe(bytes);
        expect(value("pharos_http_requests_total")).toBeGreaterThanOrEqual(3);
        expect(value("pharos_uptime_seconds")).toBeGreaterThan(0);
        // Disabled metrics export nothing.
        await fetch(`${server.url}/tools/metrics`, { method: "PUT", body: "0" });
        expect(await (await fetch(`${server.url}/tools/metrics`)).text()).toBe("0");
        expect(await (await fetch(`${server.url}/tools/metrics-prometheus`)).text()).toBe("");
      });
    });
  });
}
