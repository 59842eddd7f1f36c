// The Orthanc Book's auto-routing samples: every stored instance is sent to a modality by the Lua
// job command SendToModality (after ModifyInstance in the second), then deleted by Delete, chained
// as Orthanc chains them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { dcmtk, startStoreScp, type StoreScp } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir, waitFor } from "../support/server.ts";

let server: InProcessServer;
let storescp: StoreScp;

beforeAll(async () => {
  storescp = await startStoreScp("SAMPLE");
  server = await startInProcess({
    config: {
      ExecuteLuaEnabled: true,
      DicomModalities: { sample: ["SAMPLE", "127.0.0.1", storescp.port] },
    },
  });
});
afterAll(async () => {
  await server.stop();
  await storescp.stop();
});

test("Delete(SendToModality(instanceId, 'sample')) forwards, then deletes", async () => {
  await fetch(`${server.url}/tools/execute-script`, {
    method: "POST",
    body: "function OnStoredInstance(instanceId, tags, metadata)\n" +
      "  Delete(SendToModality(instanceId, 'sample'))\nend",
  });
  const upload = await fetch(`${server.url}/instances`, {
    method: "POST",
    body: readFileSync(join(samplesDir, "Brainix/Flair/IM-0001-0001.dcm")),
  });
  expect((await upload.json()).Status).toBe("Success");
  await waitFor(() => storescp.files().length === 1, "the instance at the modality");
  await waitFor(async () => {
    const ids = await (await fetch(`${server.url}/instances`)).json() as string[];
    return ids.length === 0;
  }, "the instance deleted after its sending");
});

test("the modify-on-arrival sample: ModifyInstance, sent, both copies deleted", async () => {
  for (const f of storescp.files()) rmSync(f);
  await fetch(`${server.url}/tools/execute-script`, {
    method: "POST",
    body: [
      "function OnStoredInstance(instanceId, tags, metadata, origin)",
      "  if origin['RequestOrigin'] ~= 'Lua' then",
      "    local replace = { StationName = 'My Medical Device' }",
      "    local remove = { 'InstitutionName' }",
      "    Delete(SendToModality(ModifyInstance(instanceId, replace, remove, true), 'sample'))",
      "    Delete(instanceId)",
      "  end",
      "end",
    ].join("\n"),
  });
  const upload = await fetch(`${server.url}/instances`, {
    method: "POST",
    body: readFileSync(join(samplesDir, "Brainix/Flair/IM-0001-0002.dcm")),
  });
  expect((await upload.json()).Status).toBe("Success");
  await waitFor(() => storescp.files().length === 1, "the modified instance at the modality");
  const received = await dcmtk(["dcmdump", storescp.files()[0]!]);
  expect(received.out).toContain("[My Medical Device]");
  expect(received.out).not.toContain("(0008,0080)");
  await waitFor(async () => {
    const ids = await (await fetch(`${server.url}/instances`)).json() as string[];
    return ids.length === 0;
  }, "the original and the modified copy deleted");
});
