// DICOM TLS as Orthanc configures it (DicomTlsEnabled, DicomTlsCertificate, DicomTlsPrivateKey,
// DicomTlsTrustedCertificates, DicomTlsRemoteCertificateRequired, and UseDicomTls per modality),
// against DCMTK's TLS tools: echoscu/storescu +tls as SCUs, storescp +tls as the peer of Pharos's
// SCU. Certificates are made by openssl for the test.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { type Certificates, makeCertificates } from "../support/certificates.ts";
import { dcmtk, DCMTK_ENV } from "../support/dimse.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { freePort, samplesDir, waitFor } from "../support/server.ts";

const dir = mkdtempSync(join(tmpdir(), "pharos-dicom-tls-"));
const FILE = join(samplesDir, "Brainix/Flair/IM-0001-0001.dcm");
let certs: Certificates;
let required: InProcessServer;
let optional: InProcessServer;
let peer: Subprocess;
const peerPort = freePort();
const peerDir = join(dir, "received");

const tlsOptions = () => ({
  DicomTlsEnabled: true,
  DicomTlsCertificate: certs.path("server.crt"),
  DicomTlsPrivateKey: certs.path("server.key"),
  DicomTlsTrustedCertificates: certs.path("ca.crt"),
});
const portOf = (server: InProcessServer) => String(server.pharos.network.port);
const trust = ["+cf", "PLACEHOLDER"];
/** echoscu to a Pharos, with the TLS arguments given (none: plain TCP). */
const echo = (server: InProcessServer, tls: string[]) =>
  dcmtk(["echoscu", ...tls, "-aec", "ORTHANC", "127.0.0.1", portOf(server)]);
const withCertificate = (who: string) => [
  "+tls",
  certs.path(`${who}.key`),
  certs.path(`${who}.crt`),
  ...trust,
];

beforeAll(async () => {
  certs = makeCertificates(dir);
  trust[1] = certs.path("ca.crt");
  required = await startInProcess({
    config: {
      ...tlsOptions(),
      DicomPort: freePort(),
      DicomModalities: {
        tls: { AET: "TLSSCP", Host: "127.0.0.1", Port: peerPort, UseDicomTls: true },
        plain: { AET: "TLSSCP", Host: "127.0.0.1", Port: peerPort },
      },
    },
  });
  optional = await startInProcess({
    config: { ...tlsOptions(), DicomPort: freePort(), DicomTlsRemoteCertificateRequired: false },
  });
  // The peer of Pharos's SCU: storescp over TLS, requiring a client certificate (its default).
  await Bun.$`mkdir -p ${peerDir}`;
  peer = Bun.spawn(
    [
      "storescp",
      "+tls",
      certs.path("server.key"),
      certs.path("server.crt"),
      "+cf",
      certs.path("ca.crt"),
      "-aet",
      "TLSSCP",
      "-od",
      peerDir,
      String(peerPort),
    ],
    { stdout: "ignore", stderr: "ignore", env: DCMTK_ENV },
  );
  await waitFor(
    async () =>
      (await dcmtk([
        "echoscu",
        ...withCertificate("client"),
        "-aec",
        "TLSSCP",
        "127.0.0.1",
        String(peerPort),
      ])).code === 0,
    "storescp over TLS",
  );
}, 60_000);
afterAll(async () => {
  peer?.kill();
  await peer?.exited;
  await required?.stop();
  await optional?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the SCP speaks DICOM TLS only, to peers with a certificate signed by a trusted one", async () => {
  expect((await echo(required, withCertificate("client"))).code).toBe(0);
  expect((await echo(required, [])).code).not.toBe(0);
  expect((await echo(required, withCertificate("stranger"))).code).not.toBe(0);
  // DicomTlsRemoteCertificateRequired (true by default): no certificate, no association.
  expect((await echo(required, ["+tla", ...trust])).code).not.toBe(0);
});

test("C-STORE over TLS stores the instance", async () => {
  const sent = await dcmtk([
    "storescu",
    ...withCertificate("client"),
    "-aec",
    "ORTHANC",
    "127.0.0.1",
    portOf(required),
    FILE,
  ]);
  expect(sent.code).toBe(0);
  const stats = await (await fetch(`${required.url}/statistics`)).json();
  expect(stats.CountInstances).toBe(1);
});

test("DicomTlsRemoteCertificateRequired false: no certificate is allowed, a bad one is not", async () => {
  expect((await echo(optional, ["+tla", ...trust])).code).toBe(0);
  expect((await echo(optional, withCertificate("client"))).code).toBe(0);
  expect((await echo(optional, withCertificate("stranger"))).code).not.toBe(0);
});

test("the SCU reaches a modality with UseDicomTls over TLS, with its certificate", async () => {
  const tlsEcho = await fetch(`${required.url}/modalities/tls/echo`, {
    method: "POST",
    body: "{}",
  });
  expect(tlsEcho.status).toBe(200);
  // The same peer without UseDicomTls: plain TCP to a TLS port fails.
  const plainEcho = await fetch(`${required.url}/modalities/plain/echo`, {
    method: "POST",
    body: "{}",
  });
  expect(plainEcho.status).not.toBe(200);
  const ids = (await (await fetch(`${required.url}/instances`)).json()) as string[];
  const store = await fetch(`${required.url}/modalities/tls/store`, {
    method: "POST",
    body: JSON.stringify(ids),
  });
  expect(store.status).toBe(200);
  expect((await store.json()).FailedInstancesCount).toBe(0);
  expect(readdirSync(peerDir).length).toBe(1);
});

test("DicomTlsEnabled without its certificates stops the start, naming them", async () => {
  const error = await startInProcess({ config: { DicomTlsEnabled: true, DicomPort: freePort() } })
    .then(() => undefined, (e: unknown) => e);
  expect(String(error)).toContain('"DicomTlsCertificate"');
});
