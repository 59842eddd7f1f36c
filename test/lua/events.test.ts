// The Lua callbacks of time: OnHeartBeat every LuaHeartBeatPeriod, and OnStableSeries/Study/
// Patient once StableAge has passed; defined here through execute-script, as Orthanc allows.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir, waitFor } from "../support/server.ts";

let server: InProcessServer;

beforeAll(async () => {
  server = await startInProcess({
    config: { ExecuteLuaEnabled: true, LuaHeartBeatPeriod: 1, StableAge: 1 },
  });
});
afterAll(() => server.stop());

async function execute(source: string): Promise<string> {
  const response = await fetch(`${server.url}/tools/execute-script`, {
    method: "POST",
    body: source,
  });
  return await response.text();
}

test("OnHeartBeat runs every LuaHeartBeatPeriod seconds", async () => {
  await execute("beats = 0 function OnHeartBeat() beats = beats + 1 end");
  await waitFor(async () => Number(await execute("print(beats)")) >= 2, "two heart beats");
});

test("OnStableSeries, OnStableStudy and OnStablePatient get the id, main tags and metadata", async () => {
  await execute(
    "stable = {} " +
      "function OnStableSeries(id, tags, metadata) stable.series = tags.Modality end " +
      "function OnStableStudy(id, tags, metadata) stable.study = id end " +
      "function OnStablePatient(id, tags, metadata) stable.patient = tags.PatientName end",
  );
  const upload = await fetch(`${server.url}/instances`, {
    method: "POST",
    body: readFileSync(join(samplesDir, "Knee/T1/IM-0001-0001.dcm")),
  });
  const { ParentStudy } = await upload.json() as { ParentStudy: string };
  await waitFor(
    async () => (await execute("print(stable.patient)")) === "KNEE\n",
    "the stable patient",
  );
  expect(await execute("print(stable.series, stable.study)")).toBe(`MR, ${ParentStudy}\n`);
});
