// A plugin-provided index (PharosPlugin.indexBackend), asked for before the core is composed:
// the server stores in it (test/plugins/database.ts counts the calls; the embedded index file is
// never made), finds its content again after a restart, and refuses a back-end that lacks the
// index interface's methods.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfiguration } from "../../src/config/load.ts";
import { log } from "../../src/log.ts";
import { composePharos } from "../../src/main.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { prepareServer, samplesDir } from "../support/server.ts";

const databasePlugin = resolve(import.meta.dir, "../plugins/database.ts");
const dir = mkdtempSync(join(tmpdir(), "pharos-database-plugin-"));
const path = join(dir, "plugin-index.sqlite");
const config = { Plugins: [databasePlugin], Database: { Path: path } };

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (s: InProcessServer, uri: string, init?: RequestInit) =>
  s.pharos.app.fetch(new Request(`${s.url}${uri}`, init));

test("the server stores in the plugin's index, and finds it there after a restart", async () => {
  const first = await startInProcess({ config, dir });
  let id: string;
  try {
    const bytes = await Bun.file(join(samplesDir, "DummyCT.dcm")).bytes();
    const stored = await at(first, "/instances", { method: "POST", body: bytes });
    expect(stored.status).toBe(200);
    id = (await stored.json()).ID;
    expect((await (await at(first, "/statistics")).json()).CountInstances).toBe(1);
    expect(await (await at(first, "/database/calls")).json()).toBeGreaterThan(10);
    expect(existsSync(path)).toBe(true);
    expect(existsSync(join(dir, "index", "pharos-index.sqlite"))).toBe(false);
  } finally {
    await first.stop({ keep: true });
  }
  const second = await startInProcess({ config, dir });
  try {
    expect(await (await at(second, "/instances")).json()).toEqual([id]);
  } finally {
    await second.stop({ keep: true });
  }
});

test("a back-end lacking the index's methods stops the start", async () => {
  const { configPath } = prepareServer({
    config: { Plugins: [databasePlugin], Database: { Broken: true } },
    dir,
  });
  const broken = loadConfiguration(configPath, log.warning, process.env);
  const error = await composePharos(broken).then(() => undefined, (e: Error) => e);
  expect(error?.message).toContain('The index of plugin "database" lacks transaction, lookup');
});
