// Pharos and a real Orthanc 1.10.1 side by side on the DICOM network: the same REST requests
// against the same remote Orthanc (queries, find-*, move, retrieve) must get the same answers,
// and the same DCMTK commands against each (getscu, movescu, findscu, storescu) the same result.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  dcmtk,
  hasOrthanc,
  type RunningOrthanc,
  startOrthanc,
  startStoreScp,
  type StoreScp,
} from "../support/dimse.ts";
import { startInProcess } from "../support/in-process.ts";
import { freePort, samplesDir, type TestServer } from "../support/server.ts";

const FLAIR_STUDY = "2.16.840.1.113669.632.20.1211.10000357775";
const FLAIR_SERIES = "1.3.46.670589.11.0.0.11.4.2.0.8743.5.5396.2006120114285654497";
const BIG_ENDIAN_UID = "1.2.840.1136190195280574824680000700.3.0.1.19970424140438";
const FILES = [
  "Brainix/Flair/IM-0001-0001.dcm",
  "Brainix/Flair/IM-0001-0002.dcm",
  "DummyCT.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.2.dcm",
];

interface Side {
  name: string;
  url: string;
  aet: string;
  dicomPort: number;
  /** storescp declared as MOVESCP in this server, to count what a C-MOVE sends. */
  moveScp: StoreScp;
}

let peer: RunningOrthanc;
let orthanc: RunningOrthanc;
let pharos: TestServer;
let sides: Side[] = [];
const scps: StoreScp[] = [];

async function upload(url: string, file: string): Promise<void> {
  const r = await fetch(`${url}/instances`, {
    method: "POST",
    body: Bun.file(join(samplesDir, file)),
  });
  expect(r.status).toBe(200);
}

beforeAll(async () => {
  if (!hasOrthanc) return;
  const pharosDicom = freePort();
  const refDicom = freePort();
  peer = await startOrthanc("PEER", {
    DicomModalities: {
      pharos: ["PHAROS", "127.0.0.1", pharosDicom],
      ref: ["REF", "127.0.0.1", refDicom],
    },
  });
  for (const file of FILES) await upload(peer.url, file);
  const [pharosScp, refScp] = [await startStoreScp("MOVESCP"), await startStoreScp("MOVESCP")];
  scps.push(pharosScp!, refScp!);
  const modalities = (scp: StoreScp) => ({
    peer: ["PEER", "127.0.0.1", peer.dicomPort],
    movescp: ["MOVESCP", "127.0.0.1", scp.port],
    scu: ["NETSCU", "127.0.0.1", freePort()],
  });
  orthanc = await startOrthanc("REF", {
    DicomPort: refDicom,
    DicomModalities: modalities(refScp!),
  });
  pharos = await startInProcess({
    config: { DicomPort: pharosDicom, DicomAet: "PHAROS", DicomModalities: modalities(pharosScp!) },
  });
  sides = [
    { name: "Pharos", url: pharos.url, aet: "PHAROS", dicomPort: pharosDicom, moveScp: pharosScp! },
    { name: "Orthanc", url: orthanc.url, aet: "REF", dicomPort: refDicom, moveScp: refScp! },
  ];
  for (const side of sides) for (const file of FILES) await upload(side.url, file);
}, 90_000);

afterAll(async () => {
  await pharos?.stop();
  await orthanc?.stop();
  await peer?.stop();
  for (const scp of scps) await scp.stop();
});

/** An answer with what legitimately differs between the two servers made equal. */
function neutral(text: string, side: Side): unknown {
  const json = text === "" ? "" : JSON.parse(text);
  return JSON.parse(
    JSON.stringify(json)
      .replaceAll(`"${side.aet}"`, '"LOCAL"')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>"),
  );
}

async function call(side: Side, method: string, path: string, body?: string) {
  const res = await fetch(side.url + path, { method, body });
  return { status: res.status, body: neutral(await res.text(), side) };
}

/** Runs the same request on both servers and expects the same answer. */
async function same(method: string, path: (side: Side) => string, body?: string) {
  const [p, o] = [
    await call(sides[0]!, method, path(sides[0]!), body),
    await call(sides[1]!, method, path(sides[1]!), body),
  ];
  expect({ request: `${method} ${path(sides[1]!)} ${body ?? ""}`, ...p }).toEqual({
    request: `${method} ${path(sides[1]!)} ${body ?? ""}`,
    ...o,
  });
  return o;
}

describe.skipIf(!hasOrthanc)("REST queries to a remote modality, as Orthanc", () => {
  const QUERIES = [
    { Level: "Study", Query: { PatientName: "brainix", StudyDate: "20061201-" } },
    { Level: "Patient", Query: { PatientName: "b*", StudyDescription: "x" } },
    { Level: "Series", Query: { Modality: "mr", StudyInstanceUID: FLAIR_STUDY } },
    { Level: "Series", Normalize: false, Query: { Modality: "MR", InstitutionName: "" } },
    { Level: "Instance", Query: { SeriesInstanceUID: FLAIR_SERIES, InstanceNumber: "" } },
    { Level: "Study", Query: { StudyDate: "", ModalitiesInStudy: "MR\\CT" } },
    { Level: "Instance", Query: { SOPClassUID: "", StudyInstanceUID: FLAIR_STUDY } },
  ];

  test("/modalities/{id}/query and what /queries/{id} keeps of it", async () => {
    for (const query of QUERIES) {
      const body = JSON.stringify(query);
      const ids = new Map<string, string>();
      for (const side of sides) {
        const r = await fetch(`${side.url}/modalities/peer/query`, { method: "POST", body });
        expect(r.status).toBe(200);
        ids.set(side.name, (await r.json()).ID);
      }
      const at = (sub: string) => (side: Side) => `/queries/${ids.get(side.name)}${sub}`;
      for (
        const sub of [
          "/query",
          "/level",
          "/modality",
          "/answers",
          "/answers?expand",
          "/answers?expand&simplify",
          "/answers?expand&short",
          "/answers/0/content?simplify",
        ]
      ) {
        if (sub === "/level" || sub === "/modality") continue; // plain text, checked below
        await same("GET", at(sub));
      }
    }
  });

  test("refused queries", async () => {
    for (
      const body of [
        "not json",
        "[]",
        '{"Query": {}}',
        '{"Level": "Foo", "Query": {}}',
        '{"Level": "Study", "Query": []}',
        '{"Level": "Study", "Query": {"PatientName": 5}}',
        '{"Level": "Study", "Query": {"NoSuchTag": "x"}}',
        '{"Level": "Study", "Query": {"StudyInstanceUID": "1.2*"}}',
      ]
    ) await same("POST", () => "/modalities/peer/query", body);
  });

  test("the deprecated find-patient, find-study, find-series, find-instance", async () => {
    for (
      const [path, body] of [
        ["find-patient", "{}"],
        ["find-patient", "not json"],
        ["find-patient", ""],
        ["find-patient", '{"PatientName": "BRAINIX", "StudyDescription": "x"}'],
        ["find-study", '{"PatientName": "BRAINIX"}'],
        ["find-study", '{"PatientID": "5Yp0E"}'],
        ["find-series", '{"PatientID": "5Yp0E"}'],
        ["find-series", `{"PatientID": "5Yp0E", "StudyInstanceUID": "${FLAIR_STUDY}"}`],
        [
          "find-instance",
          `{"PatientID": "5Yp0E", "StudyInstanceUID": "${FLAIR_STUDY}", "SeriesInstanceUID": "${FLAIR_SERIES}", "Modality": "MR"}`,
        ],
      ]
    ) await same("POST", () => `/modalities/peer/${path}`, body);
  });

  test("the deprecated hierarchical find: patients, their studies, their series", async () => {
    for (
      const body of [
        "{}",
        '{"PatientName": "BRAINIX"}',
        '{"PatientID": "5Yp0E", "Modality": "MR", "SeriesDescription": "*FLAIR*"}',
        '{"StudyDescription": "nothing like it"}',
        "[]",
        "not json",
        "",
      ]
    ) await same("POST", () => "/modalities/peer/find", body);
  });

  test("/modalities/{id}/move answers {} at once; its refusals", async () => {
    const study = `{"StudyInstanceUID": "${FLAIR_STUDY}"}`;
    for (
      const body of [
        `{"Level": "Study", "Resources": [${study}]}`,
        `{"Level": "Study", "Resources": [${study}], "Synchronous": false}`,
        `{"Level": "Study", "Resources": [${study}], "Asynchronous": true}`,
        '{"Level": "Study", "Resources": [{"StudyInstanceUID": "1.2.3"}]}',
        '{"Level": "Study", "Resources": ["x"]}',
        '{"Level": "Study"}',
        "not json",
      ]
    ) await same("POST", () => "/modalities/peer/move", body);
  });

  test("/queries/{id}/retrieve and /answers/{n}/retrieve", async () => {
    const ids = new Map<string, string>();
    const body = JSON.stringify({ Level: "Study", Query: { PatientID: "5Yp0E" } });
    for (const side of sides) {
      const r = await fetch(`${side.url}/modalities/peer/query`, { method: "POST", body });
      ids.set(side.name, (await r.json()).ID);
    }
    for (
      const [sub, retrieve] of [
        ["/retrieve", ""],
        ["/retrieve", '{"Synchronous": true}'],
        ["/answers/0/retrieve", "{}"],
        ["/retrieve", '{"Asynchronous": true}'],
        ["/answers/0/retrieve", '{"Synchronous": false}'],
      ]
    ) {
      await same("POST", (side) => `/queries/${ids.get(side.name)}${sub}`, retrieve);
    }
  });
});

describe.skipIf(!hasOrthanc)("DCMTK tools against each server, as Orthanc", () => {
  test("getscu: each instance written on the SCU side, transcoded when needed", async () => {
    for (
      const keys of [["QueryRetrieveLevel=SERIES", `SeriesInstanceUID=${FLAIR_SERIES}`], [
        "QueryRetrieveLevel=IMAGE",
        `SOPInstanceUID=${BIG_ENDIAN_UID}`,
      ]]
    ) {
      const results = [];
      for (const side of sides) {
        const dir = mkdtempSync(join(tmpdir(), "pharos-getscu-"));
        try {
          const r = await dcmtk([
            "getscu",
            "-v",
            "-aet",
            "NETSCU",
            "-aec",
            side.aet,
            "-od",
            dir,
            ...keys.flatMap((k) => ["-k", k]),
            "127.0.0.1",
            String(side.dicomPort),
          ]);
          const files = readdirSync(dir).sort();
          const syntaxes = [];
          for (const f of files) {
            syntaxes.push((await dcmtk(["dcmdump", "-M", "+P", "0002,0010", join(dir, f)])).out);
          }
          results.push({
            files,
            syntaxes,
            responses: r.out.split("\n").filter((l) => l.includes("C-GET Response")),
          });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      expect(results[0]!.files.length).toBeGreaterThan(0);
      expect(results[0]).toEqual(results[1]!);
    }
  }, 60_000);

  test("movescu: how the identifier designates what is sent", async () => {
    for (
      const keys of [
        ["QueryRetrieveLevel=STUDY", `StudyInstanceUID=${FLAIR_STUDY}`],
        ["QueryRetrieveLevel=STUDY", "AccessionNumber=SMS000013"],
        [
          "QueryRetrieveLevel=STUDY",
          "AccessionNumber=SMS000013",
          `StudyInstanceUID=${FLAIR_STUDY}`,
        ],
        ["QueryRetrieveLevel=STUDY", `StudyInstanceUID=${FLAIR_STUDY}\\1.2.3.4`],
        ["QueryRetrieveLevel=STUDY", `StudyInstanceUID=${FLAIR_STUDY}*`],
        [`StudyInstanceUID=${FLAIR_STUDY}`],
        ["QueryRetrieveLevel=STUDY", "StudyInstanceUID=1.2.3.4"],
      ]
    ) {
      const results = [];
      for (const side of sides) {
        for (const f of side.moveScp.files()) rmSync(f);
        const r = await dcmtk([
          "movescu",
          "-v",
          "-S",
          "-aet",
          "NETSCU",
          "-aem",
          "MOVESCP",
          "-aec",
          side.aet,
          ...keys.flatMap((k) => ["-k", k]),
          "127.0.0.1",
          String(side.dicomPort),
        ]);
        results.push({
          keys,
          final: r.out.split("\n").find((l) => l.includes("Final Move Response")),
          files: side.moveScp.files().map((f) => f.split("/").pop()).sort(),
        });
      }
      expect(results[0]).toEqual(results[1]!);
    }
  }, 60_000);

  test('findscu: "*" needs the tag, wildcards only on the VRs that allow them', async () => {
    for (
      const keys of [
        ["QueryRetrieveLevel=STUDY", "StudyDescription=*", "StudyInstanceUID"],
        ["QueryRetrieveLevel=STUDY", "PatientSex=*", "StudyInstanceUID"],
        ["QueryRetrieveLevel=STUDY", "StudyInstanceUID=1.2*"],
        ["QueryRetrieveLevel=STUDY", "StudyDate=2006*", "StudyInstanceUID"],
      ]
    ) {
      const results = [];
      for (const side of sides) {
        const r = await dcmtk([
          "findscu",
          "-v",
          "-S",
          "-aet",
          "NETSCU",
          "-aec",
          side.aet,
          ...keys.flatMap((k) => ["-k", k]),
          "127.0.0.1",
          String(side.dicomPort),
        ]);
        const lines = r.out.split("\n");
        results.push({
          keys,
          answers: lines.filter((l) => /Find Response: \d+ \(Pending\)/.test(l)).length,
          final: lines.find((l) => l.includes("Final Find Response")) ?? "",
        });
      }
      expect(results[0]).toEqual(results[1]!);
    }
  }, 60_000);

  test("storescu: the received instance carries Orthanc's metadata entries", async () => {
    const file = join(samplesDir, "Brainix/Flair/IM-0001-0003.dcm");
    const uid = /\[([0-9.]+)\0?\]/.exec(
      (await dcmtk(["dcmdump", "+P", "0008,0018", file])).out,
    )![1]!;
    const keys = [];
    for (const side of sides) {
      const r = await dcmtk([
        "storescu",
        "-aet",
        "NETSCU",
        "-aec",
        side.aet,
        "127.0.0.1",
        String(side.dicomPort),
        file,
      ]);
      expect(r.code).toBe(0);
      const [found] = await (await fetch(`${side.url}/tools/lookup`, {
        method: "POST",
        body: uid,
      })).json();
      const meta = await (await fetch(`${side.url}/instances/${found.ID}/metadata?expand`)).json();
      keys.push(Object.keys(meta).sort());
    }
    expect(keys[0]!.length).toBe(9);
    expect(keys[0]).toEqual(keys[1]!);
  });
});
