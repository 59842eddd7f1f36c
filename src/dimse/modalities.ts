// DICOM modalities (Orthanc's DicomModalities): the configuration's, in its array and object
// forms, plus those defined through the REST API (kept in memory, or in the index with
// DicomModalitiesInDatabase).
import type { Configuration } from "../config/schema.ts";
import { GlobalProperty } from "../server/model.ts";
import type { GlobalProperties } from "../server/properties.ts";
import { OrthancError } from "../server/errors.ts";
import { matchingModalities } from "./association.ts";
import type { DicomTls, Peer } from "./types.ts";

export interface Modality {
  AET: string;
  AllowEcho: boolean;
  AllowEventReport: boolean;
  AllowFind: boolean;
  AllowFindWorklist: boolean;
  AllowGet: boolean;
  AllowMove: boolean;
  AllowNAction: boolean;
  AllowStore: boolean;
  AllowTranscoding: boolean;
  Host: string;
  LocalAet: string;
  Manufacturer: string;
  Port: number;
  Timeout: number;
  UseDicomTls: boolean;
}

/** The modalities Pharos sends to, by AET, and how to reach each. */
export interface ModalityDirectory {
  byAet(aet: string): Modality | undefined;
  peerOf(modality: Modality): Peer;
}

/**
 * How to reach a modality: its own LocalAet and Timeout, else DicomAet and DicomScuTimeout; over
 * DICOM TLS with UseDicomTls, which needs the DicomTls* certificates.
 */
export function peerOf(
  modality: Modality,
  defaults: Pick<Configuration, "DicomAet" | "DicomScuTimeout">,
  tls: DicomTls | undefined,
): Peer {
  if (modality.UseDicomTls && !tls) {
    throw new OrthancError(
      "BadFileFormat",
      `Modality "${modality.AET}" uses DICOM TLS, but DicomTlsCertificate, ` +
        "DicomTlsPrivateKey and DicomTlsTrustedCertificates are not all configured",
    );
  }
  return {
    host: modality.Host,
    port: modality.Port,
    aet: modality.AET,
    localAet: modality.LocalAet || defaults.DicomAet,
    timeoutSeconds: modality.Timeout || defaults.DicomScuTimeout,
    ...(modality.UseDicomTls ? { tls } : {}),
  };
}

/** Orthanc's manufacturers, and the obsolete names it still reads as one of them. */
const MANUFACTURERS: Record<string, string> = {
  Generic: "Generic",
  GenericNoWildcardInDates: "GenericNoWildcardInDates",
  GenericNoUniversalWildcard: "GenericNoUniversalWildcard",
  Vitrea: "Vitrea",
  GE: "GE",
  AgfaImpax: "GenericNoWildcardInDates",
  SyngoVia: "GenericNoWildcardInDates",
  ClearCanvas: "Generic",
  Dcm4Chee: "Generic",
  EFilm2: "Generic",
  MedInria: "Generic",
};

const badFormat = (details?: string) => new OrthancError("BadFileFormat", details);

function manufacturer(name: string): string {
  const known = Object.hasOwn(MANUFACTURERS, name) ? MANUFACTURERS[name] : undefined;
  if (!known) {
    throw new OrthancError("ParameterOutOfRange", `Unknown modality manufacturer: "${name}"`);
  }
  return known;
}

/** A port as Orthanc reads it: an integer, or a string holding one; 1 to 65534. */
function port(value: unknown): number {
  const n = typeof value === "string" && /^[+-]?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n)) throw badFormat();
  if (n <= 0 || n >= 65535) {
    throw new OrthancError(
      "ParameterOutOfRange",
      `A TCP port number must be in range [1..65534], but found: ${n}`,
    );
  }
  return n;
}

function stringField(o: Record<string, unknown>, key: string): string {
  const value = o[key];
  if (typeof value !== "string") throw badFormat(`String value expected in field: ${key}`);
  return value;
}

function booleanField(o: Record<string, unknown>, key: string): boolean {
  const value = o[key];
  if (typeof value !== "boolean") throw badFormat(`Boolean value expected in field: ${key}`);
  return value;
}

function unsignedField(o: Record<string, unknown>, key: string): number {
  const value = o[key];
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw badFormat(`Integer value expected in field: ${key}`);
  }
  if (value < 0) throw badFormat(`Unsigned integer value expected in field: ${key}`);
  return value;
}

/** The permissions in the order Orthanc reads them (AllowStorageCommitment overrides two). */
const PERMISSIONS = [
  "AllowEcho",
  "AllowFind",
  "AllowFindWorklist",
  "AllowStore",
  "AllowGet",
  "AllowMove",
  "AllowNAction",
  "AllowEventReport",
] as const;

/**
 * Reads one modality as Orthanc 1.10 does, with its errors: `[AET, host, port(, manufacturer)]`
 * or an object with AET, Host and Port required.
 */
export function parseModality(value: unknown): Modality {
  const out: Modality = {
    AET: "",
    AllowEcho: true,
    AllowEventReport: true,
    AllowFind: true,
    AllowFindWorklist: true,
    AllowGet: true,
    AllowMove: true,
    AllowNAction: true,
    AllowStore: true,
    AllowTranscoding: true,
    Host: "",
    LocalAet: "",
    Manufacturer: "Generic",
    Port: 104,
    Timeout: 0,
    UseDicomTls: false,
  };
  if (Array.isArray(value)) {
    const [aet, host, p, name] = value;
    if (
      (value.length !== 3 && value.length !== 4) || typeof aet !== "string" ||
      typeof host !== "string" || (value.length === 4 && typeof name !== "string")
    ) throw badFormat();
    out.AET = aet;
    out.Host = host;
    out.Port = port(p);
    if (typeof name === "string") out.Manufacturer = manufacturer(name);
    return out;
  }
  if (!value || typeof value !== "object") throw badFormat();
  const o = value as Record<string, unknown>;
  out.AET = stringField(o, "AET");
  out.Host = stringField(o, "Host");
  if (o.Port === undefined) throw badFormat();
  out.Port = port(o.Port);
  if (o.Manufacturer !== undefined) out.Manufacturer = manufacturer(stringField(o, "Manufacturer"));
  for (const p of PERMISSIONS) if (o[p] !== undefined) out[p] = booleanField(o, p);
  if (o.AllowStorageCommitment !== undefined) {
    out.AllowNAction = out.AllowEventReport = booleanField(o, "AllowStorageCommitment");
  }
  if (o.AllowTranscoding !== undefined) {
    out.AllowTranscoding = booleanField(o, "AllowTranscoding");
  }
  if (o.UseDicomTls !== undefined) out.UseDicomTls = booleanField(o, "UseDicomTls");
  if (o.LocalAet !== undefined) out.LocalAet = stringField(o, "LocalAet");
  if (o.Timeout !== undefined) out.Timeout = unsignedField(o, "Timeout");
  return out;
}

export class ModalityRegistry {
  private readonly modalities = new Map<string, Modality>();

  constructor(
    private readonly config: Configuration,
    private readonly properties: GlobalProperties,
  ) {
    for (const [name, value] of Object.entries(config.DicomModalities)) {
      this.modalities.set(name, parseModality(value));
    }
    if (config.DicomModalitiesInDatabase) {
      const stored = properties.get(GlobalProperty.Modalities);
      if (stored) {
        for (const [name, value] of Object.entries(JSON.parse(stored) as Record<string, unknown>)) {
          this.modalities.set(name, parseModality(value));
        }
      }
    }
  }

  names(): string[] {
    return [...this.modalities.keys()].sort();
  }

  get(name: string): Modality | undefined {
    return this.modalities.get(name);
  }

  entries(): [string, Modality][] {
    return this.names().map((n) => [n, this.modalities.get(n)!]);
  }

  set(name: string, modality: Modality): void {
    this.modalities.set(name, modality);
    this.persist();
  }

  delete(name: string): boolean {
    const had = this.modalities.delete(name);
    if (had) this.persist();
    return had;
  }

  private persist(): void {
    if (!this.config.DicomModalitiesInDatabase) return;
    this.properties.set(
      GlobalProperty.Modalities,
      JSON.stringify(Object.fromEntries(this.modalities)),
    );
  }

  /** The modalities an incoming association matches: same AET, and same host if checked. */
  matching(aet: string, remoteIp: string): Modality[] {
    return matchingModalities(this.modalities.values(), aet, remoteIp, {
      strictAetComparison: this.config.StrictAetComparison,
      checkModalityHost: this.config.DicomCheckModalityHost,
    });
  }

  all(): Modality[] {
    return [...this.modalities.values()];
  }

  /** The modality a C-MOVE destination AET designates. */
  byAet(aet: string): Modality | undefined {
    return this.matching(aet, "").find(() => true) ??
      [...this.modalities.values()].find((m) => m.AET === aet);
  }
}
