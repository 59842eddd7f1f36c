// A test plugin answering the DICOM SCP itself (host.dimse): C-FIND for PatientID "PLUGIN"
// (others go on to the server), every worklist query, study-level C-MOVEs (it sends the study's
// instances through the REST API, one per sub-operation; series-level ones go on to the server),
// and storage commitment (a SOP instance UID ending in ".9" is refused with 0x0119). What it was
// asked is listed at /scp/asked.
import type { PharosPlugin } from "../../src/plugins/pharos-plugin.d.ts";

const asked: unknown[] = [];

const plugin: PharosPlugin = {
  name: "scp",
  initialize(host) {
    host.dimse.onFind(({ association, level, query }) => {
      asked.push({ kind: "find", level, query });
      if (query.PatientID === "THROW") throw new Error("scp: C-FIND handler throws on purpose");
      if (query.PatientID !== "PLUGIN") return undefined;
      return [1, 2].map((n) => ({
        QueryRetrieveLevel: level,
        PatientID: "PLUGIN",
        PatientName: "Plugin^Änswer",
        StudyInstanceUID: `1.2.826.0.1.3680043.2.1143.9.${n}`,
        StudyDescription: association.callingAet,
      }));
    });
    host.dimse.onWorklist(({ query }) => {
      asked.push({ kind: "worklist", query });
      return [{
        PatientName: "Worklist^Patient",
        PatientID: "WL1",
        AccessionNumber: "ACC1",
        ScheduledProcedureStepSequence: [{
          Modality: "MR",
          ScheduledStationAETitle: "SCANNER",
          ScheduledProcedureStepStartDate: "20260102",
        }],
      }];
    });
    host.dimse.onMove(async ({ level, query, targetAet }) => {
      asked.push({ kind: "move", level, query, targetAet });
      if (level !== "STUDY") return undefined;
      const study = await host.lookup.study(String(query.StudyInstanceUID));
      if (!study) return { size: 0, apply: () => {} };
      const instances = await host.rest.getJson<{ ID: string }[]>(`/studies/${study}/instances`);
      const modalities = await host.rest.getJson<Record<string, { AET: string }>>(
        "/modalities?expand",
      );
      const target = Object.keys(modalities).find((id) => modalities[id]!.AET === targetAet);
      const queue = instances.map((i) => i.ID);
      return {
        size: queue.length,
        async apply() {
          const res = await host.rest.post(
            `/modalities/${target}/store`,
            JSON.stringify({ Resources: [queue.shift()], Synchronous: true }),
          );
          if (!res.ok) throw new Error(`store failed: HTTP ${res.status}`);
        },
      };
    });
    host.dimse.onStorageCommitment(({ transactionUid, references }) => {
      asked.push({ kind: "commitment", transactionUid, references });
      return references.map((r) => r.sopInstanceUid.endsWith(".9") ? 0x0119 : true);
    });
    host.rest.register("/scp/asked", () => host.answers.json(asked));
  },
};

export default plugin;
