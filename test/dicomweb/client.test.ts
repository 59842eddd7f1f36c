// The DICOMweb client (/dicom-web/servers) against Orthanc 1.10.1 with its DICOMweb plugin as the
// remote server: the routes answered as a second Orthanc with the plugin answers them for the same
// servers, then QIDO, WADO-RS retrieve into Pharos and STOW-RS out of it.
import { askForComparison } from "../support/compared-answer.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type RecordingOrthanc, startRecordingOrthanc } from "../golden/orthanc.ts";
import { hasOrthanc } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir, waitFor } from "../support/server.ts";

const PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";
const ready = hasOrthanc && existsSync(PLUGIN);
const FILES = ["IM-0001-0001.dcm", "IM-0001-0002.dcm"].map((f) =>
  readFileSync(join(samplesDir, "Brainix/Flair", f))
);

let remote: RecordingOrthanc;
let oracle: RecordingOrthanc;
let pharos: InProcessServer;
let study = "";
let series = "";

beforeAll(async () => {
  if (!ready) return;
  remote = await startRecordingOrthanc({ Plugins: [PLUGIN], DicomWeb: { Enable: true } });
  for (const file of FILES) await fetch(`${remote.url}/instances`, { method: "POST", body: file });
  const servers = {
    b: [`${remote.url}/dicom-web/`],
    u: [`${remote.url}/dicom-web`, "user", "pw"],
    o: {
      Url: `${remote.url}/dicom-web/`,
      Username: "x",
      Password: "y",
      HttpHeaders: { "X-A": "1" },
      HasDelete: true,
      ChunkedTransfers: false,
      Timeout: 3,
    },
    down: ["http://127.0.0.1:1/dicom-web/"],
  };
  oracle = await startRecordingOrthanc({
    Plugins: [PLUGIN],
    DicomWeb: { Enable: true, Servers: servers },
  });
  pharos = await startInProcess({ config: { DicomWeb: { Servers: servers } } });
  const tags = await (await fetch(
    `${remote.url}/instances/${
      ((await (await fetch(`${remote.url}/instances`)).json()) as string[])[0]
    }/simplified-tags`,
  )).json() as Record<string, string>;
  study = tags.StudyInstanceUID!;
  series = tags.SeriesInstanceUID!;
});
afterAll(async () => {
  await pharos?.stop();
  await oracle?.stop();
  await remote?.stop();
});

const ask = (base: string, method: string, path: string, body?: string) =>
  askForComparison(base, method, path, body, { Connection: "close" });

describe.skipIf(!ready)("the /dicom-web/servers routes answer as the plugin's", () => {
  const requests = (): [string, string, string?][] => [
    ["GET", "/dicom-web/servers"],
    ["GET", "/dicom-web/servers?expand"],
    ["GET", "/dicom-web/servers/b"],
    ["GET", "/dicom-web/servers/o"],
    ["GET", "/dicom-web/servers/zz"],
    ["PUT", "/dicom-web/servers/n", '{"Url":"http://h/x"}'],
    ["PUT", "/dicom-web/servers/n2", '["http://h/x"]'],
    ["PUT", "/dicom-web/servers/n3", "bad"],
    ["PUT", "/dicom-web/servers/n4", '{"Username":"a"}'],
    ["GET", "/dicom-web/servers?expand"],
    ["DELETE", "/dicom-web/servers/n"],
    ["DELETE", "/dicom-web/servers/zz"],
    ["GET", "/dicom-web/servers"],
    ["POST", "/dicom-web/servers/b/stow", "bad"],
    ["POST", "/dicom-web/servers/b/stow", "{}"],
    ["POST", "/dicom-web/servers/b/stow", '{"Resources":["nope"]}'],
    ["POST", "/dicom-web/servers/b/qido", '{"Uri":"/studies"}'],
    ["POST", "/dicom-web/servers/b/qido", `{"Uri":"/studies/${study}/series"}`],
    ["POST", "/dicom-web/servers/b/qido", '{"Uri":"/studies","Arguments":{"00100010":"X*"}}'],
    ["POST", "/dicom-web/servers/b/qido", '{"Uri":"/nope"}'],
    ["POST", "/dicom-web/servers/b/qido", "{}"],
    ["POST", "/dicom-web/servers/down/qido", '{"Uri":"/studies"}'],
    ["POST", "/dicom-web/servers/b/get", `{"Uri":"/studies/${study}/metadata"}`],
    ["POST", "/dicom-web/servers/b/retrieve", '{"Resources":[{"Series":"1.2.3"}]}'],
    ["POST", "/dicom-web/servers/b/retrieve", "{}"],
    ["GET", "/dicom-web/servers/b/stow"],
    ["POST", "/dicom-web/servers/b/delete", "{}"],
    ["POST", "/dicom-web/servers/o/delete", "{}"],
    ["POST", "/dicom-web/servers/o/delete", `{"Level":"Study","StudyInstanceUID":"${study}"}`],
    ["POST", "/dicom-web/servers/o/delete", '{"Level":"Series","StudyInstanceUID":"1"}'],
    [
      "POST",
      "/dicom-web/servers/o/delete",
      '{"Level":"Instance","StudyInstanceUID":"1","SeriesInstanceUID":"2"}',
    ],
    ["POST", "/dicom-web/servers/o/delete", '{"Level":"Patient","StudyInstanceUID":"1"}'],
  ];
  // The study's UID is read once the servers run: the list is built inside each test.
  for (let i = 0; i < requests().length; i++) {
    test(`request ${i}`, async () => {
      const [method, path, body] = requests()[i]!;
      const expected = await ask(oracle.url, method, path, body);
      const actual = await ask(pharos.url, method, path, body);
      expect({ request: `${method} ${path} ${body ?? ""}`, ...actual }).toEqual({
        request: `${method} ${path} ${body ?? ""}`,
        ...expected,
      });
    });
  }
});

describe.skipIf(!ready)("with Orthanc's DICOMweb plugin as the remote server", () => {
  test("retrieve fetches the study by WADO-RS into Pharos, as the plugin does", async () => {
    const body = JSON.stringify({ Resources: [{ Study: study }] });
    const expected = await ask(oracle.url, "POST", "/dicom-web/servers/b/retrieve", body);
    const actual = await ask(pharos.url, "POST", "/dicom-web/servers/b/retrieve", body);
    expect(actual).toEqual(expected);
    expect(actual.body).toEqual({ NetworkUsageMB: "0", ReceivedInstancesCount: "2" });
    const ids = await (await fetch(`${pharos.url}/instances`)).json() as string[];
    expect(ids.sort()).toEqual(
      (await (await fetch(`${remote.url}/instances`)).json() as string[]).sort(),
    );
    const one = await ask(
      pharos.url,
      "POST",
      "/dicom-web/servers/b/retrieve",
      JSON.stringify({ Resources: [{ Study: study, Series: series }], Asynchronous: true }),
    );
    expect((one.body as { Path: string }).Path).toMatch(/^\.\.\/\.\/\.\.\/jobs\//);
  });

  test("retrieving an unknown study fails the job: the plugin's error", async () => {
    const body = JSON.stringify({ Resources: [{ Study: "1.2.3" }] });
    const answer = await ask(pharos.url, "POST", "/dicom-web/servers/b/retrieve", body);
    expect(answer).toMatchObject({ status: 500, body: { OrthancStatus: 1 } });
  });

  test("wado retrieves a URI in a job, failing as the plugin's on a metadata URI", async () => {
    const finished = async (base: string, uri: string) => {
      const answer = await ask(
        base,
        "POST",
        "/dicom-web/servers/b/wado",
        JSON.stringify({ Uri: uri }),
      );
      const id = (answer.body as { ID: string }).ID;
      let job: Record<string, unknown> = {};
      await waitFor(async () => {
        job = await (await fetch(`${base}/jobs/${id}`)).json();
        return job.State === "Success" || job.State === "Failure";
      }, "the wado job");
      return { Type: job.Type, State: job.State, ErrorCode: job.ErrorCode, Content: job.Content };
    };
    for (const uri of [`/studies/${study}/metadata`, `/studies/${study}`]) {
      expect(await finished(pharos.url, uri)).toEqual(await finished(oracle.url, uri));
    }
  });

  test("a stow to a server that cannot be reached fails as the plugin's job", async () => {
    const finished = async (base: string) => {
      const ids = await (await fetch(`${base}/instances`)).json() as string[];
      const answer = await ask(
        base,
        "POST",
        "/dicom-web/servers/down/stow",
        JSON.stringify({ Resources: ids, Asynchronous: true }),
      );
      const id = (answer.body as { ID: string }).ID;
      let job: Record<string, unknown> = {};
      await waitFor(async () => {
        job = await (await fetch(`${base}/jobs/${id}`)).json();
        return job.State === "Failure";
      }, "the stow job's failure");
      return { Type: job.Type, ErrorCode: job.ErrorCode, Content: job.Content };
    };
    expect(await finished(pharos.url)).toEqual(await finished(oracle.url));
  });

  test("stow sends Pharos's instances to the remote server", async () => {
    for (const id of await (await fetch(`${remote.url}/instances`)).json() as string[]) {
      await fetch(`${remote.url}/instances/${id}`, { method: "DELETE" });
    }
    const ids = await (await fetch(`${pharos.url}/instances`)).json() as string[];
    const answer = await ask(
      pharos.url,
      "POST",
      "/dicom-web/servers/b/stow",
      JSON.stringify({ Resources: ids }),
    );
    expect(answer).toMatchObject({
      status: 200,
      body: { InstancesCount: "2", NetworkSizeMB: "0" },
    });
    const sent = await (await fetch(`${remote.url}/instances`)).json() as string[];
    expect(sent.sort()).toEqual(ids.sort());
  });
});

test("DicomWeb.ServersInDatabase keeps the servers PUT through the REST API across a restart", async () => {
  const config = { DicomWeb: { ServersInDatabase: true } };
  const first = await startInProcess({ config });
  const put = await fetch(`${first.url}/dicom-web/servers/kept`, {
    method: "PUT",
    body: JSON.stringify({ Url: "http://127.0.0.1:1/dicom-web", HasDelete: true }),
  });
  expect(put.status).toBe(200);
  await first.stop({ keep: true });
  const second = await startInProcess({ config, dir: first.dir });
  try {
    const answer = await fetch(`${second.url}/dicom-web/servers?expand`);
    expect(await answer.json()).toEqual({
      kept: {
        HasDelete: "1",
        HttpHeaders: [],
        Pkcs11: false,
        Timeout: 0,
        Url: "http://127.0.0.1:1/dicom-web/",
      },
    });
  } finally {
    await second.stop();
    rmSync(first.dir, { recursive: true, force: true });
  }
});
