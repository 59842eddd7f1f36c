// MaximumPatientCount / MaximumStorageSize with Recycle and Reject, and protected patients.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { startInProcess } from "../support/in-process.ts";
import { samplesDir, type TestServer } from "../support/server.ts";

// Four files of four different patients.
const FILES = [
  "Brainix/Epi/IM-0001-0001.dcm",
  "Knee/T1/IM-0001-0001.dcm",
  "Comunix/Ct/IM-0001-0001.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.1.dcm",
].map((f) => join(samplesDir, f));

const post = (server: TestServer, file: string) =>
  fetch(`${server.url}/instances`, { method: "POST", body: Bun.file(file) });
const json = async (server: TestServer, path: string) =>
  (await fetch(`${server.url}${path}`)).json();

test("Recycle deletes the patient with the oldest activity, never a protected one", async () => {
  const server = await startInProcess({ config: { MaximumPatientCount: 2 } });
  try {
    const a = (await (await post(server, FILES[0]!)).json()).ParentPatient;
    const b = (await (await post(server, FILES[1]!)).json()).ParentPatient;
    expect(await (await fetch(`${server.url}/patients/${a}/protected`)).text()).toBe("0");
    expect(
      (await fetch(`${server.url}/patients/${a}/protected`, { method: "PUT", body: "1" })).status,
    ).toBe(200);
    expect(await (await fetch(`${server.url}/patients/${a}/protected`)).text()).toBe("1");

    const c = (await (await post(server, FILES[2]!)).json()).ParentPatient;
    // b was the oldest unprotected patient.
    expect((await json(server, "/patients")).sort()).toEqual([a, c].sort());
    // The recycled patient's changes went with it, as in Orthanc.
    const feed = (await json(server, "/changes?limit=1000")).Changes as { ID: string }[];
    expect(feed.some((x) => x.ID === a)).toBe(true);
    expect(feed.some((x) => x.ID === b)).toBe(false);

    const stats = await json(server, "/statistics");
    expect(stats.CountPatients).toBe(2);
    expect(stats.CountInstances).toBe(2);

    // With a protected and no other recyclable patient, the storage is full.
    expect(
      (await fetch(`${server.url}/patients/${c}/protected`, { method: "PUT", body: "true" }))
        .status,
    ).toBe(200);
    const refused = await post(server, FILES[3]!);
    expect(refused.status).toBe(507);
    expect((await refused.json()).OrthancStatus).toBe(19);
    expect((await json(server, "/statistics")).CountInstances).toBe(2);

    expect(
      (await fetch(`${server.url}/patients/${c}/protected`, { method: "PUT", body: "7" })).status,
    ).toBe(400);
  } finally {
    await server.stop();
  }
});

test("Reject refuses instead of recycling", async () => {
  const server = await startInProcess({
    config: { MaximumPatientCount: 1, MaximumStorageMode: "Reject" },
  });
  try {
    expect((await post(server, FILES[0]!)).status).toBe(200);
    // Another instance of the same patient still fits.
    expect((await post(server, join(samplesDir, "Brainix/Epi/IM-0001-0002.dcm"))).status).toBe(200);
    expect((await post(server, FILES[1]!)).status).toBe(507);
    expect((await json(server, "/statistics")).CountPatients).toBe(1);
  } finally {
    await server.stop();
  }
});

test("MaximumStorageSize recycles until the new instance fits, and statistics stay exact", async () => {
  const server = await startInProcess({ config: { MaximumStorageSize: 1 } });
  // 720 kB, 169 kB, 181 kB and 175 kB, four patients: the third one does not fit beside the first.
  const big = [
    "TransferSyntaxes/1.2.840.10008.1.2.4.57.dcm",
    "Brainix/Flair/IM-0001-0022.dcm",
    "TransferSyntaxes/1.2.840.10008.1.2.1.99.dcm",
    "TransferSyntaxes/1.2.840.10008.1.2.5.dcm",
  ].map((f) => join(samplesDir, f));
  try {
    for (const file of big) {
      expect((await post(server, file)).status).toBe(200);
      const stats = await json(server, "/statistics");
      expect(Number(stats.TotalDiskSize)).toBeLessThanOrEqual(1024 * 1024);
    }
    // The sum of the files kept equals the statistics.
    const ids = (await json(server, "/instances")) as string[];
    let total = 0;
    for (const id of ids) total += (await json(server, `/instances/${id}`)).FileSize;
    expect(Number((await json(server, "/statistics")).TotalUncompressedSize)).toBe(total);
    expect(ids.length).toBe(3);
  } finally {
    await server.stop();
  }
});
