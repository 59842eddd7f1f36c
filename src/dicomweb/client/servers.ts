// DICOMweb client (as Orthanc's DICOMweb plugin): the remote DICOMweb servers, from the
// configuration's DicomWeb.Servers and PUT /dicom-web/servers/{id}. A server is read as an Orthanc
// peer is (the same forms), its other fields kept as the plugin keeps them: strings, a boolean as
// "1" or "0" (HasDelete, ChunkedTransfers, HasWadoRsUniversalTransferSyntax...).
import { z } from "zod";
import { type Configuration, ConfigurationError } from "../../config/schema.ts";
import type { JsonObject, JsonValue } from "../../dicom/tags-json.ts";
import { type OrthancPeer, parsePeer, peerConfigurationJson } from "../../peers/peer.ts";
import { OrthancError } from "../../server/errors.ts";

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

/** The servers of the configuration: `DicomWeb.Servers`, an object of definitions. */
const ConfiguredServers = z.record(z.string(), z.custom<JsonValue>(() => true));

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

export class DicomWebServers {
  private readonly servers = new Map<string, DicomWebServer>();

  constructor(config: Configuration) {
    const section = config.raw.DicomWeb;
    const given = section && typeof section === "object" && "Servers" in section
      ? (section as { Servers: unknown }).Servers
      : {};
    const parsed = ConfiguredServers.safeParse(given);
    if (!parsed.success) {
      throw new ConfigurationError("DicomWeb.Servers must be an object of servers");
    }
    for (const [name, value] of Object.entries(parsed.data)) {
      this.servers.set(name, parseServer(value));
    }
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
  }

  delete(name: string): boolean {
    return this.servers.delete(name);
  }
}
