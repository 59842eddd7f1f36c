// The Lua callbacks of the DICOM network: IncomingCStoreInstanceFilter (what a C-STORE sender is
// answered; from LuaScripts only, in the filter context, as in Orthanc 1.10.1) and the job
// callbacks, here on a store job.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dcmtk } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { freePort, samplesDir, waitFor } from "../support/server.ts";

let server: InProcessServer;
const dicomPort = freePort();
const dir = mkdtempSync(join(tmpdir(), "pharos-lua-dicom-"));
const seenFile = join(dir, "seen.txt");

beforeAll(async () => {
  const script = join(dir, "cstore-filter.lua");
  writeFileSync(
    script,
    "function IncomingCStoreInstanceFilter(dicom, origin)\n" +
      `  local f = io.open('${seenFile}', 'a')\n` +
      "  f:write(origin.RequestOrigin .. ' ' .. origin.RemoteAet .. ' ' .. dicom.Modality .. '\\n')\n" +
      "  f:close()\n" +
      "  return origin.RemoteAet ~= 'BLOCKED'\n" +
      "end\n",
  );
  server = await startInProcess({
    config: {
      LuaScripts: [script],
      ExecuteLuaEnabled: true,
      DicomPort: dicomPort,
      DicomAet: "PHAROS",
      DicomModalities: { nowhere: ["NOWHERE", "127.0.0.1", 1] },
    },
  });
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("IncomingCStoreInstanceFilter refuses by calling AET, and sees the DICOM origin", async () => {
  // As in Orthanc, execute-script does not reach the filter context: this filter filters nothing.
  await fetch(`${server.url}/tools/execute-script`, {
    method: "POST",
    body: "function IncomingCStoreInstanceFilter() return false end",
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
  expect(readFileSync(seenFile, "utf8")).toBe(
    "DicomProtocol BLOCKED MR\nDicomProtocol FRIEND MR\n",
  );
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
