// Certificates for the TLS tests, made by openssl in a folder: an authority (ca), a server
// certificate for 127.0.0.1 signed by it, a client certificate signed by it, and a self-signed
// stranger. Each as <name>.crt and <name>.key; server.pem holds the server's certificate and key
// together (Orthanc's SslCertificate).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Certificates {
  dir: string;
  path(name: string): string;
  text(name: string): string;
}

export function makeCertificates(dir: string): Certificates {
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  for (const who of ["ca", "server", "client", "stranger"]) {
    openssl("genrsa", "-out", path(`${who}.key`), "2048");
  }
  openssl(
    ..."req -x509 -new -days 2 -subj /CN=Pharos-Test-CA -key".split(" "),
    path("ca.key"),
    "-out",
    path("ca.crt"),
  );
  const sign = (who: string, cn: string, extensions: string, selfSigned = false) => {
    openssl(
      "req",
      "-new",
      "-key",
      path(`${who}.key`),
      "-subj",
      `/CN=${cn}`,
      "-out",
      path(`${who}.csr`),
    );
    writeFileSync(path(`${who}.ext`), extensions);
    const signer = selfSigned
      ? ["-signkey", path(`${who}.key`)]
      : ["-CA", path("ca.crt"), "-CAkey", path("ca.key"), "-CAcreateserial"];
    openssl(
      ..."x509 -req -days 2 -in".split(" "),
      path(`${who}.csr`),
      ...signer,
      "-extfile",
      path(`${who}.ext`),
      "-out",
      path(`${who}.crt`),
    );
  };
  sign("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1\n");
  sign("client", "client", "extendedKeyUsage=clientAuth\n");
  sign("stranger", "stranger", "extendedKeyUsage=clientAuth\n", true);
  writeFileSync(
    path("server.pem"),
    readFileSync(path("server.crt"), "utf8") + readFileSync(path("server.key"), "utf8"),
  );
  return { dir, path, text: (name) => readFileSync(path(name), "utf8") };
}
