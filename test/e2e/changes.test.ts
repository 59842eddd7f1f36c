// The change feed, stable resources and the exports log, as a syncing client polls them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startInProcess } from "../support/in-process.ts";
import { join } from "node:path";
import { sampleFiles, samplesDir, type TestServer, waitFor } from "../support/server.ts";

interface Change {
  ChangeType: string;
  ID: string;
  Path: string;
  ResourceType: string;
  Seq: number;
  Date: string;
}
interface Feed {
  Changes: Change[];
  Done: boolean;
  Last: number;
}

let server: TestServer;
beforeAll(async () => {
  server = await startInProcess({ config: { StableAge: 1 } });
});
afterAll(async () => {
  await server.stop();
});

const feed = async (query: string): Promise<Feed> =>
  (await fetch(`${server.url}/changes${query}`)).json();

test("concurrent uploads give a feed with no gap and no duplicate", async () => {
  const files = (await sampleFiles("Knee")).concat(await sampleFiles("Brainix"));
  let next = 0;
  const client = async () => {
    while (next < files.length) {
      const res = await fetch(`${server.url}/instances`, {
        method: "POST",
        body: Bun.file(files[next++]!),
      });
      expect(res.status).toBe(200);
    }
  };
  await Promise.all([client(), client(), client(), client()]);

  // Read the whole feed in small pages, as a client syncing from Orthanc does.
  const seen: Change[] = [];
  let since = 0;
  for (;;) {
    const page = await feed(`?since=${since}&limit=7`);
    seen.push(...page.Changes);
    since = page.Last;
    if (page.Done) break;
  }
  const seqs = seen.map((c) => c.Seq);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  const newInstances = seen.filter((c) => c.ChangeType === "NewInstance").map((c) => c.ID);
  expect(new Set(newInstances).size).toBe(files.length);
  expect(newInstances.length).toBe(files.length);
  const stats = await (await fetch(`${server.url}/statistics`)).json();
  expect(seen.filter((c) => c.ChangeType === "NewSeries").length).toBe(stats.CountSeries);
  expect(seen.filter((c) => c.ChangeType === "NewPatient").length).toBe(stats.CountPatients);
  const first = seen[0]!;
  expect(first.ChangeType).toBe("NewInstance");
  expect(first.Path).toBe(`/instances/${first.ID}`);
  expect(first.Date).toMatch(/^\d{8}T\d{6}$/);
});

test("series, studies and patients become stable after StableAge", async () => {
  const series = (await (await fetch(`${server.url}/series`)).json()) as string[];
  await waitFor(async () => {
    const all = await feed("?limit=10000");
    return all.Changes.filter((c) => c.ChangeType === "StableSeries").length === series.length;
  }, "StableSeries for every series");
  const all = await feed("?limit=10000");
  expect(all.Changes.filter((c) => c.ChangeType === "StableStudy").length).toBeGreaterThan(0);
  const one = await (await fetch(`${server.url}/series/${series[0]}`)).json();
  expect(one.IsStable).toBe(true);
});

test("last, limit 0, paging past the end, and DELETE /changes", async () => {
  const last = await feed("?last");
  expect(last.Changes.length).toBe(1);
  expect(last.Last).toBe(last.Changes[0]!.Seq);
  expect(await feed("?limit=0")).toEqual({ Changes: [], Done: false, Last: last.Last });
  expect(await feed(`?since=${last.Last + 100}`)).toEqual({
    Changes: [],
    Done: true,
    Last: last.Last,
  });
  expect((await fetch(`${server.url}/changes`, { method: "DELETE" })).status).toBe(200);
  // The sequence goes on after a reset, so pollers never see a number twice.
  expect(await feed("")).toEqual({ Changes: [], Done: true, Last: last.Last });
});

test("the changes of a deleted resource leave the feed, and no Deleted change enters it", async () => {
  const before = (await feed("?last")).Last;
  const uploaded = await fetch(`${server.url}/instances`, {
    method: "POST",
    body: Bun.file(join(samplesDir, "DummyCT.dcm")),
  });
  expect(uploaded.status).toBe(200);
  const { ParentPatient } = await uploaded.json();
  expect((await feed(`?since=${before}`)).Changes.map((c) => c.ChangeType)).toEqual([
    "NewInstance",
    "NewSeries",
    "NewStudy",
    "NewPatient",
  ]);
  const patients = (await (await fetch(`${server.url}/patients`)).json()) as string[];
  expect(patients).toContain(ParentPatient);
  for (const id of patients) await fetch(`${server.url}/patients/${id}`, { method: "DELETE" });
  // As in Orthanc: nothing left, and Last is the last sequence number given.
  expect(await feed("")).toEqual({ Changes: [], Done: true, Last: before + 4 });
});

test("the exports log starts empty", async () => {
  expect(await (await fetch(`${server.url}/exports`)).json()).toEqual({
    Done: true,
    Exports: [],
    Last: 0,
  });
  expect((await fetch(`${server.url}/exports`, { method: "DELETE" })).status).toBe(200);
});
