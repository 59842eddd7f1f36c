// Orthanc peers (OrthancPeers): how one is read from the configuration or a PUT /peers/{id}, in
// Orthanc's array and object forms with its errors, and how Orthanc shows one back.
import { existsSync } from "node:fs";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { OrthancError } from "../server/errors.ts";

export interface OrthancPeer {
  /** Always ends with "/", as Orthanc normalizes it. */
  Url: string;
  Username: string;
  Password: string;
  HttpHeaders: Record<string, string>;
  CertificateFile: string;
  CertificateKeyFile: string;
  CertificateKeyPassword: string;
  Pkcs11: boolean;
  /** Seconds; 0 means HttpTimeout. */
  Timeout: number;
}

const badFormat = (details?: string) => new OrthancError("BadFileFormat", details);

/** Orthanc reads the array form's items as strings, numbers included. */
function arrayItem(value: JsonValue | undefined): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw badFormat();
}

function optionalString(o: JsonObject, key: string): string {
  const value = o[key];
  if (value === undefined) return "";
  if (typeof value !== "string") throw badFormat();
  return value;
}

function timeout(value: JsonValue | undefined): number {
  if (value === undefined) return 0;
  if (typeof value !== "number") throw badFormat("Integer value expected in field: Timeout");
  if (!Number.isInteger(value)) throw badFormat();
  if (value < 0) throw badFormat("Unsigned integer value expected in field: Timeout");
  return value;
}

function headers(value: JsonValue | undefined): Record<string, string> {
  if (value === undefined) return {};
  if (!value || typeof value !== "object" || Array.isArray(value)) throw badFormat();
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== "string") throw badFormat();
    out[name] = v;
  }
  return out;
}

function existingFile(path: string, what: string): string {
  if (path && !existsSync(path)) {
    throw new OrthancError("InexistentFile", `Cannot open ${what} file: ${path}`);
  }
  return path;
}

/** A peer as Orthanc 1.10 reads it: `[url]`, `[url, user, password]`, or an object with Url (or URL). */
export function parsePeer(value: JsonValue): OrthancPeer {
  const peer: OrthancPeer = {
    Url: "",
    Username: "",
    Password: "",
    HttpHeaders: {},
    CertificateFile: "",
    CertificateKeyFile: "",
    CertificateKeyPassword: "",
    Pkcs11: false,
    Timeout: 0,
  };
  if (Array.isArray(value)) {
    if (value.length !== 1 && value.length !== 3) throw badFormat();
    peer.Url = arrayItem(value[0]);
    if (value.length === 3) {
      peer.Username = arrayItem(value[1]);
      peer.Password = arrayItem(value[2]);
    }
  } else if (value && typeof value === "object") {
    // Orthanc also reads the older spelling "URL" when "Url" is absent.
    const url = value.Url !== undefined ? value.Url : value.URL;
    if (url !== undefined && typeof url !== "string") throw badFormat();
    peer.Url = url ?? "";
    peer.Username = optionalString(value, "Username");
    peer.Password = optionalString(value, "Password");
    // A password needs a user name.
    if (value.Password !== undefined && value.Username === undefined) throw badFormat();
    peer.CertificateFile = existingFile(optionalString(value, "CertificateFile"), "certificate");
    peer.CertificateKeyFile = existingFile(optionalString(value, "CertificateKeyFile"), "key");
    peer.CertificateKeyPassword = optionalString(value, "CertificateKeyPassword");
    if (value.Pkcs11 !== undefined) {
      if (typeof value.Pkcs11 !== "boolean") throw badFormat();
      peer.Pkcs11 = value.Pkcs11;
    }
    peer.HttpHeaders = headers(value.HttpHeaders);
    peer.Timeout = timeout(value.Timeout);
  } else {
    throw badFormat();
  }
  if (!peer.Url) throw badFormat("Empty URL");
  if (!peer.Url.endsWith("/")) peer.Url += "/";
  return peer;
}

/** GET /peers/{id}/configuration: secrets hidden, header names only, keys in Orthanc's order. */
export function peerConfigurationJson(peer: OrthancPeer): JsonObject {
  const out: JsonObject = {};
  if (peer.CertificateFile) {
    out.CertificateFile = peer.CertificateFile;
    out.CertificateKeyFile = null;
    out.CertificateKeyPassword = null;
  }
  out.HttpHeaders = Object.keys(peer.HttpHeaders).sort();
  if (peer.Username) out.Password = null;
  out.Pkcs11 = peer.Pkcs11;
  out.Timeout = peer.Timeout;
  out.Url = peer.Url;
  if (peer.Username) out.Username = peer.Username;
  return out;
}

/** The peer in a job's content: its URL, and its user with the password hidden. */
export function peerContentJson(peer: OrthancPeer): JsonValue {
  return peer.Username ? [peer.Url, peer.Username, ""] : [peer.Url];
}

/** The object form of a peer, secrets included, which parsePeer reads back whole (saved forms). */
export function peerObjectForm(peer: OrthancPeer): JsonObject {
  const out: JsonObject = {
    Url: peer.Url,
    HttpHeaders: peer.HttpHeaders,
    Pkcs11: peer.Pkcs11,
    Timeout: peer.Timeout,
  };
  if (peer.Username) {
    out.Username = peer.Username;
    out.Password = peer.Password;
  }
  for (const key of ["CertificateFile", "CertificateKeyFile", "CertificateKeyPassword"] as const) {
    if (peer[key]) out[key] = peer[key];
  }
  return out;
}
