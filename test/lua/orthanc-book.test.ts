// The Orthanc Book's sample scripts (test/lua/scripts/book/, in our own words) run on Pharos and
// on Orthanc 1.10.1 over the same files sent the same way (storescu, the REST API): what arrived
// where, what was modified, what was written, must be the same on both, and what the sample
// means to do. Each scenario installs its script through /tools/execute-script, on both.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  dcmtk,
  hasOrthanc,
  type RunningOrthanc,
  startOrthanc,
  startStoreScp,
  type StoreScp,
} from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { freePort, samplesDir, waitFor } from "../support/server.ts";

interface Target {
  name: string;
  url: string;
  aet: string;
  dicomPort: number;
  archive: StoreScp;
  /** Where tags-to-file.lua writes. */
  output: string;
}

const FILES = ["Brainix/Flair/IM-0001-0001.dcm", "Brainix/Flair/IM-0001-0002.dcm"].map((f) =>
  join(samplesDir, f)
);
const KNEE = join(samplesDir, "Knee/T1/IM-0001-0001.dcm");

let pharos: InProcessServer;
let orthanc: RunningOrthanc;
const targets: Target[] = [];

beforeAll(async () => {
  if (!hasOrthanc) return;
  const archives = [await startStoreScp("ARCHIVE"), await startStoreScp("ARCHIVE")];
  const modalities = (archive: StoreScp) => ({ archive: ["ARCHIVE", "127.0.0.1", archive.port] });
  const dicomPort = freePort();
  pharos = await startInProcess({
    config: {
      DicomAet: "PHAROS",
      DicomPort: dicomPort,
      ExecuteLuaEnabled: true,
      DicomModalities: modalities(archives[0]!),
    },
  });
  orthanc = await startOrthanc("ORTHANC", {
    ExecuteLuaEnabled: true,
    DicomModalities: modalities(archives[1]!),
  });
  targets.push(
    {
      name: "Pharos",
      url: pharos.url,
      aet: "PHAROS",
      dicomPort,
      archive: archives[0]!,
      output: join(archives[0]!.dir, "..", `book-pharos-${process.pid}.txt`),
    },
    {
      name: "Orthanc",
      url: orthanc.url,
      aet: orthanc.aet,
      dicomPort: orthanc.dicomPort,
      archive: archives[1]!,
      output: join(archives[1]!.dir, "..", `book-orthanc-${process.pid}.txt`),
    },
  );
}, 60000);
afterAll(async () => {
  await pharos?.stop();
  await orthanc?.stop();
  for (const t of targets) {
    await t.archive.stop();
    rmSync(t.output, { force: true });
  }
});

/** Empties the server and the archive, then installs the script in place of the last one's. */
async function install(t: Target, script: string): Promise<void> {
  const ids = await (await fetch(`${t.url}/instances`)).json() as string[];
  for (const id of ids) await fetch(`${t.url}/instances/${id}`, { method: "DELETE" });
  for (const f of t.archive.files()) rmSync(f);
  writeFileSync(t.output, "");
  const source = `OnStoredInstance = nil\nReceivedInstanceFilter = nil\noutput = '${t.output}'\n` +
    readFileSync(join(import.meta.dir, "scripts/book", script), "utf8");
  const r = await fetch(`${t.url}/tools/execute-script`, { method: "POST", body: source });
  expect(r.status).toBe(200);
}

/** storescu from `aet`: the status of each C-STORE, as storescu reports it. */
async function store(t: Target, aet: string, files: string[]): Promise<string[]> {
  const r = await dcmtk([
    "storescu",
    "-v",
    "-aet",
    aet,
    "-aec",
    t.aet,
    "127.0.0.1",
    String(t.dicomPort),
    ...files,
  ]);
  return [...r.out.matchAll(/Received Store Response \(([^)]*)\)/g)].map((m) => m[1]!);
}

/** The SOP instance UIDs the server holds, sorted. */
async function held(t: Target): Promise<string[]> {
  const all = await (await fetch(`${t.url}/instances?expand`)).json() as {
    MainDicomTags: { SOPInstanceUID: string };
  }[];
  return all.map((i) => i.MainDicomTags.SOPInstanceUID).sort();
}

const ARCHIVED_TAGS = [
  "0008,0018",
  "0008,0080",
  "0008,1010",
  "0008,103e",
  "0010,0010",
  "0020,0013",
];

/** What reached the archive: some tags of each file, sorted by InstanceNumber. */
async function archived(t: Target): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (const file of t.archive.files()) {
    const dump = (await dcmtk(["dcmdump", file])).out;
    const tags: Record<string, string> = {};
    for (const tag of ARCHIVED_TAGS) {
      const m = dump.match(new RegExp(`^\\(${tag}\\) [A-Z]{2} \\[([^\\]]*)\\]`, "m"));
      tags[tag] = m ? m[1]!.replace(/[\s\0]+$/, "") : "(absent)";
    }
    out.push(tags);
  }
  return out.sort((a, b) => Number(a["0020,0013"]) - Number(b["0020,0013"]));
}

const uidOf = async (file: string) =>
  (await dcmtk(["dcmdump", "+P", "0008,0018", file])).out.match(/\[([^\]]*)\]/)![1]!;

/** Runs a scenario on both servers; the outcomes must be equal, and Pharos's is returned. */
async function onBoth<T>(run: (t: Target) => Promise<T>): Promise<T> {
  const [ours, theirs] = [await run(targets[0]!), await run(targets[1]!)];
  expect(ours).toEqual(theirs);
  return ours;
}

test.skipIf(!hasOrthanc)("auto-routing by calling AET: SCANNER1's go on and leave", async () => {
  const uids = await Promise.all(FILES.map(uidOf));
  const outcome = await onBoth(async (t) => {
    await install(t, "route-by-aet.lua");
    const statuses = [
      ...await store(t, "SCANNER1", [FILES[0]!]),
      ...await store(t, "OTHER", [FILES[1]!]),
    ];
    await waitFor(() => t.archive.files().length === 1, `${t.name}: the routed instance`);
    await waitFor(async () => (await held(t)).length === 1, `${t.name}: the routed one deleted`);
    return {
      statuses,
      held: await held(t),
      archived: (await archived(t)).map((a) => a["0008,0018"]),
    };
  });
  expect(outcome).toEqual({
    statuses: ["Success", "Success"],
    held: [uids[1]],
    archived: [uids[0]],
  });
});

test.skipIf(!hasOrthanc)("ReceivedInstanceFilter by calling AET: only TRUSTED stores", async () => {
  // Orthanc 1.10.1 runs the instance filters in a second Lua context, which loads LuaScripts and
  // which execute-script does not reach: this sample needs servers of its own.
  const script = join(import.meta.dir, "scripts/book/filter-by-aet.lua");
  const dicomPort = freePort();
  const ownPharos = await startInProcess({
    config: { DicomAet: "PHAROS", DicomPort: dicomPort, LuaScripts: [script] },
  });
  const ownOrthanc = await startOrthanc("ORTHANC", { LuaScripts: [script] });
  const own = [
    { ...targets[0]!, url: ownPharos.url, dicomPort },
    { ...targets[1]!, url: ownOrthanc.url, dicomPort: ownOrthanc.dicomPort },
  ];
  try {
    const uids = await Promise.all(FILES.map(uidOf));
    const outcomes = [];
    for (const t of own) {
      const statuses = [
        ...await store(t, "TRUSTED", [FILES[0]!]),
        ...await store(t, "OTHER", [FILES[1]!]),
      ];
      const rest = await fetch(`${t.url}/instances`, { method: "POST", body: readFileSync(KNEE) });
      outcomes.push({ statuses, rest: rest.status, held: (await held(t)).length });
    }
    expect(outcomes[0]).toEqual(outcomes[1]!);
    // TRUSTED's instance and the REST upload are in; OTHER's is dropped (and yet answered Success).
    expect(outcomes[0]).toEqual({ statuses: ["Success", "Success"], rest: 200, held: 2 });
    expect(await held(own[0]!)).toContain(uids[0]!);
  } finally {
    await ownPharos.stop();
    await ownOrthanc.stop();
  }
});

test.skipIf(!hasOrthanc)("modify on arrival: modified, sent, both copies deleted", async () => {
  const outcome = await onBoth(async (t) => {
    await install(t, "modify-on-arrival.lua");
    const statuses = await store(t, "SCANNER1", FILES);
    await waitFor(() => t.archive.files().length === 2, `${t.name}: the modified copies`);
    await waitFor(async () => (await held(t)).length === 0, `${t.name}: both copies deleted`);
    // The new SOP instance UIDs differ from one server to the other: only their being new counts.
    const uids = await Promise.all(FILES.map(uidOf));
    const files = (await archived(t)).map((a): Record<string, string> => ({
      ...a,
      "0008,0018": uids.includes(a["0008,0018"]!) ? "original" : "new",
    }));
    return { statuses, files };
  });
  expect(outcome.files.map((f) => [f["0008,0018"], f["0008,0080"], f["0008,1010"], f["0008,103e"]]))
    .toEqual([
      ["new", "Routing hospital", "ROUTED", "(absent)"],
      ["new", "Routing hospital", "ROUTED", "(absent)"],
    ]);
});

test.skipIf(!hasOrthanc)("tags, origin and metadata written to a file", async () => {
  const lines = await onBoth(async (t) => {
    await install(t, "tags-to-file.lua");
    await store(t, "SCANNER1", FILES);
    await fetch(`${t.url}/instances`, { method: "POST", body: readFileSync(KNEE) });
    await waitFor(
      () => readFileSync(t.output, "utf8").split("\n").length === 4,
      `${t.name}: three lines`,
    );
    return readFileSync(t.output, "utf8");
  });
  expect(lines.split("\n")[0]).toBe(
    "BRAINIX|sT2W/FLAIR|1|DicomProtocol|SCANNER1|DicomProtocol|SCANNER1|1.2.840.10008.1.2.1",
  );
});
