// Plugins answering the DICOM SCP (host.dimse), in-process and in a worker, through
// test/plugins/scp.ts and DCMTK's findscu and movescu: a plugin's C-FIND answers (the others left
// to the server), worklist answers with a sequence, a study-level C-MOVE driven by the plugin (a
// series-level one left to the server), and a storage commitment judged by the plugin (Pharos
// asks itself, the report coming back to its own SCP).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { dcmtk, startStoreScp, type StoreScp } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { freePort, sampleFiles, waitFor } from "../support/server.ts";

const scpPlugin = resolve(import.meta.dir, "../plugins/scp.ts");

for (const mode of ["in-process", "in a worker"] as const) {
  describe(`a plugin answering the SCP ${mode}`, () => {
    let s: InProcessServer;
    let storescp: StoreScp;
    let dicomPort: number;
    let study: { uid: string; series: string; instances: number };
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await s.pharos.app.fetch(
        new Request(`${s.url}${path}`, {
          method,
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
      return { status: res.status, body: await res.json() };
    };
    const tool = (name: string, args: string[]) =>
      dcmtk([
        name,
        "-v",
        "-aet",
        "STORESCP",
        "-aec",
        "PHAROS",
        ...args,
        "127.0.0.1",
        String(dicomPort),
      ]);

    beforeAll(async () => {
      storescp = await startStoreScp("STORESCP");
      dicomPort = freePort();
      s = await startInProcess({
        config: {
          Plugins: [scpPlugin],
          PluginsIsolation: mode === "in a worker" ? { scp: "Worker" } : {},
          DicomPort: dicomPort,
          DicomAet: "PHAROS",
          DicomModalities: {
            storescp: ["STORESCP", "127.0.0.1", storescp.port],
            self: ["PHAROS", "127.0.0.1", dicomPort],
          },
        },
      });
      const files = (await sampleFiles("Brainix/Flair")).slice(0, 3);
      for (const f of files) {
        const res = await s.pharos.app.fetch(
          new Request(`${s.url}/instances`, { method: "POST", body: await Bun.file(f).bytes() }),
        );
        expect(res.status).toBe(200);
      }
      const [studyId] = (await api("GET", "/studies")).body as string[];
      const tags = (await api("GET", `/studies/${studyId}`)).body;
      const seriesId = tags.Series[0];
      study = {
        uid: tags.MainDicomTags.StudyInstanceUID,
        series: (await api("GET", `/series/${seriesId}`)).body.MainDicomTags.SeriesInstanceUID,
        instances: files.length,
      };
    }, 60000);
    afterAll(async () => {
      await s?.stop();
      await storescp?.stop();
    });

    test("C-FIND: the plugin's answers, and the server's for the queries it leaves", async () => {
      const mine = await tool("findscu", [
        "-S",
        "-k",
        "QueryRetrieveLevel=STUDY",
        "-k",
        "PatientID=PLUGIN",
        "-k",
        "PatientName",
        "-k",
        "StudyInstanceUID",
        "-k",
        "StudyDescription",
      ]);
      expect(mine.code).toBe(0);
      expect(mine.out).toContain("1.2.826.0.1.3680043.2.1143.9.1");
      expect(mine.out).toContain("1.2.826.0.1.3680043.2.1143.9.2");
      expect(mine.out).toContain("(0008,1030) LO [STORESCP]");
      expect(mine.out).toContain("(0008,0005) CS [ISO_IR 192]");
      expect(mine.out).toContain("Plugin^Änswer");
      const server = await tool("findscu", [
        "-S",
        "-k",
        "QueryRetrieveLevel=STUDY",
        "-k",
        "PatientID",
        "-k",
        "StudyInstanceUID",
      ]);
      expect(server.code).toBe(0);
      expect(server.out).toContain(study.uid);
      expect(server.out).not.toContain("1.2.826.0.1.3680043.2.1143.9.1");
      const failed = await tool("findscu", [
        "-S",
        "-k",
        "QueryRetrieveLevel=STUDY",
        "-k",
        "PatientID=THROW",
      ]);
      expect(failed.out).toContain("Received Final Find Response (Failed: UnableToProcess)");
      const asked = (await api("GET", "/scp/asked")).body as {
        kind: string;
        level: string;
        query: Record<string, unknown>;
      }[];
      expect(
        asked.some((a) =>
          a.kind === "find" && a.level === "STUDY" && a.query.PatientID === "PLUGIN"
        ),
      ).toBe(true);
    }, 60000);

    test(
      "worklist: the plugin answers, sequences included, without a Worklists folder",
      async () => {
        const r = await tool("findscu", [
          "-W",
          "-k",
          "PatientName",
          "-k",
          "AccessionNumber",
          "-k",
          "ScheduledProcedureStepSequence[0].Modality",
        ]);
        expect(r.code).toBe(0);
        expect(r.out).toContain("Worklist^Patient");
        expect(r.out).toContain("(0008,0050) SH [ACC1]");
        expect(r.out).toContain("(0040,0100) SQ");
        expect(r.out).toContain("(0008,0060) CS [MR]");
      },
      60000,
    );

    test("C-MOVE: a study moved by the plugin's driver, a series by the server", async () => {
      const before = storescp.files().length;
      const r = await tool("movescu", [
        "-aem",
        "STORESCP",
        "-S",
        "-k",
        "QueryRetrieveLevel=STUDY",
        "-k",
        `StudyInstanceUID=${study.uid}`,
      ]);
      expect(r.code).toBe(0);
      expect(r.out).toContain("Received Final Move Response (Success)");
      // One pending response after each sub-operation but the last.
      expect(r.out).toContain(`Received Move Response ${study.instances - 1} (Pending)`);
      expect(storescp.files().length).toBe(before + study.instances);
      const series = await tool("movescu", [
        "-aem",
        "STORESCP",
        "-S",
        "-k",
        "QueryRetrieveLevel=SERIES",
        "-k",
        `StudyInstanceUID=${study.uid}`,
        "-k",
        `SeriesInstanceUID=${study.series}`,
      ]);
      expect(series.out).toContain("Received Final Move Response (Success)");
      const asked = (await api("GET", "/scp/asked")).body as {
        kind: string;
        level: string;
        targetAet: string;
      }[];
      expect(asked.filter((a) => a.kind === "move").map((a) => [a.level, a.targetAet])).toEqual([
        ["STUDY", "STORESCP"],
        ["SERIES", "STORESCP"],
      ]);
    }, 60000);

    test("storage commitment judged by the plugin", async () => {
      const committed = { SOPClassUID: "1.2.840.10008.5.1.4.1.1.4", SOPInstanceUID: "1.2.3.4.5.1" };
      const refused = { SOPClassUID: "1.2.840.10008.5.1.4.1.1.4", SOPInstanceUID: "1.2.3.4.5.9" };
      const started = await api("POST", "/modalities/self/storage-commitment", {
        DicomInstances: [committed, refused],
      });
      expect(started.status).toBe(200);
      let report: Record<string, unknown> = {};
      await waitFor(async () => {
        report = (await api("GET", `/storage-commitment/${started.body.ID}`)).body;
        return report.Status !== "Pending";
      }, "storage commitment report");
      expect(report.Status).toBe("Failure");
      expect(report.Success).toEqual([committed]);
      expect(report.Failures).toEqual([
        { ...refused, FailureReason: 0x0119, Description: "Class / Instance conflict" },
      ]);
    }, 60000);
  });
}
