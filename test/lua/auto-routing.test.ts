// The Orthanc Book's auto-routing sample: every stored instance is sent to a modality by the Lua
// job command SendToModality, then deleted by Delete, chained as Orthanc chains them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startStoreScp, type StoreScp } from "../support/dimse.ts";
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
