// HTTPS as Orthanc configures it (SslEnabled, SslCertificate holding certificate and key,
// SslMinimumProtocolVersion, SslVerifyPeers with SslTrustedClientCertificates), with
// certificates made by openssl for the test, over loopback.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigurationError } from "../../src/config/schema.ts";
import { type Certificates, makeCertificates } from "../support/certificates.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";

const dir = mkdtempSync(join(tmpdir(), "pharos-https-"));
let certificates: Certificates;
const file = (name: string) => certificates.path(name);

let plain: InProcessServer;
let verifying: InProcessServer;
const ca = () => certificates.text("ca.crt");
const httpsUrl = (server: InProcessServer) => `https://127.0.0.1:${server.port}`;

beforeAll(async () => {
  certificates = makeCertificates(dir);
  plain = await startInProcess({
    config: { SslEnabled: true, SslCertificate: file("server.pem") },
  });
  verifying = await startInProcess({
    config: {
      SslEnabled: true,
      SslCertificate: file("server.pem"),
      SslVerifyPeers: true,
      SslTrustedClientCertificates: file("ca.crt"),
    },
  });
}, 30_000);
afterAll(async () => {
  await plain?.stop();
  await verifying?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("SslEnabled serves the REST API over HTTPS with the configured certificate", async () => {
  const res = await fetch(`${httpsUrl(plain)}/system`, { tls: { ca: ca() } });
  expect(res.status).toBe(200);
  expect((await res.json()).Version).toBe("1.10.1");
  // Nothing is served in the clear.
  const clear = await fetch(`http://127.0.0.1:${plain.port}/system`).catch(() => undefined);
  expect(clear?.status).not.toBe(200);
});

/** Whether openssl s_client completes a handshake with the server at a protocol version. */
async function handshake(port: number, version: string): Promise<boolean> {
  const proc = Bun.spawn(
    ["openssl", "s_client", "-connect", `127.0.0.1:${port}`, version, "-CAfile", file("ca.crt")],
    { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  return /New, TLSv1\.[0-9], Cipher is (?!\(NONE\))/.test(out);
}

test("SslMinimumProtocolVersion 4 (the default) refuses TLS 1.1 and takes TLS 1.2 and 1.3", async () => {
  expect(await handshake(plain.port, "-tls1_2")).toBe(true);
  expect(await handshake(plain.port, "-tls1_3")).toBe(true);
  expect(await handshake(plain.port, "-tls1_1")).toBe(false);
});

test("SslVerifyPeers: only clients with a certificate from the trusted ones are served", async () => {
  const url = `${httpsUrl(verifying)}/system`;
  const withCertificate = (who: string) =>
    fetch(url, {
      tls: {
        ca: ca(),
        cert: certificates.text(`${who}.crt`),
        key: certificates.text(`${who}.key`),
      },
    });
  expect((await withCertificate("client")).status).toBe(200);
  expect(await withCertificate("stranger").then((r) => r.status, () => "refused")).toBe("refused");
  expect(await fetch(url, { tls: { ca: ca() } }).then((r) => r.status, () => "refused")).toBe(
    "refused",
  );
});

test("a certificate that cannot be read stops the start, naming the option", async () => {
  const error = await startInProcess({
    config: { SslEnabled: true, SslCertificate: file("missing.pem") },
  }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigurationError);
  expect(String(error)).toContain('"SslCertificate"');
});
