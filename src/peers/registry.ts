// The Orthanc peers Pharos knows: the configuration's, plus those defined through the REST API
// (kept in memory, or in the index with OrthancPeersInDatabase).
import type { Configuration } from "../config/schema.ts";
import type { JsonValue } from "../dicom/tags-json.ts";
import { OrthancError } from "../server/errors.ts";
import { GlobalProperty } from "../server/model.ts";
import type { GlobalProperties } from "../server/properties.ts";
import { type OrthancPeer, parsePeer, peerObjectForm } from "./peer.ts";

export class PeerRegistry {
  private readonly peers = new Map<string, OrthancPeer>();

  constructor(
    private readonly config: Configuration,
    private readonly properties: GlobalProperties,
  ) {
    for (const [name, value] of Object.entries(config.OrthancPeers)) {
      this.peers.set(name, parsePeer(value as JsonValue));
    }
    if (config.OrthancPeersInDatabase) {
      const stored = properties.get(GlobalProperty.Peers);
      if (stored) {
        for (
          const [name, value] of Object.entries(JSON.parse(stored) as Record<string, JsonValue>)
        ) {
          this.peers.set(name, parsePeer(value));
        }
      }
    }
  }

  names(): string[] {
    return [...this.peers.keys()].sort();
  }

  get(name: string): OrthancPeer | undefined {
    return this.peers.get(name);
  }

  /** The peer of a symbolic name, or Orthanc's 404. */
  require(name: string): OrthancPeer {
    const peer = this.peers.get(name);
    if (!peer) throw new OrthancError("UnknownResource", `No peer with symbolic name: ${name}`);
    return peer;
  }

  set(name: string, peer: OrthancPeer): void {
    this.peers.set(name, peer);
    this.persist();
  }

  delete(name: string): boolean {
    const had = this.peers.delete(name);
    if (had) this.persist();
    return had;
  }

  private persist(): void {
    if (!this.config.OrthancPeersInDatabase) return;
    const stored = Object.fromEntries(
      [...this.peers].map(([name, p]) => [name, peerObjectForm(p)]),
    );
    this.properties.set(GlobalProperty.Peers, JSON.stringify(stored));
  }
}
