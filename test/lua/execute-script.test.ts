// POST /tools/execute-script and the Lua API as Orthanc 1.10.1 answers them: the expected texts
// were read from Orthanc 1.10.1 given the same scripts.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";

let server: InProcessServer;

beforeAll(async () => {
  server = await startInProcess({ config: { ExecuteLuaEnabled: true, LuaScriptTimeout: 1 } });
});
afterAll(() => server.stop());

async function execute(source: string): Promise<Response> {
  return await fetch(`${server.url}/tools/execute-script`, { method: "POST", body: source });
}

async function printed(source: string): Promise<string> {
  const response = await execute(source);
  expect(response.status).toBe(200);
  return await response.text();
}

test("print joins its arguments with commas, as Orthanc's print; the answer is text/plain", async () => {
  const response = await execute('print(42) print("a", 1, nil, true)');
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/plain");
  expect(await response.text()).toBe("42\na, 1, nil, true\n");
});

test("the Lua context keeps its globals from one script to the next", async () => {
  await printed("kept = { 1, 2 }");
  expect(await printed("print(#kept)")).toBe("2\n");
});

test("a script's error is Orthanc's error 2031 with Lua's message, and the server goes on", async () => {
  for (
    const [source, details] of [
      ['error("boom")', '[string "line"]:1: boom'],
      ["foo(", '[string "line"]:1: unexpected symbol near <eof>'],
    ]
  ) {
    const response = await execute(source!);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      Details: details,
      HttpError: "Internal Server Error",
      HttpStatus: 500,
      Message: "Cannot execute a Lua command",
      Method: "POST",
      OrthancError: "Cannot execute a Lua command",
      OrthancStatus: 2031,
      Uri: "/tools/execute-script",
    });
  }
  expect(await printed("print('still here')")).toBe("still here\n");
});

test("an infinite loop is cut by the timeout, and the server answers meanwhile", async () => {
  const looping = execute("while true do end");
  const system = await fetch(`${server.url}/system`);
  expect(system.status).toBe(200);
  const response = await looping;
  expect(response.status).toBe(500);
  expect((await response.json()).Details).toContain("took too long");
  expect(await printed("print(1)")).toBe("1\n");
});

test("DumpJson and ParseJson convert as Orthanc's", async () => {
  expect(await printed('print(DumpJson({1.5, 5.0, 2^53, -3, "é", true, false}))')).toBe(
    '[1.5,5,9007199254740992.0,-3,"\\u00e9",true,false]\n',
  );
  expect(await printed('print(DumpJson({a=1,b={1,2},c="x"}))')).toBe(
    '{"a":1,"b":[1,2],"c":"x"}\n',
  );
  expect(await printed('print(DumpJson({a=1,b={1,2},c="x"}, true))')).toBe(
    '{"a":"1","b":["1","2"],"c":"x"}\n',
  );
  expect(await printed("print(DumpJson({[1]=1,[3]=3}), DumpJson({a=1,[1]=2}))")).toBe(
    '{"1":1,"3":3}, {"1":2,"a":1}\n',
  );
  expect(await printed('print(DumpJson(ParseJson("[]")), DumpJson({}), ParseJson("bad"))')).toBe(
    "[], [], nil\n",
  );
  expect(await printed('local t = ParseJson("{\\"a\\":[1,2.5]}") print(t.a[1], t.a[2])')).toBe(
    "1.0, 2.5\n",
  );
});

test("RestApiGet/Post/Put/Delete reach the REST API; a failure is nil", async () => {
  const system = await printed('print(RestApiGet("/system"))');
  expect(JSON.parse(system).Name).toBe("PharosTest");
  expect(await printed('print(RestApiGet("/nope"), RestApiDelete("/patients/nope"))')).toBe(
    "nil, nil\n",
  );
  expect(
    await printed(
      'print(RestApiPost("/tools/find", "{\\"Level\\":\\"Patient\\",\\"Query\\":{}}"))',
    ),
  )
    .toBe("[]\n");
  expect(await printed('print(RestApiPost("/tools/find", "bad"))')).toBe("nil\n");
  // A DICOM file goes through Lua's strings byte for byte.
  const dicom = readFileSync(join(samplesDir, "DummyCT.dcm"));
  const upload = await fetch(`${server.url}/instances`, { method: "POST", body: dicom });
  const { ID } = await upload.json() as { ID: string };
  expect(
    await printed(
      `local f = RestApiGet("/instances/${ID}/file") print(#f) ` +
        `RestApiDelete("/instances/${ID}") print(RestApiPost("/instances", f) ~= nil)`,
    ),
  ).toBe(`${dicom.length}\ntrue\n`);
  expect(await printed(`print(RestApiPut("/instances/${ID}/metadata/1024", "x"))`)).toBe("\n");
  expect(await printed(`print(RestApiGet("/instances/${ID}/metadata/1024"))`)).toBe("x\n");
  expect(await printed(`print(RestApiDelete("/instances/${ID}"))`)).toBe("true\n");
});

test("a script that calls execute-script through the REST API does not deadlock", async () => {
  const source = 'print(RestApiPost("/tools/execute-script", "print(7)"))';
  expect(await printed(source)).toBe("7\n\n");
});

test("GetOrthancConfiguration, GenerateDicomUid, HttpGet", async () => {
  expect(await printed("print(GetOrthancConfiguration().Name)")).toBe("PharosTest\n");
  expect(await printed("print(GenerateDicomUid())")).toMatch(/^2\.25\.\d+\n$/);
  expect(
    await printed(
      `print(HttpGet("${server.url}/tools/now") ~= nil, HttpGet("http://127.0.0.1:1/"))`,
    ),
  )
    .toBe("true, nil\n");
});

test("without ExecuteLuaEnabled the route is Orthanc's bare 403", async () => {
  const closed = await startInProcess();
  try {
    const response = await fetch(`${closed.url}/tools/execute-script`, {
      method: "POST",
      body: "print(1)",
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toBe("");
  } finally {
    await closed.stop();
  }
});
