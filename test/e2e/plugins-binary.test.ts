// Plugins work the same in the compiled executable: .ts and .js modules load from disk beside
// a binary that has no node_modules and no sources, worker threads and isolated plugins included.
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { samplesDir, startPharos, upload, waitFor } from "../support/server.ts";

const root = resolve(import.meta.dir, "../..");
const lonely = mkdtempSync(join(tmpdir(), "pharos-binary-plugins-"));
afterAll(() => rmSync(lonely, { recursive: true, force: true }));

test("dist/pharos loads the shipped plugins and isolates a failing one", async () => {
  const build = Bun.spawnSync([process.execPath, "build.ts"], { cwd: root });
  expect(build.exitCode).toBe(0);
  const binary = join(lonely, "pharos");
  copyFileSync(join(root, "dist/pharos"), binary);

  const peer = await startPharos({ command: [binary] });
  const server = await startPharos({
    command: [binary],
    config: {
      Plugins: [
        join(root, "plugins"),
        join(root, "test/plugins/probe.ts"),
        join(root, "test/plugins/cpu.ts"),
        join(root, "test/plugins/misbehave.ts"),
      ],
      PluginsIsolation: { misbehave: "Worker" },
      AutoRouter: { Url: peer.url },
      PathFilter: { Deny: ["^/tools/now$"] },
      RewriteTags: { Tags: { "0008,0080": "PHAROS HOSPITAL" } },
    },
  });
  try {
    expect(await (await fetch(`${server.url}/plugins`)).json()).toEqual([
      "explorer.js",
      "auto-router",
      "cpu-probe",
      "metrics",
      "misbehave",
      "path-filter",
      "png-route",
      "probe",
      "rewrite-tags",
    ]);
    // Worker threads start from a plugin's module on disk inside the executable too.
    const burn = await fetch(`${server.url}/cpu-probe/burn?ms=5`);
    expect(burn.status).toBe(200);
    expect((await burn.json()).turns).toBeGreaterThan(0);
    // So does the worker of an isolated plugin (a second entry point of the executable).
    expect((await fetch(`${server.url}/misbehave/ok`)).status).toBe(200);
    const png = await fetch(`${server.url}/png-sample/4x4`);
    expect(png.headers.get("content-type")).toBe("image/png");
    expect((await fetch(`${server.url}/tools/now`)).status).toBe(403);
    const thrown = await fetch(`${server.url}/probe/throws`);
    expect(thrown.status).toBe(500);
    expect((await thrown.json()).OrthancStatus).toBe(1);
    expect((await (await fetch(`${server.url}/probe/internal`)).json()).after).toBe(
      "shadowed by probe",
    );

    const stored = await (await upload(server.url, join(samplesDir, "Knee/T1/IM-0001-0001.dcm")))
      .json();
    expect(stored.Status).toBe("Success");
    await waitFor(
      async () => (await fetch(`${peer.url}/instances/${stored.ID}`)).status === 200,
      "the auto-router to forward the instance",
    );
    const tags = await (await fetch(`${peer.url}/instances/${stored.ID}/simplified-tags`)).json();
    expect(tags.InstitutionName).toBe("PHAROS HOSPITAL");
    const metrics = await (await fetch(`${server.url}/tools/metrics-prometheus`)).text();
    expect(metrics).toMatch(/^pharos_stored_instances_total 1 \d+$/m);
  } finally {
    await server.stop();
    await peer.stop();
  }
}, 120000);
