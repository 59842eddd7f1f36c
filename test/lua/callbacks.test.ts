// LuaScripts and the callbacks, against what Orthanc 1.10.1 does with the same script and files
// (test/lua/scripts/reimport-on-arrival.lua, run by hand on Orthanc 1.10.1: the Knee file stored,
// re-imported with the Lua origin, then deleted; two lines written; DummyCT FilteredOut).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir, waitFor } from "../support/server.ts";

let server: InProcessServer;
let output: string;

beforeAll(async () => {
  output = join(process.env.TMPDIR ?? "/tmp", `pharos-lua-${process.pid}.txt`);
  writeFileSync(output, "");
  process.env.LUA_TEST_OUTPUT = output;
  server = await startInProcess({
    config: {
      ExecuteLuaEnabled: true,
      LuaScripts: [join(import.meta.dir, "scripts/reimport-on-arrival.lua")],
    },
  });
});
afterAll(async () => {
  await server.stop();
  rmSync(output, { force: true });
});

async function upload(path: string): Promise<{ ID: string; Status: string }> {
  const response = await fetch(`${server.url}/instances`, {
    method: "POST",
    body: readFileSync(join(samplesDir, path)),
  });
  return await response.json() as { ID: string; Status: string };
}

async function execute(source: string): Promise<string> {
  const response = await fetch(`${server.url}/tools/execute-script`, {
    method: "POST",
    body: source,
  });
  return await response.text();
}

test("Initialize ran at startup", async () => {
  expect(await execute("print(initialized)")).toBe("true\n");
});

test("on arrival: filtered, re-imported by Lua's REST calls, then deleted by the Delete command", async () => {
  expect((await upload("Knee/T1/IM-0001-0001.dcm")).Status).toBe("Success");
  expect((await upload("DummyCT.dcm")).Status).toBe("FilteredOut");
  await waitFor(() => readFileSync(output, "utf8").split("\n").length === 3, "two lines");
  expect(readFileSync(output, "utf8")).toBe("KNEE RestApi RestApi\nKNEE Lua Lua\n");
  await waitFor(async () => {
    const ids = await (await fetch(`${server.url}/instances`)).json() as string[];
    return ids.length === 0;
  }, "the Delete command");
});

test("IncomingHttpRequestFilter defined by execute-script refuses requests", async () => {
  await execute(
    "function IncomingHttpRequestFilter(method, uri, ip, username, headers) " +
      "return not (method == 'DELETE' and uri == '/tools/reset') and headers['x-block'] == nil end",
  );
  expect((await fetch(`${server.url}/system`, { headers: { "x-block": "1" } })).status).toBe(403);
  expect((await fetch(`${server.url}/system`)).status).toBe(200);
  await execute("IncomingHttpRequestFilter = nil");
  expect((await fetch(`${server.url}/system`, { headers: { "x-block": "1" } })).status).toBe(200);
});

test("a callback's runtime error is logged, the instance is kept and the server goes on", async () => {
  await execute("function OnStoredInstance(id) error('broken callback') end");
  expect((await upload("Knee/T1/IM-0001-0002.dcm")).Status).toBe("Success");
  expect((await fetch(`${server.url}/system`)).status).toBe(200);
});

test("OnStoredInstance's tags, read when first used, are whole to every way of reading them", async () => {
  await execute([
    "seen = {}",
    "function OnStoredInstance(id, tags, metadata, origin)",
    "  local count = 0",
    "  for k, v in pairs(tags) do count = count + 1 end",
    "  local dumped = ParseJson(DumpJson(tags))",
    "  seen[#seen + 1] = { name = tags.PatientName, count = count, dumped = dumped.SOPInstanceUID,",
    "    keys = #tags, origin = origin.RequestOrigin }",
    "  tags.PatientName = 'CHANGED'",
    "  seen[#seen].changed = tags['PatientName']",
    "end",
    "function ReceivedInstanceFilter() return true end",
  ].join("\n"));
  expect((await upload("Knee/T1/IM-0001-0003.dcm")).Status).toBe("Success");
  let seen: { name: string; count: number; dumped: string; keys: number; changed: string }[] = [];
  await waitFor(async () => {
    seen = JSON.parse(await execute("print(DumpJson(seen))"));
    return seen.length === 1;
  }, "the callback");
  expect(seen[0]!.name).toBe("KNEE");
  expect(seen[0]!.count).toBeGreaterThan(50);
  expect(seen[0]!.dumped).toMatch(/^1\.3\./);
  expect(seen[0]!.keys).toBe(0);
  expect(seen[0]!.changed).toBe("CHANGED");
  await execute("OnStoredInstance = nil");
});

test("tags and metadata kept past their callback are still read whole", async () => {
  await execute("function OnStoredInstance(id, tags, metadata) kept = { tags, metadata } end");
  expect((await upload("Knee/T1/IM-0001-0004.dcm")).Status).toBe("Success");
  await waitFor(async () => (await execute("print(kept ~= nil)")) === "true\n", "the callback");
  expect(await execute("print(kept[1].PatientName .. ' ' .. kept[2].Origin)")).toBe(
    "KNEE RestApi\n",
  );
  await execute("OnStoredInstance = nil");
});

test("a script that does not load stops the start, naming its file and line", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pharos-lua-broken-"));
  const script = join(dir, "broken.lua");
  writeFileSync(script, "-- fine\nfunction OnStoredInstance(\n");
  try {
    await expect(startInProcess({ config: { LuaScripts: [script] } })).rejects.toThrow(
      `Cannot load the Lua script: ${script}:3: <name> or '...' expected near <eof>`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
