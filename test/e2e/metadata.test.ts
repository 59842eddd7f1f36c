// Metadata at every level: system entries are read-only, user entries have revisions.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { startInProcess } from "../support/in-process.ts";
import { samplesDir, type TestServer, upload } from "../support/server.ts";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

async function withServer(
  config: Record<string, unknown>,
): Promise<{ server: TestServer; ids: Record<string, string> }> {
  const server = await startInProcess({
    config: { UserMetadata: { Sample: 1024, Comment: 1030 }, ...config },
  });
  const answer = await (await upload(server.url, join(samplesDir, "Knee/T1/IM-0001-0001.dcm")))
    .json();
  return {
    server,
    ids: {
      patients: answer.ParentPatient,
      studies: answer.ParentStudy,
      series: answer.ParentSeries,
      instances: answer.ID,
    },
  };
}

describe("without CheckRevisions", () => {
  let server: TestServer;
  let ids: Record<string, string>;
  beforeAll(async () => ({ server, ids } = await withServer({})));
  afterAll(async () => {
    await server.stop();
  });
  const at = (level: string, rest: string) =>
    `${server.url}/${level}/${ids[level]}/metadata${rest}`;

  test("system metadata set on ingest", async () => {
    const instance = await (await fetch(at("instances", "?expand"))).json();
    expect(Object.keys(instance)).toEqual([
      "HttpUsername",
      "IndexInSeries",
      "Origin",
      "PixelDataOffset",
      "ReceptionDate",
      "RemoteAET",
      "RemoteIP",
      "SopClassUid",
      "TransferSyntax",
    ]);
    expect(instance.Origin).toBe("RestApi");
    expect(instance.RemoteIP).toBe("127.0.0.1");
    expect(instance.TransferSyntax).toBe("1.2.840.10008.1.2.4.91");
    expect(await (await fetch(at("patients", ""))).json()).toEqual(["LastUpdate"]);
    expect(await (await fetch(at("series", ""))).json()).toEqual(["RemoteAET", "LastUpdate"]);
  });

  test("user metadata at every level, by name or number", async () => {
    for (const level of ["patients", "studies", "series", "instances"]) {
      const put = await fetch(at(level, "/Sample"), { method: "PUT", body: `hello ${level}` });
      expect(put.status).toBe(200);
      expect(put.headers.get("etag")).toBe(`"0-${md5(`hello ${level}`)}"`);
      const get = await fetch(at(level, "/Sample"));
      expect(await get.text()).toBe(`hello ${level}`);
      expect(get.headers.get("etag")).toBe(`"0-${md5(`hello ${level}`)}"`);
    }
    expect((await fetch(at("studies", "/2000"), { method: "PUT", body: "by number" })).status).toBe(
      200,
    );
    const expanded = await (await fetch(at("studies", "?expand"))).json();
    expect(expanded.Sample).toBe("hello studies");
    expect(expanded["2000"]).toBe("by number");
  });

  test("a PUT on existing metadata increments its revision", async () => {
    const second = await fetch(at("series", "/Comment"), { method: "PUT", body: "one" });
    expect(second.headers.get("etag")).toBe(`"0-${md5("one")}"`);
    const third = await fetch(at("series", "/Comment"), { method: "PUT", body: "two" });
    expect(third.headers.get("etag")).toBe(`"1-${md5("two")}"`);
    expect((await fetch(at("series", "/Comment"))).headers.get("etag")).toBe(`"1-${md5("two")}"`);
  });

  test("system metadata is read-only; unknown names are 404", async () => {
    expect((await fetch(at("instances", "/ReceptionDate"), { method: "PUT", body: "x" })).status)
      .toBe(403);
    expect((await fetch(at("instances", "/ReceptionDate"), { method: "DELETE" })).status).toBe(403);
    const unknown = await fetch(at("instances", "/NoSuchName"), { method: "PUT", body: "x" });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).OrthancStatus).toBe(7);
    expect((await fetch(at("instances", "/Comment"))).status).toBe(404);
    expect((await fetch(`${server.url}/instances/nope/metadata/Sample`)).status).toBe(404);
  });

  test("DELETE removes user metadata and logs UpdatedMetadata", async () => {
    expect((await fetch(at("instances", "/Sample"), { method: "DELETE" })).status).toBe(200);
    expect((await fetch(at("instances", "/Sample"))).status).toBe(404);
    const changes = (await (await fetch(`${server.url}/changes?limit=1000`)).json()).Changes as {
      ChangeType: string;
    }[];
    expect(changes.filter((c) => c.ChangeType === "UpdatedMetadata").length).toBeGreaterThanOrEqual(
      7,
    );
  });
});

describe("with CheckRevisions", () => {
  let server: TestServer;
  let ids: Record<string, string>;
  beforeAll(async () => ({ server, ids } = await withServer({ CheckRevisions: true })));
  afterAll(async () => {
    await server.stop();
  });
  const sample = () => `${server.url}/instances/${ids.instances}/metadata/Sample`;

  test("writes need the current ETag in If-Match", async () => {
    const created = await fetch(sample(), { method: "PUT", body: "v1" });
    expect(created.status).toBe(200);
    const etag = created.headers.get("etag")!;

    const blind = await fetch(sample(), { method: "PUT", body: "v2" });
    expect(blind.status).toBe(409);
    expect((await blind.json()).OrthancStatus).toBe(43);
    expect(
      (await fetch(sample(), { method: "PUT", body: "v2", headers: { "If-Match": '"7-abc"' } }))
        .status,
    ).toBe(409);
    const malformed = await fetch(sample(), {
      method: "PUT",
      body: "v2",
      headers: { "If-Match": "0" },
    });
    expect(malformed.status).toBe(400);

    const updated = await fetch(sample(), {
      method: "PUT",
      body: "v2",
      headers: { "If-Match": etag },
    });
    expect(updated.status).toBe(200);
    expect(await (await fetch(sample())).text()).toBe("v2");

    const deleteBlind = await fetch(sample(), { method: "DELETE" });
    expect(deleteBlind.status).toBe(409);
    expect((await deleteBlind.json()).Details).toBe(
      'HTTP header "If-Match" is missing, as "CheckRevisions" is "true"',
    );
    const deleted = await fetch(sample(), {
      method: "DELETE",
      headers: { "If-Match": updated.headers.get("etag")! },
    });
    expect(deleted.status).toBe(200);
    expect((await fetch(sample())).status).toBe(404);
  });
});
