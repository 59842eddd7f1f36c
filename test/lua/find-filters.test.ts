// The Lua find filters as Orthanc 1.10.1 calls them: IncomingFindRequestFilter(query, origin) and
// IncomingWorklistRequestFilter(query, origin) rewrite what the C-FIND SCP answers (findscu asks),
// OutgoingFindRequestFilter(query, modalityAet) what POST /modalities/{id}/query sends. The query
// is keyed by tag; a filter may answer names; an error or a non-table answer fails the C-FIND.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dcmtk } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { freePort, samplesDir, upload } from "../support/server.ts";

let server: InProcessServer;
let dicomPort: number;
const dir = mkdtempSync(join(tmpdir(), "pharos-lua-find-"));

const SCRIPT = `
function IncomingFindRequestFilter(query, origin)
  lastFind = { query = DumpJson(query, true), origin = origin }
  local name = query['0010,0010']
  if name == 'BY-ID' then
    query['0010,0010'] = nil
    query['0010,0020'] = '5Yp0E'
  elseif name == 'BY-NAMES' then
    return { QueryRetrieveLevel = 'STUDY', PatientName = 'BRAIN*', PatientID = '' }
  elseif name == 'NIL' then
    return nil
  elseif name == 'NUMBER' then
    query['0010,0020'] = 5
  elseif name == 'ERROR' then
    error('refused by the script')
  end
  return query
end

function IncomingWorklistRequestFilter(query, origin)
  lastWorklist = DumpJson(query, true)
  if query['0010,0010'] == 'STATION' then
    query['0010,0010'] = ''
    query['0040,0100'][1]['0040,0001'] = 'SCANNER2'
  end
  return query
end

function OutgoingFindRequestFilter(query, modality)
  lastOutgoing = { query = DumpJson(query, true), modality = modality }
  if query['0010,0010'] == 'NOBODY' then
    query['0010,0010'] = nil
    query['0010,0020'] = '5Yp0E'
  end
  return query
end
`;

function worklistDump(name: string, id: string, station: string): string {
  return `(0008,0005) CS [ISO_IR 100]
(0010,0010) PN [${name}]
(0010,0020) LO [${id}]
(0040,0100) SQ (Sequence with explicit length #=1)
  (fffe,e000) na (Item with explicit length #=2)
    (0008,0060) CS [MR]
    (0040,0001) AE [${station}]
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)
(fffe,e0dd) na (SequenceDelimitationItem for re-encoding)
`;
}

async function lua(source: string): Promise<string> {
  const r = await fetch(`${server.url}/tools/execute-script`, { method: "POST", body: source });
  expect(r.status).toBe(200);
  return await r.text();
}

beforeAll(async () => {
  const database = join(dir, "worklists");
  mkdirSync(database);
  for (
    const [file, name, id, station] of [["wl1", "DOE^JOHN", "WL001", "SCANNER1"], [
      "wl2",
      "DOE^JANE",
      "WL002",
      "SCANNER2",
    ]]
  ) {
    writeFileSync(join(dir, `${file}.dump`), worklistDump(name!, id!, station!));
    const r = await dcmtk([
      "dump2dcm",
      "-g",
      join(dir, `${file}.dump`),
      join(database, `${file}.wl`),
    ]);
    expect(r.code).toBe(0);
  }
  dicomPort = freePort();
  server = await startInProcess({
    config: {
      ExecuteLuaEnabled: true,
      DicomPort: dicomPort,
      DicomAet: "PHAROS",
      Worklists: { Enable: true, Database: database },
      DicomModalities: {
        self: ["PHAROS", "127.0.0.1", dicomPort],
        findscu: { AET: "FINDSCU", Host: "127.0.0.1", Port: 1, Manufacturer: "Vitrea" },
      },
    },
  });
  const stored = await upload(server.url, join(samplesDir, "Brainix/Flair/IM-0001-0001.dcm"));
  expect(stored.status).toBe(200);
  await lua(SCRIPT);
}, 60000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** findscu at the study level: its exit code, the final status and the answers' values. */
async function findStudies(patientName: string, extraKeys: string[] = []) {
  const r = await dcmtk([
    "findscu",
    "-v",
    "-S",
    "-aec",
    "PHAROS",
    ...["QueryRetrieveLevel=STUDY", `PatientName=${patientName}`, "PatientID", ...extraKeys]
      .flatMap((k) => ["-k", k]),
    "127.0.0.1",
    String(dicomPort),
  ]);
  return { ...r, answers: answersOf(r.out) };
}

/** The answers in findscu's dump (after the request), each as its "(gggg,eeee)" → value. */
function answersOf(out: string): Record<string, string>[] {
  return out.split(/Find Response: \d+ \(Pending\)/).slice(1).map((block) => {
    const answer: Record<string, string> = {};
    for (const m of block.matchAll(/^I: +\(([0-9a-f]{4},[0-9a-f]{4})\) [A-Z]{2} \[([^\]]*)\]/gm)) {
      answer[m[1]!] = m[2]!.trim();
    }
    return answer;
  });
}

test("IncomingFindRequestFilter sees the query by tag and the caller, and rewrites it", async () => {
  const r = await findStudies("BY-ID");
  expect(r.out).toContain("Final Find Response (Success)");
  expect(r.answers).toHaveLength(1);
  // The filter took PatientName out: the answer no longer carries it.
  expect(r.answers[0]!["0010,0020"]).toBe("5Yp0E");
  expect(r.answers[0]!["0010,0010"]).toBeUndefined();
  const seen = JSON.parse(await lua("print(DumpJson(lastFind))"));
  expect(JSON.parse(seen.query)).toEqual({
    "0008,0052": "STUDY",
    "0010,0010": "BY-ID",
    "0010,0020": "",
  });
  expect(seen.origin).toEqual({
    CalledAet: "PHAROS",
    Manufacturer: "Vitrea",
    RemoteAet: "FINDSCU",
    RemoteIp: "127.0.0.1",
  });
});

test("a filter may answer a new table keyed by tag names", async () => {
  const r = await findStudies("BY-NAMES");
  expect(r.answers.map((a) => [a["0010,0010"], a["0010,0020"]])).toEqual([["BRAINIX", "5Yp0E"]]);
});

test("without a filter's rewrite the query answers as asked", async () => {
  expect((await findStudies("NOBODY")).answers).toEqual([]);
  expect((await findStudies("BRAINIX")).answers).toHaveLength(1);
});

test("nil, a number or an error from the filter fail the C-FIND, and the SCP goes on", async () => {
  for (const name of ["NIL", "NUMBER", "ERROR"]) {
    const r = await findStudies(name);
    expect(r.out).toContain("Final Find Response (Failed: UnableToProcess)");
    expect(r.answers).toEqual([]);
  }
  expect((await findStudies("BY-ID")).answers).toHaveLength(1);
});

test("IncomingWorklistRequestFilter rewrites inside the sequences of a worklist query", async () => {
  const r = await dcmtk([
    "findscu",
    "-v",
    "-W",
    "-aec",
    "PHAROS",
    ...[
      "PatientName=STATION",
      "PatientID",
      "ScheduledProcedureStepSequence[0].ScheduledStationAETitle",
    ]
      .flatMap((k) => ["-k", k]),
    "127.0.0.1",
    String(dicomPort),
  ]);
  expect(r.out).toContain("Final Find Response (Success)");
  expect(answersOf(r.out).map((a) => a["0010,0020"])).toEqual(["WL002"]);
  expect(JSON.parse(JSON.parse(await lua("print(DumpJson(lastWorklist))")))).toEqual({
    "0010,0010": "STATION",
    "0010,0020": "",
    "0040,0100": [{ "0040,0001": "" }],
  });
});

test("OutgoingFindRequestFilter rewrites what /modalities/{id}/query sends", async () => {
  const r = await fetch(`${server.url}/modalities/self/query`, {
    method: "POST",
    body: JSON.stringify({ Level: "Study", Query: { PatientName: "NOBODY", StudyDate: "" } }),
  });
  expect(r.status).toBe(200);
  const { ID } = await r.json() as { ID: string };
  const answers = await (await fetch(`${server.url}/queries/${ID}/answers?expand&simplify`))
    .json() as Record<string, string>[];
  expect(answers.map((a) => a.PatientID)).toEqual(["5Yp0E"]);
  // The query kept is the one asked, as in Orthanc.
  const kept = await (await fetch(`${server.url}/queries/${ID}/query`)).json();
  expect(kept["0010,0010"].Value).toBe("NOBODY");
  const seen = JSON.parse(await lua("print(DumpJson(lastOutgoing))"));
  expect(seen.modality).toBe("PHAROS");
  expect(JSON.parse(seen.query)).toEqual({ "0008,0020": "", "0010,0010": "NOBODY" });
});

test("an outgoing filter that fails is Orthanc's Lua error, and the query is not sent", async () => {
  await lua("function OutgoingFindRequestFilter(query, modality) return 'no table' end");
  const r = await fetch(`${server.url}/modalities/self/query`, {
    method: "POST",
    body: JSON.stringify({ Level: "Study", Query: { PatientName: "X" } }),
  });
  expect(r.status).toBe(500);
  expect((await r.json()).OrthancError).toBe(
    "The Lua function does not give the expected number of outputs",
  );
});
