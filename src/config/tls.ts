// The TLS material of the configuration, read from its PEM files (paths relative to the
// configuration folder, as Orthanc resolves them): the HTTPS server's (SslEnabled…). A file that
// cannot be read stops the start with a message naming the option, as Orthanc stops: a server
// asked to be secure never starts in the clear.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { TLSOptions } from "bun";
import { type Configuration, ConfigurationError } from "./schema.ts";

/** Reads a PEM file named by an option. */
export function readPem(config: Configuration, option: string, path: string): string {
  const full = resolve(config.configurationDirectory, path);
  try {
    return readFileSync(full, "utf8");
  } catch (error) {
    throw new ConfigurationError(
      `Cannot read the file of configuration option "${option}" (${full}): ${
        (error as Error).message
      }`,
    );
  }
}

/**
 * Bun.serve's `tls` for SslEnabled, or undefined for plain HTTP. Bun's TLS server speaks TLS 1.2
 * and 1.3 only, which is SslMinimumProtocolVersion 4 (Orthanc's default); a lower minimum cannot
 * be granted and is said so.
 */
export function httpsOptions(
  config: Configuration,
  warn: (message: string) => void,
): TLSOptions | undefined {
  if (!config.SslEnabled) return undefined;
  if (config.SslMinimumProtocolVersion < 4) {
    warn(
      `SslMinimumProtocolVersion ${config.SslMinimumProtocolVersion} is not available: ` +
        "HTTPS accepts TLS 1.2 and 1.3 only",
    );
  }
  // Orthanc's SslCertificate holds the certificate chain and the private key in one file.
  const pem = readPem(config, "SslCertificate", config.SslCertificate);
  const tls: TLSOptions = { cert: pem, key: pem };
  if (config.SslCiphersAccepted) tls.ciphers = config.SslCiphersAccepted.join(":");
  if (config.SslVerifyPeers) {
    tls.ca = readPem(config, "SslTrustedClientCertificates", config.SslTrustedClientCertificates);
    tls.requestCert = true;
    tls.rejectUnauthorized = true;
  }
  return tls;
}

/** The DICOM TLS material: this server's certificate and key, and the peers it trusts. */
export interface DicomTlsMaterial {
  cert: string;
  key: string;
  ca: string;
  /** DicomTlsRemoteCertificateRequired: refuse a peer without a certificate. */
  requirePeerCertificate: boolean;
}

/**
 * The DICOM TLS material when the configuration names it (needed by the SCP with
 * DicomTlsEnabled, and by the SCU for modalities with UseDicomTls), else undefined.
 */
export function dicomTlsMaterial(config: Configuration): DicomTlsMaterial | undefined {
  const { DicomTlsCertificate: cert, DicomTlsPrivateKey: key } = config;
  const trusted = config.DicomTlsTrustedCertificates;
  if (!cert || !key || !trusted) {
    if (config.DicomTlsEnabled) {
      throw new ConfigurationError(
        'DicomTlsEnabled needs "DicomTlsCertificate", "DicomTlsPrivateKey" and ' +
          '"DicomTlsTrustedCertificates"',
      );
    }
    return undefined;
  }
  return {
    cert: readPem(config, "DicomTlsCertificate", cert),
    key: readPem(config, "DicomTlsPrivateKey", key),
    ca: readPem(config, "DicomTlsTrustedCertificates", trusted),
    requirePeerCertificate: config.DicomTlsRemoteCertificateRequired,
  };
}
