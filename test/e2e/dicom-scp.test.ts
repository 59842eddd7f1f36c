// Pharos as DICOM SCP, driven by the real DCMTK tools: C-ECHO, C-STORE (byte-exact), C-FIND,
// C-MOVE, C-GET, the association policy, and faulty peers.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { datasetOf, dcmtk, fileDataset, startStoreScp, type StoreScp } from "../support/dimse.ts";
import { RawAssociation, statusOf } from "../support/raw-dimse.ts";
import { startInProcess } from "../support/in-process.ts";
import { freePort, samplesDir, type TestServer } from "../support/server.ts";

const FLAIR = join(samplesDir, "Brainix/Flair");
const FLAIR_STUDY = "2.16.840.1.113669.632.20.1211.10000357775";
const FLAIR_SERIES = "1.3.46.670589.11.0.0.11.4.2.0.8743.5.5396.2006120114285654497";
const DUMMY_CT = join(samplesDir, "DummyCT.dcm");

let pharos: TestServer;
let dicomPort: number;
let storescp: StoreScp;

beforeAll(async () => {
  storescp = await startStoreScp("STORESCP");
  dicomPort = freePort();
  pharos = await startInProcess({
    config: {
      DicomPort: dicomPort,
      DicomAet: "PHAROS",
      DicomScpTimeout: 2,
      LimitFindResults: 1,
      LogExportedResources: true,
      DicomModalities: {
        storescp: ["STORESCP", "127.0.0.1", storescp.port],
        reader: { AET: "READER", Host: "127.0.0.1", Port: 1, AllowFind: true, AllowMove: false },
        nofind: { AET: "NOFIND", Host: "127.0.0.1", Port: 1, AllowFind: false },
      },
    },
  });
});
afterAll(async () => {
  await pharos?.stop();
  await storescp?.stop();
});

const port = () => String(dicomPort);
const json = async (path: string) => (await fetch(`${pharos.url}${path}`)).json();

describe("C-ECHO and C-STORE", () => {
  test("echoscu", async () => {
    const r = await dcmtk(["echoscu", "-v", "-aec", "PHAROS", "127.0.0.1", port()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Received Echo Response (Success)");
  });

  test("storescu stores a series in one association, byte for byte as sent", async () => {
    const r = await dcmtk([
      "storescu",
      "-aet",
      "MODALITY",
      "-aec",
      "PHAROS",
      "+sd",
      "127.0.0.1",
      port(),
      FLAIR,
    ]);
    expect(r.code).toBe(0);
    const stats = await json("/statistics");
    expect(stats.CountInstances).toBe(22);
    // The same sender to storescp in bit-preserving mode shows the bytes that travel.
    const file = join(FLAIR, "IM-0001-0001.dcm");
    const s = await dcmtk([
      "storescu",
      "-aec",
      "STORESCP",
      "127.0.0.1",
      String(storescp.port),
      file,
    ]);
    expect(s.code).toBe(0);
    const sent = fileDataset(storescp.files()[0]!);
    const uid = /\[([0-9.]+)\0?\]/.exec(
      (await dcmtk(["dcmdump", "+P", "0008,0018", storescp.files()[0]!])).out,
    )![1]!;
    const [found] = await (await fetch(`${pharos.url}/tools/lookup`, {
      method: "POST",
      body: uid,
    })).json();
    const stored = new Uint8Array(
      await (await fetch(`${pharos.url}/instances/${found.ID}/file`)).arrayBuffer(),
    );
    expect(Buffer.compare(datasetOf(stored), sent)).toBe(0);
    const meta = await json(`/instances/${found.ID}/metadata?expand`);
    expect(meta.Origin).toBe("DicomProtocol");
    expect(meta.RemoteAET).toBe("MODALITY");
    expect(meta.CalledAET).toBe("PHAROS");
    expect(meta.RemoteIP).toBe("127.0.0.1");
    const dump = await dcmdumpOf(stored);
    expect(dump).toContain("(0002,0016) AE [MODALITY]");
    // Hashed while it arrived, meta header first: the MD5 of the file as stored.
    const md5 = await (await fetch(`${pharos.url}/instances/${found.ID}/attachments/dicom/md5`))
      .text();
    expect(md5).toBe(createHash("md5").update(stored).digest("hex"));
    rmSync(storescp.files()[0]!);
  });

  test("a second study over C-STORE", async () => {
    const r = await dcmtk(["storescu", "-aec", "PHAROS", "127.0.0.1", port(), DUMMY_CT]);
    expect(r.code).toBe(0);
    expect((await json("/statistics")).CountStudies).toBe(2);
  });
});

async function dcmdumpOf(bytes: Uint8Array): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "pharos-dump-"));
  const path = join(dir, "f.dcm");
  await Bun.write(path, bytes);
  const r = await dcmtk(["dcmdump", path]);
  rmSync(dir, { recursive: true, force: true });
  return r.out;
}

describe("C-FIND", () => {
  const find = (aet: string, keys: string[], model = "-S") =>
    dcmtk([
      "findscu",
      "-v",
      "-aet",
      aet,
      "-aec",
      "PHAROS",
      model,
      ...keys.flatMap((k) => ["-k", k]),
      "127.0.0.1",
      port(),
    ]);

  test("series level: requested attributes, charset, retrieve AET", async () => {
    const r = await find("READER", [
      "QueryRetrieveLevel=SERIES",
      `StudyInstanceUID=${FLAIR_STUDY}`,
      "SeriesInstanceUID",
      "Modality",
      "NumberOfSeriesRelatedInstances",
      "PatientID",
      "StudyDate",
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("(0008,0005) CS [ISO_IR 100]");
    expect(r.out).toContain("(0008,0054) AE [PHAROS]");
    expect(r.out).toContain("(0008,0060) CS [MR]");
    expect(r.out).toContain("(0008,0020) DA [20061201]");
    expect(r.out).toContain(`(0020,000e) UI [${FLAIR_SERIES}`);
    expect(r.out).toContain("(0020,1209) IS [22]");
    expect(r.out).toContain("Received Final Find Response (Success)");
  });

  test("patient root, case-insensitive wildcard on PN", async () => {
    const r = await find("READER", [
      "QueryRetrieveLevel=PATIENT",
      "PatientName=b*",
      "PatientID",
      "NumberOfPatientRelatedStudies",
    ], "-P");
    expect(r.out).toContain("(0010,0010) PN [BRAINIX ]");
    expect(r.out).toContain("(0020,1200) IS [1 ]");
    expect(r.out.match(/Find Response: \d+ \(Pending\)/g)?.length).toBe(1);
  });

  test("constraints on tags the index does not keep are checked in the files", async () => {
    const match = await find("READER", [
      "QueryRetrieveLevel=SERIES",
      "Rows=288",
      "SeriesInstanceUID",
    ]);
    expect(match.out).toContain(`(0020,000e) UI [${FLAIR_SERIES}`);
    const none = await find("READER", [
      "QueryRetrieveLevel=SERIES",
      "Rows=12345",
      "SeriesInstanceUID",
    ]);
    expect(none.out.match(/Find Response: \d+ \(Pending\)/g)).toBeNull();
  });

  test("LimitFindResults ends with Cancel status, as Orthanc does", async () => {
    const r = await find("READER", ["QueryRetrieveLevel=STUDY", "PatientName"]);
    expect(r.out.match(/Find Response: \d+ \(Pending\)/g)?.length).toBe(1);
    expect(r.out).toContain("MatchingTerminatedDueToCancelRequest");
  });

  test("unknown AET and a modality without AllowFind are aborted; the server keeps serving", async () => {
    for (const aet of ["STRANGER", "NOFIND"]) {
      const r = await find(aet, ["QueryRetrieveLevel=STUDY", "PatientName"]);
      expect(r.out).toContain("Peer aborted Association");
      expect(r.out).not.toContain("Pending");
    }
    expect(
      (await dcmtk(["echoscu", "-aet", "STRANGER", "-aec", "PHAROS", "127.0.0.1", port()])).code,
    )
      .toBe(0);
  });
});

describe("C-MOVE and C-GET", () => {
  test("movescu to a declared modality sends the stored bytes", async () => {
    const r = await dcmtk([
      "movescu",
      "-v",
      "-aet",
      "STORESCP",
      "-aem",
      "STORESCP",
      "-aec",
      "PHAROS",
      "-S",
      "-k",
      "QueryRetrieveLevel=SERIES",
      "-k",
      `StudyInstanceUID=${FLAIR_STUDY}`,
      "-k",
      `SeriesInstanceUID=${FLAIR_SERIES}`,
      "127.0.0.1",
      port(),
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Received Final Move Response (Success)");
    const received = storescp.files();
    expect(received.length).toBe(22);
    // Compare one with what Pharos stores.
    const ids: string[] = await json("/instances");
    const stored = new Set<string>();
    for (const id of ids) {
      const bytes = new Uint8Array(
        await (await fetch(`${pharos.url}/instances/${id}/file`)).arrayBuffer(),
      );
      stored.add(Buffer.from(datasetOf(bytes)).toString("base64"));
    }
    for (const f of received) {
      expect(stored.has(Buffer.from(fileDataset(f)).toString("base64"))).toBe(true);
    }
    // Orthanc logs the exports a REST store asks for, never the instances a C-MOVE sends.
    expect(await json("/exports")).toEqual({ Done: true, Exports: [], Last: 0 });
  }, 60000);

  test("unknown destination and a modality without AllowMove", async () => {
    const unknown = await dcmtk([
      "movescu",
      "-aet",
      "STORESCP",
      "-aem",
      "NOWHERE",
      "-aec",
      "PHAROS",
      "-S",
      "-k",
      "QueryRetrieveLevel=STUDY",
      "-k",
      `StudyInstanceUID=${FLAIR_STUDY}`,
      "127.0.0.1",
      port(),
    ]);
    expect(unknown.out).toContain("MoveDestinationUnknown");
    const refused = await dcmtk([
      "movescu",
      "-aet",
      "READER",
      "-aem",
      "STORESCP",
      "-aec",
      "PHAROS",
      "-S",
      "-k",
      "QueryRetrieveLevel=STUDY",
      "-k",
      `StudyInstanceUID=${FLAIR_STUDY}`,
      "127.0.0.1",
      port(),
    ]);
    expect(refused.out).not.toContain("Move Response");
  });

  test("getscu retrieves a series on the same association", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pharos-getscu-"));
    try {
      const r = await dcmtk([
        "getscu",
        "-v",
        "-aet",
        "STORESCP",
        "-aec",
        "PHAROS",
        "-S",
        "-od",
        dir,
        "-k",
        "QueryRetrieveLevel=SERIES",
        "-k",
        `StudyInstanceUID=${FLAIR_STUDY}`,
        "-k",
        `SeriesInstanceUID=${FLAIR_SERIES}`,
        "127.0.0.1",
        port(),
      ]);
      expect(r.code).toBe(0);
      expect(r.out).toContain("Number of Failed Suboperations    : 0");
      expect(readdirSync(dir).length).toBe(22);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});

describe("faulty peers", () => {
  const CT = "1.2.840.10008.5.1.4.1.1.2";
  const header = (type: number, length: number) => {
    const out = new Uint8Array(6);
    out[0] = type;
    new DataView(out.buffer).setUint32(2, length, false);
    return out;
  };
  /** The A-ABORT Pharos answers a malformed stream with, and the connection it closes. */
  async function expectAbort(a: RawAssociation, reason: number): Promise<void> {
    const answer = await a.nextPdu();
    expect(answer?.type).toBe(7);
    expect([...answer!.body]).toEqual([0, 0, 2, reason]);
    expect(await a.closedBy()).toBe(true);
  }

  test("a 4 GiB PDU, P-DATA before association, an oversized P-DATA or an unknown PDU: A-ABORT at once", async () => {
    const before = await RawAssociation.open(dicomPort);
    before.raw(header(0x04, 0xffffffff));
    await expectAbort(before, 2);
    const huge = await RawAssociation.open(dicomPort);
    huge.raw(header(0x01, 0xffffffff));
    await expectAbort(huge, 6);
    const oversized = await startStore();
    oversized.raw(header(0x04, 16385));
    await expectAbort(oversized, 6);
    const unknown = await startStore();
    unknown.raw(header(0x0a, 4));
    await expectAbort(unknown, 1);
    expect((await dcmtk(["echoscu", "-aec", "PHAROS", "127.0.0.1", port()])).code).toBe(0);
  });

  test("200 silent connections do not keep a real peer from being served", async () => {
    const silent = await Promise.all(
      Array.from({ length: 200 }, () => RawAssociation.open(dicomPort)),
    );
    try {
      expect((await dcmtk(["echoscu", "-aec", "PHAROS", "127.0.0.1", port()])).code).toBe(0);
    } finally {
      for (const s of silent) s.destroy();
    }
  });

  async function startStore(): Promise<RawAssociation> {
    const a = await RawAssociation.open(dicomPort);
    a.associate(CT);
    const ac = await a.nextPdu();
    expect(ac?.type).toBe(2);
    return a;
  }

  test("an association aborted mid-transfer stores nothing", async () => {
    const before = (await json("/statistics")).CountInstances;
    const a = await startStore();
    a.pdv(a.storeCommand(CT, "1.2.3.4.5.6.1"), true, true);
    a.pdv(
      new Uint8Array(
        datasetOf(new Uint8Array(await Bun.file(DUMMY_CT).arrayBuffer())).subarray(0, 300),
      ),
      false,
      false,
    );
    a.abort();
    await Bun.sleep(300);
    a.destroy();
    expect((await json("/statistics")).CountInstances).toBe(before);
    expect((await dcmtk(["echoscu", "-aec", "PHAROS", "127.0.0.1", port()])).code).toBe(0);
  });

  test("a malformed dataset gets a failure status and nothing is stored", async () => {
    const before = (await json("/statistics")).CountInstances;
    const a = await startStore();
    a.pdv(a.storeCommand(CT, "1.2.3.4.5.6.2"), true, true);
    a.pdv(new Uint8Array([0x08, 0x00, 0x18, 0x00, 0xff, 0xff, 0x00, 0x10, 1, 2, 3]), false, true);
    const response = await a.nextPdu();
    expect(response?.type).toBe(4);
    const status = statusOf(response!.body)!;
    expect(status === 0xc000 || status === 0xa700).toBe(true);
    a.release();
    a.destroy();
    expect((await json("/statistics")).CountInstances).toBe(before);
  });

  test("a C-STORE on a presentation context never proposed ends the association", async () => {
    const before = (await json("/statistics")).CountInstances;
    const a = await startStore();
    a.pdv(a.storeCommand(CT, "1.2.3.4.5.6.4"), true, true, 99);
    a.pdv(new Uint8Array(200), false, true, 99);
    const next = await a.nextPdu(5000);
    // An A-ABORT (7) or the connection closed, never a C-STORE-RSP.
    expect(next === undefined || next.type === 7).toBe(true);
    a.destroy();
    expect((await json("/statistics")).CountInstances).toBe(before);
    expect((await dcmtk(["echoscu", "-aec", "PHAROS", "127.0.0.1", port()])).code).toBe(0);
  });

  test("a sender that never finishes is aborted after DicomScpTimeout", async () => {
    const a = await startStore();
    a.pdv(a.storeCommand(CT, "1.2.3.4.5.6.3"), true, true);
    a.pdv(new Uint8Array(200), false, false);
    const started = Date.now();
    const next = await a.nextPdu(10000);
    // An A-ABORT (7) or the connection closed.
    expect(next === undefined || next.type === 7).toBe(true);
    expect(Date.now() - started).toBeLessThan(9000);
    a.destroy();
    expect((await dcmtk(["echoscu", "-aec", "PHAROS", "127.0.0.1", port()])).code).toBe(0);
  }, 20000);

  test("DicomCheckCalledAet refuses another called AET", async () => {
    const p = freePort();
    const server = await startInProcess({
      config: { DicomPort: p, DicomAet: "PHAROS", DicomCheckCalledAet: true },
    });
    try {
      const bad = await dcmtk(["echoscu", "-aec", "OTHER", "127.0.0.1", String(p)]);
      expect(bad.code).not.toBe(0);
      expect(bad.out).toContain("Called AE Title Not Recognized");
      expect((await dcmtk(["echoscu", "-aec", "PHAROS", "127.0.0.1", String(p)])).code).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
