// The compiled executable works alone: no node_modules, no sources beside it.
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildClient } from "../../src/web/bundle.ts";
import { samplesDir, startPharos } from "../support/server.ts";

const root = resolve(import.meta.dir, "../..");
const lonely = mkdtempSync(join(tmpdir(), "pharos-binary-"));
afterAll(() => rmSync(lonely, { recursive: true, force: true }));

test("dist/pharos serves uploads from an empty folder", async () => {
  const build = Bun.spawnSync([process.execPath, "build.ts"], { cwd: root });
  expect(build.exitCode).toBe(0);
  const binary = join(lonely, "pharos");
  copyFileSync(join(root, "dist/pharos"), binary);
  const version = Bun.spawnSync([binary, "--version"], { cwd: lonely });
  expect(version.stdout.toString()).toMatch(/^Pharos \d+\.\d+\.\d+/);

  const server = await startPharos({ command: [binary] });
  try {
    const file = join(samplesDir, "TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm");
    const stored =
      await (await fetch(`${server.url}/instances`, { method: "POST", body: Bun.file(file) }))
        .json();
    expect(stored.Status).toBe("Success");
    const back = new Uint8Array(
      await (await fetch(`${server.url}/instances/${stored.ID}/file`)).arrayBuffer(),
    );
    expect(Buffer.compare(back, new Uint8Array(await Bun.file(file).arrayBuffer()))).toBe(0);
    const tags = await (await fetch(`${server.url}/instances/${stored.ID}/simplified-tags`)).json();
    expect(tags.Modality).toBe("US");
  } finally {
    await server.stop();
  }
}, 120000);

test("dist/pharos runs Lua scripts (fengari and the Lua worker are embedded)", async () => {
  const binary = join(lonely, "pharos");
  const server = await startPharos({ command: [binary], config: { ExecuteLuaEnabled: true } });
  try {
    const response = await fetch(`${server.url}/tools/execute-script`, {
      method: "POST",
      body: 'print(_VERSION, ParseJson(RestApiGet("/system")).Name)',
    });
    expect(await response.text()).toBe("Lua 5.3, PharosTest\n");
  } finally {
    await server.stop();
  }
}, 60000);

test("dist/pharos serves the web UI it embeds (no client file beside it)", async () => {
  const binary = join(lonely, "pharos");
  const server = await startPharos({ command: [binary] });
  try {
    const root = await fetch(`${server.url}/`, { redirect: "manual" });
    expect(root.headers.get("location")).toBe("ui/app/");
    const page = await fetch(`${server.url}/ui/app/`);
    expect(page.headers.get("etag")).toMatch(/^"\w+"$/);
    expect(await page.text()).toBe((await buildClient())["index.html"]!.body);
  } finally {
    await server.stop();
  }
}, 60000);
