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

const PERMISSIONS = [
  "AllowEcho",
  "AllowEventReport",
  "AllowFind",
  "AllowFindWorklist",
  "AllowGet",
  "AllowMove",
  "AllowNAction",
  "AllowStore",
  "AllowTranscoding",
] as const;

function bad(message: string): OrthancError {
  return new OrthancError("BadFileFormat", message);
}

/** Reads one modality as Orthanc does: `[AET, host, port(, manufacturer)]` or an object. */
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
  const port = (p: unknown): number => {
    const n = typeof p === "string" && /^\d+$/.test(p.trim()) ? Number(p) : p;
    if (typeof n !== "number" || !Number.isInteger(n) || n <= 0 || n > 65535) {
      throw bad("Bad port number for a DICOM modality");
    }
    return n;
  };
  if (Array.isArray(value)) {
    if (value.length < 3 || value.length > 4) throw bad("Bad DICOM modality");
    const [aet, host, p, manufacturer] = value;
    if (typeof aet !== "string" || typeof host !== "string") throw bad("Bad DICOM modality");
    out.AET = aet;
    out.Host = host;
    out.Port = port(p);
    if (typeof manufacturer === "string") out.Manufacturer = manufacturer;
    return out;
  }
  if (!value || typeof value !== "object") throw bad("Bad DICOM modality");
  const o = value as Record<string, unknown>;
  if (typeof o.AET !== "string" || typeof o.Host !== "string") {
    throw bad("Bad DICOM modality: AET and Host are required");
  }
  out.AET = o.AET;
  out.Host = o.Host;
  out.Port = port(o.Port ?? 104);
  if (typeof o.Manufacturer === "string") out.Manufacturer = o.Manufacturer;
  if (typeof o.LocalAet === "string") out.LocalAet = o.LocalAet;
  if (typeof o.Timeout === "number") out.Timeout = o.Timeout;
  if (typeof o.UseDicomTls === "boolean") out.UseDicomTls = o.UseDicomTls;
  for (const p of PERMISSIONS) {
    if (o[p] !== undefined) {
      if (typeof o[p] !== "boolean") throw bad(`Bad value for ${p}`);
      out[p] = o[p];
    }
  }
  // Orthanc 1.10 reads "AllowStorageCommitment" as both N-ACTION and N-EVENT-REPORT.
  if (typeof o.AllowStorageCommitment === "boolean") {
    out.AllowNAction = o.AllowStorageCommitment;
    out.AllowEventReport = o.AllowStorageCommitment;
  }
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
