// Global properties (Orthanc's GlobalProperty): small named values kept in the index, for the
// server's own state (saved jobs, REST-defined modalities) and for plugins. On an index that
// several nodes share, a node's own state (its saved jobs) is kept apart under its identifier, as
// Orthanc keeps it per DatabaseServerIdentifier.
import { createHash } from "node:crypto";
import type { IndexBackend } from "../index/interface.ts";
import { GlobalProperty } from "./model.ts";

/** The properties of one node rather than of the archive. */
const PER_NODE = new Set<number>([GlobalProperty.JobsRegistry]);
const PER_NODE_STORE = "pharos.node-properties";

/** The identifier of a node: as configured, or derived from how it is reached. */
export function databaseServerIdentifier(
  config: {
    DatabaseServerIdentifier?: string;
    DicomAet: string;
    DicomPort: number;
    HttpPort: number;
  },
): string {
  if (config.DatabaseServerIdentifier !== undefined) return config.DatabaseServerIdentifier;
  return createHash("sha1")
    .update(`${config.DicomAet}|${config.DicomPort}|${config.HttpPort}`)
    .digest("hex");
}

export class GlobalProperties {
  /** `node`: this node's identifier when several share the index. */
  constructor(private readonly index: IndexBackend, private readonly node?: string) {}

  get(property: number): string | undefined {
    if (this.node === undefined || !PER_NODE.has(property)) {
      return this.index.globalProperty(property);
    }
    const value = this.index.keyValue(PER_NODE_STORE, `${this.node}/${property}`);
    return value === undefined ? undefined : new TextDecoder().decode(value);
  }

  set(property: number, value: string): void {
    if (this.node === undefined || !PER_NODE.has(property)) {
      this.index.setGlobalProperty(property, value);
      return;
    }
    this.index.storeKeyValue(
      PER_NODE_STORE,
      `${this.node}/${property}`,
      new TextEncoder().encode(value),
    );
  }
}
