// HTTPS as Orthanc configures it (SslEnabled, SslCertificate holding certificate and key,
// SslMinimumProtocolVersion, SslVerifyPeers with SslTrustedClientCertificates), with
// certificates made by openssl for the test, over loopback.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigurationError } from "../../src/config/schema.ts";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";

const dir = mkdtempSync(join(tmpdir(), "pharos-https-"));
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });

/** A self-signed authority, and a certificate signed by it (server: for 127.0.0.1). */
function makeCertificates() {
  for (const who of ["ca", "server", "client", "stranger"]) {
    openssl("genrsa", "-out", file(`${who}.key`), "2048");
  }
  openssl(
    ..."req -x509 -new -days 2 -subj /CN=Pharos-Test-CA".split(" "),
    "-key",
    file("ca.key"),
    "-out",
    file("ca.crt"),
  );
  const sign = (who: string, cn: string, extensions: string, by = "ca") => {
    openssl(
      "req",
      "-new",
      "-key",
      file(`${who}.key`),
      "-subj",
      `/CN=${cn}`,
      "-out",
      file(`${who}.csr`),
    );
    writeFileSync(file(`${who}.ext`), extensions);
    const signer = by === "self"
      ? ["-signkey", file(`${who}.key`)]
      : ["-CA", file(`${by}.crt`), "-CAkey", file(`${by}.key`), "-CAcreateserial"];
    openssl(
      "x509",
      "-req",
      "-days",
      "2",
      "-in",
      file(`${who}.csr`),
      ...signer,
      "-extfile",
      file(`${who}.ext`),
      "-out",
      file(`${who}.crt`),
    );
  };
  sign("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1\n");
  sign("client", "client", "extendedKeyUsage=clientAuth\n");
  sign("stranger", "stranger", "extendedKeyUsage=clientAuth\n", "self");
  // Orthanc's SslCertificate: the certificate and its private key in one PEM file.
  writeFileSync(
    file("server.pem"),
    readFileSync(file("server.crt"), "utf8") + readFileSync(file("server.key"), "utf8"),
  );
}

let plain: InProcessServer;
let verifying: InProcessServer;
const ca = () => readFileSync(file("ca.crt"), "utf8");
const httpsUrl = (server: InProcessServer) => `https://127.0.0.1:${server.port}`;

beforeAll(async () => {
  makeCertificates();
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
        cert: readFileSync(file(`${who}.crt`), "utf8"),
        key: readFileSync(file(`${who}.key`), "utf8"),
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
