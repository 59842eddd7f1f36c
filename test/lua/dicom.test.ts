// The Lua callbacks of the DICOM network: IncomingCStoreInstanceFilter (what a C-STORE sender is
// answered) and the job callbacks, here on a store job.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { dcmtk } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { freePort, samplesDir, waitFor } from "../support/server.ts";

let server: InProcessServer;
const dicomPort = freePort();

beforeAll(async () => {
  server = await startInProcess({
    config: {
      ExecuteLuaEnabled: true,
      DicomPort: dicomPort,
      DicomAet: "PHAROS",
      DicomModalities: { nowhere: ["NOWHERE", "127.0.0.1", 1] },
    },
  });
});
afterAll(() => server.stop());

test("IncomingCStoreInstanceFilter refuses by calling AET, and sees the DICOM origin", async () => {
  await fetch(`${server.url}/tools/execute-script`, {
    method: "POST",
    body: "function IncomingCStoreInstanceFilter(dicom, origin) " +
      "seen = origin.RequestOrigin .. ' ' .. origin.RemoteAet .. ' ' .. dicom.Modality " +
      "return origin.RemoteAet ~= 'BLOCKED' end",
  });
  const file = join(samplesDir, "DummyCT.dcm");
  const refused = await dcmtk([
    "storescu",
    "-aet",
    "BLOCKED",
    "-aec",
    "PHAROS",
    "127.0.0.1",
    String(dicomPort),
    file,
  ]);
  expect(refused.code).not.toBe(0);
  const stats = async () => (await (await fetch(`${server.url}/statistics`)).json()).CountInstances;
  expect(await stats()).toBe(0);
  const accepted = await dcmtk([
    "storescu",
    "-aet",
    "FRIEND",
    "-aec",
    "PHAROS",
    "127.0.0.1",
    String(dicomPort),
    file,
  ]);
  expect(accepted.code).toBe(0);
  expect(await stats()).toBe(1);
  const seen = await fetch(`${server.url}/tools/execute-script`, {
    method: "POST",
    body: "print(seen)",
  });
  expect(await seen.text()).toBe("DicomProtocol FRIEND MR\n");
});

test("OnJobSubmitted and OnJobFailure follow a store job to an unreachable modality", async () => {
  await fetch(`${server.url}/tools/execute-script`, {
    method: "POST",
    body: "jobs = {} " +
      "function OnJobSubmitted(id) table.insert(jobs, 'submitted ' .. id) end " +
      "function OnJobSuccess(id) table.insert(jobs, 'success ' .. id) end " +
      "function OnJobFailure(id) table.insert(jobs, 'failure ' .. id) end",
  });
  const [instance] = await (await fetch(`${server.url}/instances`)).json() as string[];
  const answer = await fetch(`${server.url}/modalities/nowhere/store`, {
    method: "POST",
    body: JSON.stringify({ Resources: [instance], Asynchronous: true }),
  });
  const { ID } = await answer.json() as { ID: string };
  const printed = async () =>
    await (await fetch(`${server.url}/tools/execute-script`, {
      method: "POST",
      body: "print(table.concat(jobs, ','))",
    })).text();
  await waitFor(async () => (await printed()).includes("failure"), "the job's failure");
  expect(await printed()).toBe(`submitted ${ID},failure ${ID}\n`);
});
