// A peer over HTTPS: Pharos as the client of another Pharos that requires a client certificate
// (SslVerifyPeers), the peer's CertificateFile and CertificateKeyFile presented, its server
// certificate checked against HttpsCACertificates.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Certificates, makeCertificates } from "../support/certificates.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";

const dir = mkdtempSync(join(tmpdir(), "pharos-peers-https-"));
let certificates: Certificates;
let remote: InProcessServer;
let local: InProcessServer;

beforeAll(async () => {
  certificates = makeCertificates(dir);
  const file = (name: string) => certificates.path(name);
  remote = await startInProcess({
    config: {
      Name: "RemoteOverHttps",
      SslEnabled: true,
      SslCertificate: file("server.pem"),
      SslVerifyPeers: true,
      SslTrustedClientCertificates: file("ca.crt"),
    },
  });
  const url = `https://127.0.0.1:${remote.port}`;
  local = await startInProcess({
    config: {
      HttpsVerifyPeers: true,
      HttpsCACertificates: file("ca.crt"),
      OrthancPeers: {
        withCertificate: {
          Url: url,
          CertificateFile: file("client.crt"),
          CertificateKeyFile: file("client.key"),
        },
        withoutCertificate: [url],
      },
    },
  });
}, 30_000);
afterAll(async () => {
  await local?.stop();
  await remote?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the client certificate opens the peer; without it, Orthanc's network error", async () => {
  const system = await fetch(`${local.url}/peers/withCertificate/system`);
  expect(system.status).toBe(200);
  expect((await system.json()).Name).toBe("RemoteOverHttps");
  const refused = await fetch(`${local.url}/peers/withoutCertificate/system`);
  expect(refused.status).toBe(500);
  expect((await refused.json()).OrthancStatus).toBe(9);
});
