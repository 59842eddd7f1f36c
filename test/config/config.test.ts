import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfigurationText } from "../../src/config/default-file.ts";
import { loadConfiguration, stripComments, substituteEnvironment } from "../../src/config/load.ts";

const dir = mkdtempSync(join(tmpdir(), "pharos-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("comments are removed, but not inside strings", () => {
  const text = `{ /* block */ "Name" : "a//b", // line\n "X" : "/*keep*/" }`;
  expect(JSON.parse(stripComments(text))).toEqual({ Name: "a//b", X: "/*keep*/" });
});

test("${ENV} is substituted", () => {
  expect(substituteEnvironment('{"Name": "${PHAROS_T}"}', { PHAROS_T: "site" })).toBe(
    '{"Name": "site"}',
  );
});

test("defaults apply when no configuration is given", () => {
  const config = loadConfiguration(undefined, () => {});
  expect(config.HttpPort).toBe(8042);
  expect(config.DicomAet).toBe("ORTHANC");
  expect(config.DefaultEncoding).toBe("Latin1");
});

test("a folder of files is merged; unknown options warn", () => {
  const folder = join(dir, "folder");
  mkdirSync(folder);
  writeFileSync(join(folder, "a.json"), '{ "Name" : "A", // comment\n "HttpPort" : 9000 }');
  writeFileSync(
    join(folder, "b.json"),
    '{ "DicomAet" : "${PHAROS_AET}", "Bogus" : 1, "LuaScripts" : [] }',
  );
  const warnings: string[] = [];
  const config = loadConfiguration(folder, (m) => warnings.push(m), { PHAROS_AET: "EDGE" });
  expect([config.Name, config.HttpPort, config.DicomAet]).toEqual(["A", 9000, "EDGE"]);
  expect(warnings).toEqual(['Unknown configuration option: "Bogus"']);
});

test("a wrong type stops with a message naming the option", () => {
  const file = join(dir, "bad.json");
  writeFileSync(file, '{ "HttpPort" : "eighty" }');
  expect(() => loadConfiguration(file, () => {})).toThrow(/HttpPort/);
  writeFileSync(file, '{ "DefaultEncoding" : "Klingon" }');
  expect(() => loadConfiguration(file, () => {})).toThrow(/DefaultEncoding/);
  writeFileSync(file, '{ "Name" : ');
  expect(() => loadConfiguration(file, () => {})).toThrow(/not valid JSON/);
});

test("the written default configuration loads back to the defaults", () => {
  const file = join(dir, "default.json");
  writeFileSync(file, defaultConfigurationText());
  const warnings: string[] = [];
  const config = loadConfiguration(file, (m) => warnings.push(m));
  expect(warnings).toEqual([]);
  expect(config.HttpPort).toBe(8042);
  expect(defaultConfigurationText()).toContain("// HTTP port of the REST API.");
});
