// The command line, as a user types it.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import { startPharos, waitFor } from "../support/server.ts";

const main = resolve(import.meta.dir, "../../src/main.ts");
const dir = mkdtempSync(join(tmpdir(), "pharos-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = Bun.spawnSync([process.execPath, main, ...args], { cwd: dir });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

test("--version and --help", () => {
  expect(run("--version")).toMatchObject({ code: 0, stdout: `Pharos ${packageJson.version}\n` });
  const help = run("--help");
  expect(help.code).toBe(0);
  expect(help.stdout).toContain("--config=FILE");
});

test("--config=FILE writes the commented default configuration", () => {
  const file = join(dir, "written.json");
  expect(run(`--config=${file}`).code).toBe(0);
  const text = readFileSync(file, "utf8");
  expect(text).toContain('"HttpPort" : 8042');
  expect(text).toContain("// ");
});

test("a bad option value stops startup with a message naming it", () => {
  const file = join(dir, "bad.json");
  writeFileSync(file, '{ "HttpPort" : "x" }');
  const r = run(file);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('"HttpPort"');
  expect(run("--frobnicate").code).toBe(1);
  expect(run(join(dir, "missing.json")).stderr).toContain("does not exist");
});

test("unknown options are logged as warnings and the server starts", async () => {
  const server = await startPharos({ config: { SomethingNew: true } });
  const code = await server.stop();
  expect(code).toBe(0);
  expect(await new Response(server.process.stderr as ReadableStream).text()).toContain(
    '"SomethingNew"',
  );
});

test("an Orthanc option Pharos does not honour is named at startup unless it has Orthanc's default", async () => {
  const server = await startPharos({
    config: { StoreDicom: false, HttpThreadsCount: 50, LuaScripts: [], LimitJobs: 4 },
  });
  expect(await server.stop()).toBe(0);
  const stderr = await new Response(server.process.stderr as ReadableStream).text();
  expect(stderr).toContain('Configuration option "StoreDicom" is not honoured');
  expect(stderr).toContain('Configuration option "LimitJobs" is not honoured');
  // Orthanc's defaults change nothing, so they pass in silence.
  expect(stderr).not.toContain('"HttpThreadsCount"');
  expect(stderr).not.toContain('"LuaScripts"');
});

test("a security option that cannot be set up stops startup, naming what is missing", () => {
  const file = join(dir, "dicom-tls.json");
  writeFileSync(file, '{ "DicomTlsEnabled" : true, "HttpPort" : 0, "DicomPort" : 0 }');
  const r = run(file);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('"DicomTlsCertificate"');
  writeFileSync(file, '{ "SslEnabled" : true, "SslCertificate" : "missing.pem", "HttpPort" : 0 }');
  const https = run(file);
  expect(https.code).toBe(1);
  expect(https.stderr).toContain('"SslCertificate"');
});

test("POST /tools/reset restarts with the configuration read again; /tools/shutdown stops", async () => {
  const server = await startPharos({ config: { Name: "Before" }, extraArgs: [] });
  const configPath = join(server.dir, "config.json");
  const system = async () => (await (await fetch(`${server.url}/system`)).json()).Name;
  expect(await system()).toBe("Before");
  writeFileSync(
    configPath,
    readFileSync(configPath, "utf8").replace('"Name": "Before"', '"Name": "After"'),
  );
  const reset = await fetch(`${server.url}/tools/reset`, { method: "POST" });
  expect([reset.status, await reset.text()]).toEqual([200, "{}"]);
  await waitFor(async () => (await system().catch(() => "")) === "After", "the restart");
  const shutdown = await fetch(`${server.url}/tools/shutdown`, { method: "POST" });
  expect([shutdown.status, await shutdown.text()]).toEqual([200, "{}"]);
  expect(await server.process.exited).toBe(0);
  rmSync(server.dir, { recursive: true, force: true });
});
