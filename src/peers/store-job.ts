// Orthanc's OrthancPeerStore job (POST /peers/{id}/store): the instances below some resources,
// sent one per step to the peer's POST /instances, transcoded first if asked, gzip-encoded with
// Compress. Its content counts them and the bytes sent (Size as a string, as Orthanc). It moves
// and is saved at each instance sent, so that after a crash SaveJobs does not send it again.
import { gzipSync } from "node:zlib";
import type { JsonObject, JsonValue } from "../dicom/tags-json.ts";
import { earlyJobTargets, jobTargets } from "../server/job-targets.ts";
import type { Transcoders } from "../imaging/transcoders.ts";
import { log } from "../log.ts";
import type { PharosCore } from "../server/core.ts";
import { OrthancError } from "../server/errors.ts";
import type { Job, JobFactory, SteppedJob } from "../server/jobs.ts";
import type { Resource } from "../server/model.ts";
import { type PeerHttpOptions, requestPeer } from "./client.ts";
import { type OrthancPeer, parsePeer, peerObjectForm } from "./peer.ts";

export const PEER_STORE_JOB = "OrthancPeerStore";

export interface PeerStoreParams {
  peer: OrthancPeer;
  resources: string[];
  transcode?: string;
  compress: boolean;
}

/** The JSON parameters the registry builds the job from. */
export function peerStoreJobParams(params: PeerStoreParams): JsonObject {
  const out: JsonObject = {
    peer: peerObjectForm(params.peer),
    resources: params.resources,
    compress: params.compress,
  };
  if (params.transcode) out.transcode = params.transcode;
  return out;
}

const MB = 1024 * 1024;

const count = (value: JsonValue | undefined): number =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : 0;

export function peerJobFactory(
  core: PharosCore,
  transcoders: Transcoders,
  options: PeerHttpOptions,
): JobFactory {
  return (type, json) => {
    if (type !== PEER_STORE_JOB) return undefined;
    const params = json && typeof json === "object" && !Array.isArray(json) ? json : {};
    return new PeerStoreJob(core, transcoders, options, params);
  };
}

class PeerStoreJob implements SteppedJob {
  readonly savedAtEachMove = true;
  moved?: () => void;
  private readonly peer: OrthancPeer;
  private targets?: Resource[];
  private position: number;
  private size: number;
  /** The next instance's bytes, read ahead. */
  private ahead?: Promise<Uint8Array>;

  constructor(
    private readonly core: PharosCore,
    private readonly transcoders: Transcoders,
    private readonly options: PeerHttpOptions,
    private readonly params: JsonObject,
  ) {
    this.peer = parsePeer(params.peer ?? null);
    this.position = count(params.position);
    this.size = count(params.size);
    this.targets = earlyJobTargets(core, params);
  }

  async step(): Promise<"continue" | "success"> {
    const targets = this.targets ??= jobTargets(this.core, this.params);
    const instance = targets[this.position];
    if (instance) {
      const body = await (this.ahead ?? this.encoded(instance));
      // The next instance is read and encoded while this one travels.
      const next = targets[this.position + 1];
      this.ahead = next ? this.encoded(next) : undefined;
      this.ahead?.catch(() => {});
      const answer = await requestPeer(this.peer, this.options, {
        method: "POST",
        path: "instances",
        body,
        headers: {
          "Content-Type": "application/dicom",
          ...(this.params.compress === true ? { "Content-Encoding": "gzip" } : {}),
        },
      });
      await answer.arrayBuffer();
      if (!answer.ok) throw new OrthancError("NetworkProtocol");
      this.size += body.length;
      this.position++;
      this.moved?.();
    }
    return this.position < targets.length ? "continue" : "success";
  }

  /** The bytes that travel: transcoded if asked and possible, then gzip-encoded if asked. */
  private async encoded(instance: Resource): Promise<Uint8Array> {
    let out = await this.core.dicomBytes(instance);
    const syntax = this.params.transcode;
    if (typeof syntax === "string") {
      const transcoded = await this.transcoders.transcode(out, [syntax]);
      if (transcoded) out = transcoded;
      else log.warning(`Cannot transcode an instance to ${syntax}: sending it as it is stored`);
    }
    return this.params.compress === true ? gzipSync(out) : out;
  }

  stop(): Promise<void> {
    // Paused or over: what was read ahead is let go; a resume reads it again.
    this.ahead = undefined;
    return Promise.resolve();
  }

  reset(): void {
    this.ahead = undefined;
    this.targets = undefined;
    this.position = 0;
    this.size = 0;
  }

  update(job: Job): void {
    if (!this.targets) return;
    job.progress = this.targets.length > 0
      ? Math.floor((100 * this.position) / this.targets.length)
      : 0;
    job.content.InstancesCount = this.targets.length;
    job.content.Size = String(this.size);
    job.content.SizeMB = Math.floor(this.size / MB);
  }

  serialize(): JsonValue {
    const out: JsonObject = { ...this.params, position: this.position, size: this.size };
    if (this.targets) out.instances = this.targets.map((t) => t.publicId);
    return out;
  }
}
