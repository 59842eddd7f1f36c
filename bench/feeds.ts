// Latency of the change feed and of /statistics on a large index.
//
//   bun bench/feeds.ts [--instances 100000] [--requests 300]
//
// Fills an index directly (synthetic rows: 10 instances per series, 5 series per study, one
// study per patient; one NewInstance change per instance plus the NewSeries/NewStudy/
// NewPatient ones), starts Pharos on it, then times `/changes?since=<random>&limit=100` and
// `/statistics` over HTTP on loopback and prints median and p99.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SqliteIndex } from "../src/index/sqlite/database.ts";
import { ChangeType } from "../src/server/model.ts";
import { startPharos } from "../test/support/server.ts";
import { syntheticAttachment } from "./lib/synthetic-attachment.ts";

const { values } = parseArgs({
  options: {
    instances: { type: "string", default: "100000" },
    requests: { type: "string", default: "300" },
  },
});
const total = Number(values.instances);
const requests = Number(values.requests);

const dir = mkdtempSync(join(tmpdir(), "pharos-feeds-"));
mkdirSync(join(dir, "index"));
const index = new SqliteIndex(join(dir, "index", "pharos-index.sqlite"));

const fillStart = performance.now();
const date = "20260101T000000";
let made = 0;
const hex = (n: number) => n.toString(16).padStart(40, "0");
while (made < total) {
  index.transaction(() => {
    for (let batch = 0; batch < 5000 && made < total; batch++) {
      const patientNo = Math.floor(made / 50);
      const p = index.createResource("Patient", `p-${hex(patientNo)}`, null);
      index.logChange(ChangeType.NewPatient, "Patient", `p-${hex(patientNo)}`, date);
      const st = index.createResource("Study", `st-${hex(patientNo)}`, p);
      index.logChange(ChangeType.NewStudy, "Study", `st-${hex(patientNo)}`, date);
      for (let s = 0; s < 5 && made < total; s++) {
        const seriesId = `se-${hex(made)}`;
        const se = index.createResource("Series", seriesId, st);
        index.logChange(ChangeType.NewSeries, "Series", seriesId, date);
        for (let i = 0; i < 10 && made < total; i++, made++, batch++) {
          const id = `i-${hex(made)}`;
          const instance = index.createResource("Instance", id, se);
          index.addAttachment(instance, syntheticAttachment());
          index.logChange(ChangeType.NewInstance, "Instance", id, date);
        }
      }
    }
  });
}
const changes = index.lastSequence("changes");
index.close();
const fillMs = performance.now() - fillStart;

const server = await startPharos({
  dir,
  config: { StorageDirectory: join(dir, "storage"), IndexDirectory: join(dir, "index") },
});

async function time(path: () => string): Promise<{ median: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    const res = await fetch(`${server.url}${path()}`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path()} answered ${res.status}`);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return {
    median: samples[Math.floor(samples.length / 2)]!,
    p99: samples[Math.floor(samples.length * 0.99)]!,
  };
}

const feed = await time(() => `/changes?since=${Math.floor(Math.random() * changes)}&limit=100`);
const stats = await time(() => "/statistics");
const statistics = await (await fetch(`${server.url}/statistics`)).json();
await server.stop();
rmSync(dir, { recursive: true, force: true });

console.log(
  `index: ${total} instances, ${changes} changes, filled in ${(fillMs / 1000).toFixed(1)} s`,
);
console.log(
  `/statistics reports ${statistics.CountInstances} instances, ${statistics.TotalDiskSizeMB} MB`,
);
console.log("| request | median (ms) | p99 (ms) |");
console.log("| --- | ---: | ---: |");
console.log(
  `| /changes?since=random&limit=100 | ${feed.median.toFixed(2)} | ${feed.p99.toFixed(2)} |`,
);
console.log(`| /statistics | ${stats.median.toFixed(2)} | ${stats.p99.toFixed(2)} |`);
