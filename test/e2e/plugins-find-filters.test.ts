// The plugins' find filters (test/plugins/find-rewriter.ts), in-process and in a worker: findscu's
// query and worklist query are rewritten before the SCP answers them, and the query
// POST /modalities/{id}/query sends is rewritten before it leaves (then, sent to Pharos itself,
// rewritten again on arrival).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { dcmtk } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { freePort, samplesDir, upload } from "../support/server.ts";

const rewriter = resolve(import.meta.dir, "../plugins/find-rewriter.ts");

const WORKLIST = `(0008,0005) CS [ISO_IR 100]
(0010,0010) PN [DOE^JANE]
(0010,0020) LO [WL002]
`;

/** The values of a tag in the answers of findscu's verbose output. */
function answered(out: string, tag: string): string[] {
  const start = out.indexOf("Find Response");
  const re = new RegExp(`\\(${tag}\\) [A-Z]{2} \\[([^\\]]*)\\]`, "g");
  return [...(start < 0 ? "" : out.slice(start)).matchAll(re)].map((m) => m[1]!.trim());
}

for (const mode of ["InProcess", "Worker"]) {
  describe(`find filters of a plugin (${mode})`, () => {
    let server: InProcessServer;
    let dicomPort: number;
    const dir = mkdtempSync(join(tmpdir(), "pharos-find-filters-"));

    beforeAll(async () => {
      const database = join(dir, "worklists");
      mkdirSync(database);
      writeFileSync(join(dir, "wl.dump"), WORKLIST);
      const made = await dcmtk(["dump2dcm", "-g", join(dir, "wl.dump"), join(database, "a.wl")]);
      expect(made.code).toBe(0);
      dicomPort = freePort();
      server = await startInProcess({
        config: {
          DicomAet: "PHAROS",
          DicomPort: dicomPort,
          Plugins: [rewriter],
          PluginsIsolation: { "find-rewriter": mode },
          Worklists: { Enable: true, Database: database },
          DicomModalities: {
            self: ["PHAROS", "127.0.0.1", dicomPort],
            findscu: ["FINDSCU", "127.0.0.1", 1],
          },
        },
      });
      const stored = await upload(server.url, join(samplesDir, "Brainix/Flair/IM-0001-0001.dcm"));
      expect(stored.status).toBe(200);
    }, 60000);
    afterAll(async () => {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const findscu = (args: string[], keys: string[]) =>
      dcmtk([
        "findscu",
        "-v",
        ...args,
        "-aec",
        "PHAROS",
        ...keys.flatMap((k) => ["-k", k]),
        "127.0.0.1",
        String(dicomPort),
      ]);

    test("a C-FIND and a worklist C-FIND answer the rewritten query", async () => {
      const study = await findscu(["-S"], [
        "QueryRetrieveLevel=STUDY",
        "PatientName=ALIAS",
        "PatientID",
      ]);
      expect(answered(study.out, "0010,0020")).toEqual(["5Yp0E"]);
      const worklist = await findscu(["-W"], ["PatientName=ALIAS", "PatientID"]);
      expect(answered(worklist.out, "0010,0020")).toEqual(["WL002"]);
      const plain = await findscu(["-S"], ["QueryRetrieveLevel=STUDY", "PatientName=OTHER"]);
      expect(plain.out).toContain("Final Find Response (Success)");
      expect(answered(plain.out, "0010,0020")).toEqual([]);
    });

    test("the query sent to a modality is rewritten before it leaves", async () => {
      const r = await fetch(`${server.url}/modalities/self/query`, {
        method: "POST",
        body: JSON.stringify({ Level: "Study", Query: { PatientName: "OUT-ALIAS" } }),
      });
      const { ID } = await r.json() as { ID: string };
      const answers = await (await fetch(`${server.url}/queries/${ID}/answers?expand&simplify`))
        .json() as Record<string, string>[];
      expect(answers.map((a) => a.PatientID)).toEqual(["5Yp0E"]);
      const origins = await (await fetch(`${server.url}/find-rewriter/origins`)).json();
      expect(origins).toContain("PHAROS");
      expect(origins).toContainEqual({
        remoteIp: "127.0.0.1",
        remoteAet: "FINDSCU",
        calledAet: "PHAROS",
        manufacturer: "Generic",
      });
    });
  });
}
