// Configuration options that change what the REST API does. Dictionary and --logdir change
// process-wide state (the DICOM dictionary, the log), so their server runs in a process of its own.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startInProcess } from "../support/in-process.ts";
import { samplesDir, startPharos } from "../support/server.ts";

const FILE = join(samplesDir, "Knee/T1/IM-0001-0001.dcm");

function storedFiles(root: string): string[] {
  return readdirSync(root, { recursive: true }).map(String).map((f) => join(root, f)).filter((f) =>
    statSync(f).isFile()
  );
}

test("AuthenticationEnabled asks for RegisteredUsers' credentials", async () => {
  const server = await startInProcess({
    config: { AuthenticationEnabled: true, RegisteredUsers: { alice: "s3cret" } },
  });
  try {
    const anonymous = await fetch(`${server.url}/system`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain("Basic");
    const wrong = await fetch(`${server.url}/system`, {
      headers: { Authorization: `Basic ${btoa("alice:nope")}` },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${server.url}/system`, {
      headers: { Authorization: `Basic ${btoa("alice:s3cret")}` },
    });
    expect(right.status).toBe(200);
  } finally {
    await server.stop();
  }
});

test("KeepAlive: false closes the connection after each answer, as Orthanc does", async () => {
  const closing = await startInProcess({ config: { KeepAlive: false } });
  const keeping = await startInProcess();
  try {
    for (const path of ["/system", "/nonexistent"]) {
      expect((await fetch(`${closing.url}${path}`)).headers.get("connection")).toBe("close");
    }
    expect((await fetch(`${keeping.url}/system`)).headers.get("connection")).not.toBe("close");
  } finally {
    await closing.stop();
    await keeping.stop();
  }
});

test("StorageCompression stores zlib files and serves the original bytes", async () => {
  const server = await startInProcess({ config: { StorageCompression: true } });
  try {
    const original = new Uint8Array(await Bun.file(FILE).arrayBuffer());
    const { ID } =
      await (await fetch(`${server.url}/instances`, { method: "POST", body: original })).json();
    const [onDisk] = storedFiles(join(server.dir, "storage"));
    expect(statSync(onDisk!).size).toBeLessThan(original.length);
    const back = new Uint8Array(
      await (await fetch(`${server.url}/instances/${ID}/file`)).arrayBuffer(),
    );
    expect(Buffer.compare(back, original)).toBe(0);
    const stats = await (await fetch(`${server.url}/statistics`)).json();
    expect(Number(stats.TotalUncompressedSize)).toBe(original.length);
    expect(Number(stats.TotalDiskSize)).toBe(statSync(onDisk!).size);
  } finally {
    await server.stop();
  }
});

test("OverwriteInstances replaces the stored file", async () => {
  const server = await startInProcess({ config: { OverwriteInstances: true } });
  try {
    const post = () =>
      fetch(`${server.url}/instances`, { method: "POST", body: Bun.file(FILE) }).then((r) =>
        r.json()
      );
    const first = await post();
    const uuid1 = (await (await fetch(`${server.url}/instances/${first.ID}`)).json()).FileUuid;
    const second = await post();
    expect(second.Status).toBe("Success");
    const uuid2 = (await (await fetch(`${server.url}/instances/${first.ID}`)).json()).FileUuid;
    expect(uuid2).not.toBe(uuid1);
    expect(storedFiles(join(server.dir, "storage")).length).toBe(1);
  } finally {
    await server.stop();
  }
});

test("HttpCompressionEnabled compresses JSON for clients that accept it", async () => {
  const server = await startInProcess();
  try {
    const res = await fetch(`${server.url}/tools/generate-uid?level=series`, {
      headers: { "Accept-Encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    const big = await fetch(`${server.url}/instances`, { method: "POST", body: Bun.file(FILE) });
    const id = (await big.json()).ID;
    const tags = await fetch(
      `${server.url}/instances/${id}/tags`,
      { headers: { "Accept-Encoding": "gzip" }, decompress: false } as RequestInit,
    );
    expect(tags.headers.get("content-encoding")).toBe("gzip");
  } finally {
    await server.stop();
  }
});

test("Dictionary names private tags, and --logdir writes the log to a file", async () => {
  const logDir = join(tmpdir(), `pharos-logs-${process.pid}`);
  const server = await startPharos({
    config: { Dictionary: { "0009,1001": ["LO", "PharosPrivateTest", 1, 1, "GEMS_IDEN_01"] } },
    extraArgs: [`--logdir=${logDir}`],
  });
  try {
    const file = join(samplesDir, "TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm");
    const { ID } =
      await (await fetch(`${server.url}/instances`, { method: "POST", body: Bun.file(file) }))
        .json();
    const tags = await (await fetch(`${server.url}/instances/${ID}/tags`)).json();
    expect(tags["0009,1001"].Name).toBe("PharosPrivateTest");
  } finally {
    await server.stop();
  }
  const logs = readdirSync(logDir);
  expect(logs.length).toBe(1);
  expect(readFileSync(join(logDir, logs[0]!), "utf8")).toContain("Pharos has stopped");
  rmSync(logDir, { recursive: true, force: true });
});

test("downloads are named after the stored file; a file missing from the disk is Orthanc's 500", async () => {
  const server = await startInProcess();
  try {
    const { ID } =
      await (await fetch(`${server.url}/instances`, { method: "POST", body: Bun.file(FILE) }))
        .json();
    const { FileUuid } = await (await fetch(`${server.url}/instances/${ID}`)).json();
    const ok = await fetch(`${server.url}/instances/${ID}/file`);
    expect(ok.headers.get("content-disposition")).toBe(`filename="${FileUuid}.dcm"`);
    await ok.arrayBuffer();
    for (const f of storedFiles(join(server.dir, "storage"))) rmSync(f);
    const missing = await fetch(`${server.url}/instances/${ID}/file`);
    expect(missing.status).toBe(500);
    expect((await missing.json()).OrthancError).toBeDefined();
    expect((await fetch(`${server.url}/instances/${ID}/tags`)).status).toBe(500);
    // The server keeps serving.
    expect((await fetch(`${server.url}/system`)).status).toBe(200);
  } finally {
    await server.stop();
  }
});

test("/tools/dicom-conformance states what the SCP accepts, as configured", async () => {
  const server = await startInProcess({ config: { RleTransferSyntaxAccepted: false } });
  try {
    const res = await fetch(`${server.url}/tools/dicom-conformance`);
    expect(res.headers.get("content-type")).toBe("text/plain");
    const text = await res.text();
    expect(text).toContain("DICOM Conformance Statement of Pharos");
    expect(text).toMatch(/JpegBaseline +\| 1\.2\.840\.10008\.1\.2\.4\.50\n/);
    expect(text).not.toContain("| 1.2.840.10008.1.2.5\n");
    expect(text).toMatch(/StudyRootQueryRetrieveGet +\| 1\.2\.840\.10008\.5\.1\.4\.1\.2\.2\.3/);
  } finally {
    await server.stop();
  }
});

test("OrthancExplorerEnabled: false removes the UI and the root's redirection, as Orthanc's 404s", async () => {
  const server = await startInProcess({ config: { OrthancExplorerEnabled: false } });
  try {
    for (const path of ["/", "/app/explorer.html", "/ui/app/", "/ui/app/index.html"]) {
      const answer = await fetch(`${server.url}${path}`, { redirect: "manual" });
      expect(answer.status).toBe(404);
      expect(await answer.json()).toMatchObject({ HttpStatus: 404, Message: "Unknown resource" });
    }
    expect((await fetch(`${server.url}/system`)).status).toBe(200);
  } finally {
    await server.stop();
  }
});
