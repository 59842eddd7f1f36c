// Orthanc peers: the /peers routes answered as a real Orthanc 1.10.1 answers them for the same
// configuration, then sending both ways between Pharos and that Orthanc (Pharos's
// OrthancPeerStore job and store-straight, Orthanc's /peers/{id}/store into Pharos), and Lua's
// SendToPeer.
import { askForComparison, type ComparedAnswer } from "../support/compared-answer.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type RecordingOrthanc, startRecordingOrthanc } from "../golden/orthanc.ts";
import { hasOrthanc } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir, waitFor } from "../support/server.ts";

/** The same peers on both servers; nothing listens on port 1. */
const PEERS = {
  a: ["http://127.0.0.1:1/", "u", "p"],
  b: {
    Url: "http://127.0.0.1:1",
    Username: "x",
    Password: "y",
    HttpHeaders: { "X-A": "1", "X-B": "2" },
    Timeout: 5,
  },
  c: ["http://127.0.0.1:1"],
};
const AUTH = { Authorization: `Basic ${btoa("bob:pw")}` };
const sample = (name: string) => readFileSync(join(samplesDir, "Brainix/Flair", name));

let pharos: InProcessServer;
let orthanc: RecordingOrthanc;

beforeAll(async () => {
  pharos = await startInProcess({ config: { OrthancPeers: PEERS, ExecuteLuaEnabled: true } });
  // Orthanc's peer "pharos", which Pharos gets too, so that both list the same peers.
  await fetch(`${pharos.url}/peers/pharos`, { method: "PUT", body: JSON.stringify([pharos.url]) });
  if (hasOrthanc) {
    orthanc = await startRecordingOrthanc({
      OrthancPeers: { ...PEERS, pharos: [pharos.url] },
      AuthenticationEnabled: true,
      RegisteredUsers: { bob: "pw" },
    });
  }
});
afterAll(async () => {
  await orthanc?.stop();
  await pharos.stop();
});

const ask = askForComparison;
type Answer = ComparedAnswer;

describe.skipIf(!hasOrthanc)("the /peers routes answer as Orthanc's", () => {
  const STORE_ERRORS = [
    "bogus",
    "[3]",
    '["nope"]',
    '{"Resources":"x"}',
    '{"Resources":[],"Transcode":"bogus"}',
    '{"Resources":[],"Compress":"yes"}',
  ];
  const REQUESTS: [string, string, string?][] = [
    ["GET", "/peers"],
    ["GET", "/peers?expand"],
    ["GET", "/peers/a"],
    ["GET", "/peers/zz"],
    ["GET", "/peers/a/configuration"],
    ["GET", "/peers/b/configuration"],
    ["GET", "/peers/c/configuration"],
    ["GET", "/peers/zz/configuration"],
    ["GET", "/peers/a/system"],
    ["GET", "/peers/zz/system"],
    ["GET", "/peers/a/bogus"],
    ["POST", "/peers/a"],
    ["PUT", "/peers/d", '["http://h:5"]'],
    ["PUT", "/peers/e", '{"Url":"http://h","Username":"a","Password":"b"}'],
    ["PUT", "/peers/f", '["http://h:5","u"]'],
    ["PUT", "/peers/f", '["http://h:5","u","p","x"]'],
    ["PUT", "/peers/f", "notjson"],
    ["PUT", "/peers/f", '{"Username":"a"}'],
    ["PUT", "/peers/f", '{"Url":3}'],
    ["PUT", "/peers/f", '{"Url":""}'],
    ["PUT", "/peers/f", '{"Url":"http://h","Password":"p"}'],
    ["PUT", "/peers/f", '{"Url":"http://h","Timeout":-1}'],
    ["PUT", "/peers/f", '{"Url":"http://h","Timeout":"3"}'],
    ["PUT", "/peers/f", '{"Url":"http://h","HttpHeaders":{"a":1}}'],
    ["PUT", "/peers/f", '{"Url":"http://h","CertificateFile":"/nonexistent.pem"}'],
    ["PUT", "/peers/f", '{"Url":"http://h","Pkcs11":"no"}'],
    ["PUT", "/peers/f", "42"],
    ["PUT", "/peers/g", '{"URL":"http://h:6"}'],
    ["PUT", "/peers/h", '{"Url":"http://h:7","URL":"http://h:8"}'],
    ["PUT", "/peers/f", '{"url":"http://h:6"}'],
    ["PUT", "/peers/f", '{"URL":4}'],
    ["GET", "/peers?expand"],
    ["DELETE", "/peers/d"],
    ["DELETE", "/peers/zz"],
    ["GET", "/peers"],
    ...STORE_ERRORS.map((b): [string, string, string] => ["POST", "/peers/a/store", b]),
    ["POST", "/peers/zz/store", "[]"],
    ["POST", "/peers/a/store", "{}"],
    ["POST", "/peers/a/store", '"0000000a-0000000b-0000000c-0000000d-0000000e"'],
    ["POST", "/peers/a/store", "[]"],
    ["POST", "/peers/a/store", '{"Resources":[],"Compress":true,"Transcode":"1.2.840.10008.1.2"}'],
    ["POST", "/peers/a/store", '["0000000a-0000000b-0000000c-0000000d-0000000e"]'],
    ["POST", "/peers/a/store-straight", "abc"],
    ["POST", "/peers/zz/store-straight", "abc"],
  ];
  for (const [method, path, body] of REQUESTS) {
    test(`${method} ${path} ${body ?? ""}`, async () => {
      const expected = await ask(orthanc.url, method, path, body, AUTH);
      const actual = await ask(pharos.url, method, path, body);
      expect(actual).toEqual(expected);
    });
  }
});

describe.skipIf(!hasOrthanc)("Pharos → Orthanc", () => {
  let study: string;
  let instance: string;
  const orthancInstances = async () =>
    await (await fetch(`${orthanc.url}/instances?expand`, { headers: AUTH })).json() as {
      ID: string;
    }[];
  const clearOrthanc = async () => {
    for (const { ID } of await orthancInstances()) {
      await fetch(`${orthanc.url}/instances/${ID}`, { method: "DELETE", headers: AUTH });
    }
  };

  beforeAll(async () => {
    for (const name of ["IM-0001-0001.dcm", "IM-0001-0002.dcm"]) {
      const r = await fetch(`${pharos.url}/instances`, { method: "POST", body: sample(name) });
      const stored = await r.json() as { ID: string; ParentStudy: string };
      study = stored.ParentStudy;
      instance = stored.ID;
    }
    const put = await fetch(`${pharos.url}/peers/orthanc`, {
      method: "PUT",
      body: JSON.stringify([orthanc.url, "bob", "pw"]),
    });
    expect(put.status).toBe(200);
    await fetch(`${pharos.url}/peers/wrong`, {
      method: "PUT",
      body: JSON.stringify({ Url: orthanc.url, Username: "bob", Password: "bad" }),
    });
  });

  test("/peers/{id}/system is the peer's /system", async () => {
    const answer = await ask(pharos.url, "GET", "/peers/orthanc/system");
    expect(answer.type).toBe("application/json");
    expect(answer.body).toEqual((await ask(orthanc.url, "GET", "/system", undefined, AUTH)).body);
    const refused = await ask(pharos.url, "GET", "/peers/wrong/system");
    expect(refused.status).toBe(500);
    expect((refused.body as { OrthancStatus: number }).OrthancStatus).toBe(2005);
  });

  test("a synchronous store, compressed, sends the study's instances", async () => {
    const r = await fetch(`${pharos.url}/peers/orthanc/store`, {
      method: "POST",
      body: JSON.stringify({ Resources: [study], Compress: true }),
    });
    expect(r.status).toBe(200);
    const content = await r.json() as Record<string, unknown>;
    expect(content).toMatchObject({
      Compress: true,
      Description: "REST API",
      FailedInstancesCount: 0,
      InstancesCount: 2,
      ParentResources: [study],
      Peer: [`${orthanc.url}/`, "bob", ""],
      SizeMB: 0,
    });
    // Gzip-encoded, the two files travel in fewer bytes than they take.
    const size = Number(content.Size);
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThan(sample("IM-0001-0001.dcm").length * 2);
    expect((await orthancInstances()).map((i) => i.ID).sort()).toEqual(
      (await (await fetch(`${pharos.url}/instances`)).json() as string[]).sort(),
    );
  });

  test("Transcode sends the instance in the transfer syntax asked for", async () => {
    await clearOrthanc();
    const r = await fetch(`${pharos.url}/peers/orthanc/store`, {
      method: "POST",
      body: JSON.stringify({ Resources: [instance], Transcode: "1.2.840.10008.1.2" }),
    });
    expect((await r.json()).Transcode).toBe("1.2.840.10008.1.2");
    const syntax = await fetch(`${orthanc.url}/instances/${instance}/metadata/TransferSyntax`, {
      headers: AUTH,
    });
    expect(await syntax.text()).toBe("1.2.840.10008.1.2");
  });

  test("an asynchronous store is an OrthancPeerStore job of the priority asked", async () => {
    await clearOrthanc();
    const r = await fetch(`${pharos.url}/peers/orthanc/store`, {
      method: "POST",
      body: JSON.stringify({ Resources: [study], Asynchronous: true, Priority: 5 }),
    });
    const { ID } = await r.json() as { ID: string };
    let job: Record<string, unknown> = {};
    await waitFor(async () => {
      job = await (await fetch(`${pharos.url}/jobs/${ID}`)).json();
      return job.State === "Success";
    }, "the job's success");
    expect(job).toMatchObject({ Type: "OrthancPeerStore", Priority: 5, Progress: 100 });
    expect((await orthancInstances()).length).toBe(2);
  });

  test("bad credentials fail the job with Orthanc's network error", async () => {
    const answer = await ask(pharos.url, "POST", "/peers/wrong/store", JSON.stringify([study]));
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ OrthancStatus: 9 });
  });

  test("store-straight answers the peer's answer", async () => {
    await clearOrthanc();
    const r = await fetch(`${pharos.url}/peers/orthanc/store-straight`, {
      method: "POST",
      body: sample("IM-0001-0003.dcm"),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ Status: "Success" });
    expect((await orthancInstances()).length).toBe(1);
    const refused = await ask(pharos.url, "POST", "/peers/wrong/store-straight", "abc");
    expect(refused.body).toMatchObject({
      OrthancStatus: 9,
      Details: "Cannot send DICOM to remote peer: wrong",
    });
  });

  test("Lua's SendToPeer sends a stored instance", async () => {
    await clearOrthanc();
    await fetch(`${pharos.url}/tools/execute-script`, {
      method: "POST",
      body: "function OnStoredInstance(instanceId)\n  SendToPeer(instanceId, 'orthanc')\nend",
    });
    const r = await fetch(`${pharos.url}/instances`, {
      method: "POST",
      body: sample("IM-0001-0004.dcm"),
    });
    const { ID } = await r.json() as { ID: string };
    await waitFor(async () => (await orthancInstances()).some((i) => i.ID === ID), "SendToPeer");
    await fetch(`${pharos.url}/tools/execute-script`, {
      method: "POST",
      body: "function OnStoredInstance(instanceId) end",
    });
  });
});

describe.skipIf(!hasOrthanc)("Orthanc → Pharos", () => {
  test("Orthanc's compressed /peers/{id}/store lands in Pharos", async () => {
    const r = await fetch(`${orthanc.url}/instances`, {
      method: "POST",
      body: sample("IM-0001-0005.dcm"),
      headers: AUTH,
    });
    const { ID } = await r.json() as { ID: string };
    const stored = await fetch(`${orthanc.url}/peers/pharos/store`, {
      method: "POST",
      body: JSON.stringify({ Resources: [ID], Compress: true }),
      headers: AUTH,
    });
    expect(stored.status).toBe(200);
    expect((await stored.json()).InstancesCount).toBe(1);
    expect((await fetch(`${pharos.url}/instances/${ID}`)).status).toBe(200);
    // The same store both ways, uncompressed: the same job content but for the peer.
    const both = await Promise.all([
      fetch(`${orthanc.url}/peers/pharos/store`, {
        method: "POST",
        body: JSON.stringify({ Resources: [ID] }),
        headers: AUTH,
      }),
      fetch(`${pharos.url}/peers/orthanc/store`, {
        method: "POST",
        body: JSON.stringify({ Resources: [ID] }),
      }),
    ]);
    const [ofOrthanc, ofPharos] = await Promise.all(
      both.map(async (answer) => {
        const { Peer: _, ...content } = await answer.json() as Record<string, unknown>;
        return content;
      }),
    );
    expect(ofPharos).toEqual(ofOrthanc!);
    const system = await fetch(`${orthanc.url}/peers/pharos/system`, { headers: AUTH });
    const own = await (await fetch(`${pharos.url}/system`)).json() as { Name: string };
    expect((await system.json()).Name).toBe(own.Name);
  });
});

test("OrthancPeersInDatabase keeps the peers defined through the REST API across a restart", async () => {
  const config = { OrthancPeersInDatabase: true };
  const first = await startInProcess({ config });
  const put = await fetch(`${first.url}/peers/kept`, {
    method: "PUT",
    body: JSON.stringify({ Url: "http://127.0.0.1:1", Username: "u", Password: "p" }),
  });
  expect(put.status).toBe(200);
  await first.stop({ keep: true });
  const second = await startInProcess({ config, dir: first.dir });
  try {
    const answer = await fetch(`${second.url}/peers/kept/configuration`);
    expect(await answer.json()).toEqual({
      HttpHeaders: [],
      Password: null,
      Pkcs11: false,
      Timeout: 0,
      Url: "http://127.0.0.1:1/",
      Username: "u",
    });
  } finally {
    await second.stop();
    rmSync(first.dir, { recursive: true, force: true });
  }
});

describe.skipIf(!hasOrthanc)("Orthanc → Pharos with authentication", () => {
  let secured: InProcessServer;
  beforeAll(async () => {
    secured = await startInProcess({
      config: { AuthenticationEnabled: true, RegisteredUsers: { alice: "secret" } },
    });
    for (const [name, password] of [["secured", "secret"], ["securedWrong", "nope"]]) {
      await fetch(`${orthanc.url}/peers/${name}`, {
        method: "PUT",
        body: JSON.stringify([secured.url, "alice", password]),
        headers: AUTH,
      });
    }
  });
  afterAll(async () => {
    await secured.stop();
  });

  test("Orthanc's credentials open Pharos; wrong ones fail Orthanc's job", async () => {
    const r = await fetch(`${orthanc.url}/instances`, {
      method: "POST",
      body: sample("IM-0001-0006.dcm"),
      headers: AUTH,
    });
    const { ID } = await r.json() as { ID: string };
    const refused = await fetch(`${orthanc.url}/peers/securedWrong/store`, {
      method: "POST",
      body: JSON.stringify([ID]),
      headers: AUTH,
    });
    expect(refused.status).toBe(500);
    const stored = await fetch(`${orthanc.url}/peers/secured/store`, {
      method: "POST",
      body: JSON.stringify([ID]),
      headers: AUTH,
    });
    expect(stored.status).toBe(200);
    const check = await fetch(`${secured.url}/instances/${ID}`, {
      headers: { Authorization: `Basic ${btoa("alice:secret")}` },
    });
    expect(check.status).toBe(200);
  });
});

test("a peer's Timeout ends a request the peer never answers, with libcurl's words", async () => {
  const silent = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () => new Promise<Response>(() => {}),
  });
  try {
    await fetch(`${pharos.url}/peers/silent`, {
      method: "PUT",
      body: JSON.stringify({ Url: `http://127.0.0.1:${silent.port}`, Timeout: 1 }),
    });
    const started = performance.now();
    const answer = await fetch(`${pharos.url}/peers/silent/system`);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await answer.json()).toMatchObject({
      OrthancStatus: 9,
      Details: "libCURL error: Timeout was reached",
    });
  } finally {
    await fetch(`${pharos.url}/peers/silent`, { method: "DELETE" });
    silent.stop(true);
  }
});
