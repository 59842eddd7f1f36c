// DICOMweb client (as Orthanc's DICOMweb plugin): the remote DICOMweb servers, from the
// configuration's DicomWeb.Servers and PUT /dicom-web/servers/{id} (kept in the index with
// DicomWeb.ServersInDatabase). A server is read as an Orthanc
// peer is (the same forms), its other fields kept as the plugin keeps them: strings, a boolean as
// "1" or "0" (HasDelete, ChunkedTransfers, HasWadoRsUniversalTransferSyntax...).
import { z } from "zod";
import { type Configuration, ConfigurationError } from "../../config/schema.ts";
import type { JsonObject, JsonValue } from "../../dicom/tags-json.ts";
import {
  type OrthancPeer,
  parsePeer,
  peerConfigurationJson,
  peerObjectForm,
} from "../../peers/peer.ts";
import { OrthancError } from "../../server/errors.ts";
import { GlobalProperty } from "../../server/model.ts";
import type { GlobalProperties } from "../../server/properties.ts";

export interface DicomWebServer extends OrthancPeer {
  /** The plugin's user properties, as strings. */
  properties: Record<string, string>;
}

const PEER_FIELDS = new Set([
  "Url",
  "Username",
  "Password",
  "HttpHeaders",
  "CertificateFile",
  "CertificateKeyFile",
  "CertificateKeyPassword",
  "Pkcs11",
  "Timeout",
]);

/** The client's options in the configuration's DicomWeb section (the server's are not read here). */
const ClientSection = z.looseObject({
  Servers: z.record(z.string(), z.custom<JsonValue>(() => true)).optional(),
  ServersInDatabase: z.boolean().optional(),
});

export function parseServer(value: JsonValue): DicomWebServer {
  const properties: Record<string, string> = {};
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (PEER_FIELDS.has(key)) continue;
      if (typeof v === "string") properties[key] = v;
      else if (typeof v === "boolean") properties[key] = v ? "1" : "0";
      else throw new OrthancError("BadFileFormat", `Bad value for property: ${key}`);
    }
  }
  return { ...parsePeer(value), properties };
}

/** GET /dicom-web/servers/{id} and ?expand: the peer's fields, then the user properties. */
export function serverJson(server: DicomWebServer): JsonObject {
  return { ...peerConfigurationJson(server), ...server.properties };
}

/** The object form of a server, secrets and properties included, which parseServer reads back. */
export function serverObjectForm(server: DicomWebServer): JsonObject {
  return { ...peerObjectForm(server), ...server.properties };
}

export class DicomWebServers {
  private readonly servers = new Map<string, DicomWebServer>();

  private readonly inDatabase: boolean;

  constructor(config: Configuration, private readonly properties: GlobalProperties) {
    const parsed = ClientSection.safeParse(config.raw.DicomWeb ?? {});
    if (!parsed.success) {
      throw new ConfigurationError(
        "DicomWeb.Servers must be an object of servers, DicomWeb.ServersInDatabase a boolean",
      );
    }
    this.inDatabase = parsed.data.ServersInDatabase ?? false;
    for (const [name, value] of Object.entries(parsed.data.Servers ?? {})) {
      this.servers.set(name, parseServer(value));
    }
    const stored = this.inDatabase ? properties.get(GlobalProperty.DicomWebServers) : undefined;
    if (stored) {
      for (const [name, value] of Object.entries(JSON.parse(stored) as Record<string, JsonValue>)) {
        this.servers.set(name, parseServer(value));
      }
    }
  }

  private persist(): void {
    if (!this.inDatabase) return;
    const stored = Object.fromEntries(
      [...this.servers].map(([name, server]) => [name, serverObjectForm(server)]),
    );
    this.properties.set(GlobalProperty.DicomWebServers, JSON.stringify(stored));
  }

  names(): string[] {
    return [...this.servers.keys()].sort();
  }

  get(name: string): DicomWebServer | undefined {
    return this.servers.get(name);
  }

  /** The server of a name, or the plugin's error. */
  require(name: string): DicomWebServer {
    const server = this.servers.get(name);
    if (!server) throw new OrthancError("InexistentItem", `Inexistent server: ${name}`);
    return server;
  }

  set(name: string, server: DicomWebServer): void {
    this.servers.set(name, server);
    this.persist();
  }

  delete(name: string): boolean {
    const had = this.servers.delete(name);
    if (had) this.persist();
    return had;
  }
}
