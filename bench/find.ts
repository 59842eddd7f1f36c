// Query latency on a large index.
//
//   bun bench/find.ts [--instances 100000] [--runs 50] [--postgresql]
//
// --postgresql: the index is a database of a PostgreSQL cluster started for the run
// (test/support/postgresql.ts), filled through the same index interface.
//
// Fills an index directly with synthetic resources (one study per patient, 2 series of 10
// instances per study; names, IDs, dates, accession numbers and modalities spread over
// realistic ranges) — the point is to measure queries, not ingest — then starts Pharos on it,
// measures the startup, and times typical /tools/find queries over loopback HTTP.
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SQL } from "bun";
import type { IndexBackend } from "../src/index/interface.ts";
import { SqliteIndex } from "../src/index/sqlite/database.ts";
import { Metadata } from "../src/server/model.ts";
import { orthancIds } from "../src/dicom/identifiers.ts";
import { freshDatabase } from "../test/support/postgresql.ts";
import { startPharos } from "../test/support/server.ts";
import { openPostgresIndex } from "../test/support/test-index.ts";
import { fillPostgreSQL } from "./lib/postgresql-fill.ts";
import { syntheticAttachment } from "./lib/synthetic-attachment.ts";

const { values } = parseArgs({
  options: {
    instances: { type: "string", default: "100000" },
    runs: { type: "string", default: "50" },
    postgresql: { type: "boolean", default: false },
  },
});
const postgresqlUri = values.postgresql ? freshDatabase() : undefined;
const total = Number(values.instances);
const runs = Number(values.runs);
const PER_STUDY = 20;
const studies = Math.ceil(total / PER_STUDY);

const FAMILY = [
  "SMITH",
  "JONES",
  "MARTIN",
  "BERNARD",
  "DUBOIS",
  "MULLER",
  "ROSSI",
  "GARCIA",
  "NGUYEN",
  "SATO",
];
const GIVEN = ["ANNA", "JOHN", "MARIE", "PAUL", "LEA", "OMAR", "IVAN", "YUKI", "ELSA", "HUGO"];
const MODALITIES = ["CT", "MR", "US", "CR", "PT", "NM", "XA", "DX"];
const name = (i: number) =>
  `${FAMILY[i % 10]}${Math.floor(i / 100) % 1000}^${GIVEN[Math.floor(i / 10) % 10]}`;
const patientId = (i: number) => `PID${String(i).padStart(8, "0")}`;
const accession = (i: number) => `ACC${String(i * 7919 % 100_000_000).padStart(8, "0")}`;
const studyDate = (i: number) => {
  const day = new Date(Date.UTC(2005, 0, 1) + (i * 86_400_000 * 7) % (20 * 365 * 86_400_000));
  return day.toISOString().slice(0, 10).replace(/-/g, "");
};
const uid = (kind: number, i: number) => `2.25.${kind}${String(i).padStart(9, "0")}`;

const dir = mkdtempSync(join(tmpdir(), "pharos-find-"));
mkdirSync(join(dir, "index"));
const indexPath = join(dir, "index", "pharos-index.sqlite");
const fillStart = performance.now();
let made = 0;
if (postgresqlUri === undefined) {
  const index = new SqliteIndex(indexPath);
  fillThroughIndex(index);
  index.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  index.close();
} else {
  // The schema, as Pharos creates it; then the rows, set-based.
  openPostgresIndex(postgresqlUri).close();
  await fillPostgreSQL(postgresqlUri, studies);
  made = studies * PER_STUDY;
}

/** Every resource through the index interface, by transactions of 500 studies. */
function fillThroughIndex(index: IndexBackend): void {
  for (let s = 0; s < studies && made < total;) {
    index.transaction(() => {
      for (let batch = 0; batch < 500 && s < studies && made < total; batch++, s++) {
        const p = index.createResource(
          "Patient",
          orthancIds({
            patientId: patientId(s),
            studyInstanceUid: "",
            seriesInstanceUid: "",
            sopInstanceUid: "",
          }).patient,
          null,
        );
        const patientTags: [number, string][] = [
          [0x00100010, name(s)],
          [0x00100020, patientId(s)],
          [
            0x00100030,
            "19700101",
          ],
          [0x00100040, s % 2 ? "F" : "M"],
        ];
        for (const [tag, v] of patientTags) index.setMainTag(p, tag, v);
        const studyIds = orthancIds({
          patientId: patientId(s),
          studyInstanceUid: uid(1, s),
          seriesInstanceUid: "",
          sopInstanceUid: "",
        });
        const st = index.createResource("Study", studyIds.study, p);
        for (const [tag, v] of patientTags) index.setMainTag(st, tag, v);
        const studyTags: [number, string][] = [
          [0x00080020, studyDate(s)],
          [0x00080030, "120000"],
          [0x00080050, accession(s)],
          [0x0020000d, uid(1, s)],
          [0x00081030, `STUDY ${s % 50}`],
        ];
        for (const [tag, v] of studyTags) index.setMainTag(st, tag, v);
        index.setMetadata(st, Metadata.LastUpdate, "20260101T000000");
        for (let se = 0; se < 2 && made < total; se++) {
          const seriesNo = s * 2 + se;
          const seriesIds = orthancIds({
            patientId: patientId(s),
            studyInstanceUid: uid(1, s),
            seriesInstanceUid: uid(2, seriesNo),
            sopInstanceUid: "",
          });
          const ser = index.createResource("Series", seriesIds.series, st);
          index.setMainTag(ser, 0x00080060, MODALITIES[(s + se) % MODALITIES.length]!);
          index.setMainTag(ser, 0x0020000e, uid(2, seriesNo));
          index.setMainTag(ser, 0x00200011, String(se + 1));
          for (let i = 0; i < PER_STUDY / 2 && made < total; i++, made++) {
            const ids = orthancIds({
              patientId: patientId(s),
              studyInstanceUid: uid(1, s),
              seriesInstanceUid: uid(2, seriesNo),
              sopInstanceUid: uid(3, made),
            });
            const inst = index.createResource("Instance", ids.instance, ser);
            index.setMainTag(inst, 0x00080018, uid(3, made));
            index.setMainTag(inst, 0x00200013, String(i + 1));
            index.setMetadata(inst, Metadata.IndexInSeries, String(i + 1));
            index.addAttachment(inst, syntheticAttachment());
          }
        }
      }
    });
  }
}
const fillS = (performance.now() - fillStart) / 1000;
let sizeMb: number;
if (postgresqlUri === undefined) sizeMb = statSync(indexPath).size / 1024 / 1024;
else {
  const client = new SQL({ url: postgresqlUri, max: 1 });
  const [row] = await client.unsafe("SELECT pg_database_size(current_database()) AS size");
  await client.close();
  sizeMb = Number(row.size) / 1024 / 1024;
}

const startT = performance.now();
const server = await startPharos({
  dir,
  config: {
    StorageDirectory: join(dir, "storage"),
    IndexDirectory: join(dir, "index"),
    ...(postgresqlUri === undefined ? {} : {
      PostgreSQL: { EnableIndex: true, ConnectionUri: postgresqlUri, Lock: false },
    }),
  },
});
const startupMs = performance.now() - startT;

async function measure(body: (i: number) => unknown, check: (n: number) => boolean) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const res = await fetch(`${server.url}/tools/find`, {
      method: "POST",
      body: JSON.stringify(body(i)),
    });
    const answer = await res.json();
    samples.push(performance.now() - t);
    if (res.status !== 200 || !Array.isArray(answer) || !check(answer.length)) {
      throw new Error(
        `unexpected answer to ${JSON.stringify(body(i))}: ${res.status} ${
          JSON.stringify(answer).slice(0, 200)
        }`,
      );
    }
  }
  samples.sort((a, b) => a - b);
  return {
    median: samples[Math.floor(samples.length / 2)]!,
    p99: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))]!,
  };
}

const pick = (i: number) => (i * 104_729) % studies;
const results: [string, { median: number; p99: number }][] = [];
results.push([
  'study: PatientName wildcard ("SMITH12*")',
  await measure(
    (i) => ({ Level: "Study", Query: { PatientName: `${FAMILY[i % 10]}${(i * 37) % 1000}*` } }),
    () => true,
  ),
]);
results.push([
  "study: StudyDate range (one month)",
  await measure((i) => {
    const d = studyDate(pick(i));
    return { Level: "Study", Query: { StudyDate: `${d.slice(0, 6)}01-${d.slice(0, 6)}31` } };
  }, (n) => n > 0),
]);
results.push([
  "study: PatientID exact",
  await measure(
    (i) => ({ Level: "Study", Query: { PatientID: patientId(pick(i)) } }),
    (n) => n === 1,
  ),
]);
results.push([
  "study: AccessionNumber exact",
  await measure(
    (i) => ({ Level: "Study", Query: { AccessionNumber: accession(pick(i)) } }),
    (n) => n === 1,
  ),
]);
results.push([
  "instance: SOPInstanceUID exact",
  await measure(
    (i) => ({ Level: "Instance", Query: { SOPInstanceUID: uid(3, (i * 7_919) % made) } }),
    (n) => n === 1,
  ),
]);
results.push([
  "study: page of 100 (Since random, Limit 100)",
  await measure(
    (i) => ({
      Level: "Study",
      Query: {},
      Since: (i * 7_919) % Math.max(1, studies - 100),
      Limit: 100,
    }),
    (n) => n === 100,
  ),
]);
results.push([
  "series: Modality + study date range",
  await measure((i) => {
    const d = studyDate(pick(i));
    return {
      Level: "Series",
      Query: { Modality: "CT", StudyDate: `${d.slice(0, 4)}0101-${d.slice(0, 4)}0331` },
    };
  }, () => true),
]);
await server.stop();
rmSync(dir, { recursive: true, force: true });

console.log(
  `index (${
    postgresqlUri === undefined ? "SQLite" : "PostgreSQL"
  }): ${made} instances (${studies} studies), filled in ${fillS.toFixed(1)} s, ${
    sizeMb.toFixed(0)
  } MB on disk`,
);
console.log(`startup on this index: ${startupMs.toFixed(0)} ms (spawn to first answer of /system)`);
console.log(`| query (${runs} runs) | median (ms) | p99 (ms) |`);
console.log("| --- | ---: | ---: |");
for (const [label, r] of results) {
  console.log(`| ${label} | ${r.median.toFixed(2)} | ${r.p99.toFixed(2)} |`);
}
