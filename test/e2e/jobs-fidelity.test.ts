// The job JSON of Pharos beside a real Orthanc 1.10.1 for the same jobs: a send to storescp, a
// send to a modality nobody answers and to one that refuses associations (Orthanc fails them at
// once, no Retry), a study modified and anonymized as jobs. Keys, their order, the Content of
// each type and the errors must be the same; only the ids each server draws and the times are
// masked. And the answers of synchronous sends that cannot start or cannot reach their peer, and
// the changes a modify logs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import {
  dcmtk,
  DCMTK_ENV,
  hasOrthanc,
  type RunningOrthanc,
  startOrthanc,
  startStoreScp,
} from "../support/dimse.ts";
import type { StoreScp } from "../support/dimse.ts";
import { startInProcess } from "../support/in-process.ts";
import { freePort, sampleFiles, type TestServer, waitFor } from "../support/server.ts";

const MASKED = ["ID", "CreationTime", "CompletionTime", "Timestamp", "EffectiveRuntime"];
const MASKED_CONTENT = ["ID", "Path", "PatientID"];

describe.skipIf(!hasOrthanc)("job JSON beside Orthanc 1.10.1", () => {
  let scp: StoreScp;
  let refusing: Subprocess;
  let orthanc: RunningOrthanc;
  let pharos: TestServer;

  beforeAll(async () => {
    scp = await startStoreScp("STORESCP");
    // storescp --refuse rejects every association.
    const refusingPort = freePort();
    refusing = Bun.spawn(["storescp", "--refuse", String(refusingPort)], {
      stdout: "ignore",
      stderr: "ignore",
      env: DCMTK_ENV,
    });
    await waitFor(async () => {
      const echo = await dcmtk(["echoscu", "127.0.0.1", String(refusingPort)]);
      return echo.out.includes("Association Rejected");
    }, "storescp --refuse");
    const modalities = {
      scp: ["STORESCP", "127.0.0.1", scp.port],
      refusing: ["REFUSING", "127.0.0.1", refusingPort],
      // Nothing listens on port 1: the connection is refused.
      dead: ["DEAD", "127.0.0.1", 1],
    };
    orthanc = await startOrthanc("ORTHANC", { DicomModalities: modalities });
    pharos = await startInProcess({ config: { DicomModalities: modalities } });
    for (const file of (await sampleFiles("Brainix/Flair")).slice(0, 3)) {
      for (const url of [orthanc.url, pharos.url]) {
        const res = await fetch(`${url}/instances`, { method: "POST", body: Bun.file(file) });
        expect(res.status).toBe(200);
      }
    }
  }, 60_000);
  afterAll(async () => {
    await pharos?.stop();
    await orthanc?.stop();
    await scp?.stop();
    refusing?.kill();
    await refusing?.exited;
  });

  /** Runs a job on a server until it is over; its JSON with the ids and times masked. */
  async function finished(url: string, path: string, body: object) {
    const res = await fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const { ID } = await res.json();
    // deno-lint-ignore no-explicit-any
    let job: any;
    await waitFor(async () => {
      job = await (await fetch(`${url}/jobs/${ID}`)).json();
      return job.State === "Success" || job.State === "Failure";
    }, `job ${ID} over`);
    const mask = (o: Record<string, unknown>, keys: string[]) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, keys.includes(k) ? "*" : v]));
    return { ...mask(job, MASKED), Content: mask(job.Content, MASKED_CONTENT) };
  }

  /** The same job on both servers, on the study each holds (the same files). */
  async function both(request: (study: string) => [string, object]) {
    const [expected, actual] = await Promise.all([orthanc.url, pharos.url].map(async (url) => {
      const [study] = await (await fetch(`${url}/studies`)).json();
      return finished(url, ...request(study));
    }));
    expect(Object.keys(actual!)).toEqual(Object.keys(expected!));
    expect(Object.keys(actual!.Content)).toEqual(Object.keys(expected!.Content));
    expect(actual).toEqual(expected!);
  }

  test("a send to storescp, to a modality nobody answers, to one that refuses", async () => {
    for (const modality of ["scp", "dead", "refusing"]) {
      await both((study) => [
        `/modalities/${modality}/store`,
        { Resources: [study], Asynchronous: true },
      ]);
    }
  }, 30_000);

  test("synchronous sends: bad resources, refused, permissive answer as Orthanc's", async () => {
    const unknown = "27f7126f-4f66fb14-03f4081b-f9341db2-00000000";
    const bodies = (study: string) => [
      JSON.stringify({ Resources: [unknown] }),
      JSON.stringify({ Resources: [5] }),
      JSON.stringify({ Resources: ["nope"] }),
      "nope",
      unknown,
      JSON.stringify({ Resources: [study] }),
      JSON.stringify({ Resources: [study], Permissive: true }),
    ];
    const answers = await Promise.all([orthanc.url, pharos.url].map(async (url) => {
      const [study] = await (await fetch(`${url}/studies`)).json();
      const out = [];
      for (const body of bodies(study)) {
        const res = await fetch(`${url}/modalities/dead/store`, { method: "POST", body });
        out.push({ status: res.status, body: await res.json() });
      }
      return out;
    }));
    expect(answers[1]).toEqual(answers[0]!);
  }, 30_000);

  test(
    "an echo and a query to a peer that cannot be reached or refuses, as Orthanc's",
    async () => {
      const requests: [string, string][] = [];
      for (const modality of ["dead", "refusing"]) {
        requests.push([`/modalities/${modality}/echo`, "{}"]);
        requests.push([`/modalities/${modality}/query`, '{"Level":"Study","Query":{}}']);
      }
      const answers = await Promise.all([orthanc.url, pharos.url].map(async (url) => {
        const out = [];
        for (const [path, body] of requests) {
          const res = await fetch(`${url}${path}`, { method: "POST", body });
          out.push({ status: res.status, body: await res.json() });
        }
        return out;
      }));
      expect(answers[1]).toEqual(answers[0]!);
    },
    30_000,
  );

  test("a study modified, then anonymized, as jobs", async () => {
    await both((study) => [`/studies/${study}/modify`, {
      Replace: { StudyDescription: "Job" },
      Asynchronous: true,
    }]);
    await both((study) => [`/studies/${study}/anonymize`, { Asynchronous: true }]);
  }, 30_000);

  test("a modify logs the same changes, its origin written with the copies", async () => {
    const seen = await Promise.all([orthanc.url, pharos.url].map(async (url) => {
      const [study] = await (await fetch(`${url}/studies`)).json();
      const { Last } = await (await fetch(`${url}/changes?last`)).json();
      const res = await fetch(`${url}/studies/${study}/modify`, {
        method: "POST",
        body: JSON.stringify({ Replace: { StudyDescription: "Changes" } }),
      });
      const copy = (await res.json()).ID;
      const { Changes } = await (await fetch(`${url}/changes?since=${Last}&limit=100`)).json();
      const metadata = await (await fetch(`${url}/studies/${copy}/metadata?expand`)).json();
      return {
        // deno-lint-ignore no-explicit-any
        changes: Changes.map((c: any) => `${c.ChangeType} ${c.ResourceType}`),
        origin: metadata.ModifiedFrom === study,
        metadata: Object.keys(metadata).sort(),
      };
    }));
    expect(seen[1]).toEqual(seen[0]!);
    expect(seen[0]!.origin).toBe(true);
  }, 30_000);
});
