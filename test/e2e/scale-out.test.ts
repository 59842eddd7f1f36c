// Several Pharos processes on one PostgreSQL database and one storage folder (issue 16): parallel
// uploads of the same and of different instances leave no duplicate resource, no lost instance
// and no orphan file; the changes keep one order; and the final /statistics and /changes are
// those of a single node that ingested the same files.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { postgresqlSection } from "../support/postgresql.ts";
import { type RunningServer, sampleFiles, startPharos, waitFor } from "../support/server.ts";

const NODES = 3;
/** Long enough that no Stable* change comes in during the test, on one node or on several. */
const NO_STABILITY = { StableAge: 3600 };

const storage = mkdtempSync(join(tmpdir(), "pharos-shared-storage-"));
const nodes: RunningServer[] = [];
let single: RunningServer;
let files: string[] = [];

beforeAll(async () => {
  files = (await sampleFiles()).filter((f) => !f.endsWith("DICOMDIR"));
  const section = postgresqlSection();
  for (let i = 0; i < NODES; i++) {
    nodes.push(
      await startPharos({
        config: { ...NO_STABILITY, PostgreSQL: section, StorageDirectory: storage },
      }),
    );
  }
  single = await startPharos({ config: NO_STABILITY });
}, 60_000);

afterAll(async () => {
  await Promise.all([...nodes, single].map((n) => n.stop()));
  rmSync(storage, { recursive: true, force: true });
});

async function json(url: string) {
  return await (await fetch(url)).json();
}

/** Every change of a server, paged as a client follows the feed. */
async function allChanges(url: string) {
  const changes: { Seq: number; ChangeType: string; ResourceType: string; ID: string }[] = [];
  let since = 0;
  for (;;) {
    const page = await json(`${url}/changes?since=${since}&limit=50`);
    changes.push(...page.Changes);
    since = page.Last;
    if (page.Done) return changes;
  }
}

const storedFiles = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;

test(
  "three nodes ingesting the same and different instances at once: one consistent archive",
  async () => {
    // Every file goes to two nodes at once (the same instance twice), round the three nodes, with
    // four uploads in flight per node.
    const work: { url: string; file: string }[][] = nodes.map(() => []);
    files.forEach((file, i) => {
      work[i % NODES]!.push({ url: nodes[i % NODES]!.url, file });
      work[(i + 1) % NODES]!.push({ url: nodes[(i + 1) % NODES]!.url, file });
    });
    const statuses: number[] = [];
    await Promise.all(work.flatMap((queue) =>
      Array.from({ length: 4 }, async () => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          const res = await fetch(`${job.url}/instances`, {
            method: "POST",
            body: Bun.file(job.file),
          });
          await res.arrayBuffer();
          statuses.push(res.status);
        }
      })
    ));
    for (const file of files) {
      await (await fetch(`${single.url}/instances`, { method: "POST", body: Bun.file(file) }))
        .arrayBuffer();
    }
    expect(statuses.every((s) => s === 200 || s === 404)).toBe(true);

    const expected = await json(`${single.url}/statistics`);
    expect(expected.CountInstances).toBe(151);
    for (const node of nodes) expect(await json(`${node.url}/statistics`)).toEqual(expected);
    // One file per instance in the shared folder: the losers of each race removed theirs.
    expect(storedFiles(storage)).toBe(expected.CountInstances);
    const ids = async (url: string, level: string) =>
      ((await json(`${url}/${level}`)) as string[]).sort();
    for (const level of ["patients", "studies", "series", "instances"]) {
      expect(await ids(nodes[0]!.url, level)).toEqual(await ids(single.url, level));
    }

    // One feed, the same through every node, in one order, and the single node's changes.
    const feed = await allChanges(nodes[0]!.url);
    for (const node of nodes.slice(1)) expect(await allChanges(node.url)).toEqual(feed);
    const seqs = feed.map((c) => c.Seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const key = (c: { ChangeType: string; ResourceType: string; ID: string }) =>
      `${c.ChangeType} ${c.ResourceType} ${c.ID}`;
    expect(feed.map(key).sort()).toEqual((await allChanges(single.url)).map(key).sort());
    // A resource is created once: its New* change is there once.
    const created = feed.filter((c) => c.ChangeType.startsWith("New")).map((c) => c.ID);
    expect(new Set(created).size).toBe(created.length);
  },
  120_000,
);

test("a series fed through two nodes becomes stable once, reported by one of them", async () => {
  const section = postgresqlSection();
  const shared = mkdtempSync(join(tmpdir(), "pharos-shared-storage-"));
  const pair = await Promise.all(
    [0, 1].map(() =>
      startPharos({ config: { StableAge: 1, PostgreSQL: section, StorageDirectory: shared } })
    ),
  );
  try {
    const series = (await sampleFiles("Brainix/Flair")).slice(0, 8);
    const ingest = () =>
      Promise.all(series.map(async (file, i) => {
        const res = await fetch(`${pair[i % 2]!.url}/instances`, {
          method: "POST",
          body: Bun.file(file),
        });
        expect(res.status).toBe(200);
      }));
    await ingest();
    const stable = async () =>
      (await allChanges(pair[0]!.url)).filter((c) => c.ChangeType.startsWith("Stable"));
    await waitFor(async () => (await stable()).length >= 3, "the Stable* changes", 20_000);
    // Both trackers have run past StableAge by then, or do within one check (1 s): a second
    // report would come in this window.
    await Bun.sleep(2500);
    const reported = (await stable()).map((c) => `${c.ChangeType} ${c.ID}`);
    expect(reported.sort()).toEqual([...new Set(reported)].sort());
    expect(reported.map((r) => r.split(" ")[0]).sort()).toEqual([
      "StablePatient",
      "StableSeries",
      "StableStudy",
    ]);
    // Deleted with its patient (the feed drops the changes of what is gone), then stored again:
    // the series is a new resource, and becomes stable again.
    const patient = (await json(`${pair[0]!.url}/patients`) as string[])[0]!;
    expect((await fetch(`${pair[0]!.url}/patients/${patient}`, { method: "DELETE" })).status)
      .toBe(200);
    expect(await stable()).toEqual([]);
    await ingest();
    await waitFor(async () => (await stable()).length >= 3, "the second Stable* changes", 20_000);
    expect((await stable()).map((c) => c.ChangeType).sort()).toEqual([
      "StablePatient",
      "StableSeries",
      "StableStudy",
    ]);
  } finally {
    await Promise.all(pair.map((n) => n.stop()));
    rmSync(shared, { recursive: true, force: true });
  }
}, 60_000);

test("jobs belong to their node: each reloads its own saved jobs, not the other's", async () => {
  const section = postgresqlSection();
  const shared = mkdtempSync(join(tmpdir(), "pharos-shared-storage-"));
  const configOf = (name: string) => ({
    PostgreSQL: section,
    StorageDirectory: shared,
    DatabaseServerIdentifier: name,
  });
  let pair = await Promise.all(["a", "b"].map((name) => startPharos({ config: configOf(name) })));
  try {
    const [file] = await sampleFiles("Brainix/Flair");
    const stored = await (await fetch(`${pair[0]!.url}/instances`, {
      method: "POST",
      body: Bun.file(file!),
    })).json();
    const jobs: string[] = [];
    for (const node of pair) {
      const job = await (await fetch(`${node.url}/tools/create-archive`, {
        method: "POST",
        body: JSON.stringify({ Resources: [stored.ParentStudy], Asynchronous: true }),
      })).json();
      await waitFor(
        async () => (await json(`${node.url}/jobs/${job.ID}`)).State === "Success",
        "the archive job",
      );
      jobs.push(job.ID);
    }
    const dirs = pair.map((n) => n.dir);
    await Promise.all(pair.map((n) => n.stop({ keep: true })));
    pair = await Promise.all(
      ["a", "b"].map((name, i) => startPharos({ dir: dirs[i], config: configOf(name) })),
    );
    expect(await json(`${pair[0]!.url}/jobs`)).toEqual([jobs[0]]);
    expect(await json(`${pair[1]!.url}/jobs`)).toEqual([jobs[1]]);
  } finally {
    await Promise.all(pair.map((n) => n.stop()));
    rmSync(shared, { recursive: true, force: true });
  }
}, 60_000);

test(
  "recycling with two concurrent writers: under the limit, exact statistics, no orphan file",
  async () => {
    const section = postgresqlSection();
    const shared = mkdtempSync(join(tmpdir(), "pharos-shared-storage-"));
    const limitMb = 4;
    const pair = await Promise.all([0, 1].map(() =>
      startPharos({
        config: {
          ...NO_STABILITY,
          PostgreSQL: section,
          StorageDirectory: shared,
          MaximumStorageSize: limitMb,
        },
      })
    ));
    try {
      let next = 0;
      const statuses: number[] = [];
      await Promise.all(pair.flatMap((node) =>
        [0, 1].map(async () => {
          while (next < files.length) {
            const res = await fetch(`${node.url}/instances`, {
              method: "POST",
              body: Bun.file(files[next++]!),
            });
            await res.arrayBuffer();
            statuses.push(res.status);
          }
        })
      ));
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(100);
      const stats = await json(`${pair[0]!.url}/statistics`);
      expect(await json(`${pair[1]!.url}/statistics`)).toEqual(stats);
      expect(Number(stats.TotalDiskSize)).toBeLessThanOrEqual(limitMb * 1024 * 1024);
      // Recycling happened, and each recycled file was removed by the node that recycled it.
      expect(stats.CountInstances).toBeLessThan(statuses.filter((s) => s === 200).length);
      expect(storedFiles(shared)).toBe(stats.CountInstances);
      const instances = (await json(`${pair[1]!.url}/instances`)) as string[];
      expect(instances.length).toBe(stats.CountInstances);
      let size = 0;
      for (const id of instances) {
        const res = await fetch(`${pair[0]!.url}/instances/${id}/file`);
        expect(res.status).toBe(200);
        size += (await res.arrayBuffer()).byteLength;
      }
      expect(size).toBe(Number(stats.TotalDiskSize));
    } finally {
      await Promise.all(pair.map((n) => n.stop()));
      rmSync(shared, { recursive: true, force: true });
    }
  },
  60_000,
);
