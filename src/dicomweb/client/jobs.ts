// The DICOMweb client's jobs, as the plugin names and fills them: DicomWebStowClient (local
// resources sent by STOW-RS, a chunk of instances a request and a step) and
// DicomWebWadoRetrieveClient (WADO-RS URIs of studies, series or instances fetched one a step,
// and stored). A failure is the plugin's: Orthanc's plugin error, the error under it in the
// job's content.
import type { JsonObject, JsonValue } from "../../dicom/tags-json.ts";
import { earlyJobTargets, jobTargets } from "../../server/job-targets.ts";
import { type PeerHttpOptions, type PeerRequest, requestPeer } from "../../peers/client.ts";
import type { PharosCore } from "../../server/core.ts";
import { ErrorCodes, OrthancError } from "../../server/errors.ts";
import type { Job, JobFactory, SteppedJob } from "../../server/jobs.ts";
import type { Resource } from "../../server/model.ts";
import { boundaryOf, multipartDicom, multipartParts } from "./multipart.ts";
import { type DicomWebServer, parseServer } from "./servers.ts";

export const STOW_JOB = "DicomWebStowClient";
export const RETRIEVE_JOB = "DicomWebWadoRetrieveClient";

/** One resource to retrieve: a study, or a series or an instance of it. */
export interface WadoResource {
  Study: string;
  Series?: string;
  Instance?: string;
}

/** How many instances one STOW-RS request carries. */
const STOW_CHUNK = 10;
const MB = 1024 * 1024;

const pluginError = () => new OrthancError("Plugin", "Error encountered within the plugin engine");

/**
 * The error under a job's failure, which the plugin shows in the job's content (without the
 * details of a network error, which its HTTP client does not pass on).
 */
function functionError(error: unknown): JsonObject {
  const e = error instanceof OrthancError ? error : new OrthancError("NetworkProtocol");
  return {
    FunctionErrorCode: ErrorCodes[e.kind].code,
    FunctionErrorDescription: ErrorCodes[e.kind].message,
  };
}

/** A request to the server; any failure (no answer, an error status) is a network error. */
async function request(
  server: DicomWebServer,
  options: PeerHttpOptions,
  what: PeerRequest,
): Promise<Response> {
  const answer = await requestPeer(server, options, what);
  if (!answer.ok) {
    await answer.arrayBuffer();
    throw new OrthancError("NetworkProtocol");
  }
  return answer;
}

const count = (value: JsonValue | undefined): number =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : 0;

export function dicomWebJobFactory(core: PharosCore, options: PeerHttpOptions): JobFactory {
  return (type, json) => {
    const params = json && typeof json === "object" && !Array.isArray(json) ? json : {};
    if (type === STOW_JOB) return new StowJob(core, options, params);
    if (type === RETRIEVE_JOB) return new RetrieveJob(core, options, params);
    return undefined;
  };
}

class StowJob implements SteppedJob {
  readonly savedAtEachMove = true;
  moved?: () => void;
  private readonly server: DicomWebServer;
  private targets?: Resource[];
  private position: number;
  private bytes: number;
  private failure?: JsonObject;

  constructor(
    private readonly core: PharosCore,
    private readonly options: PeerHttpOptions,
    private readonly params: JsonObject,
  ) {
    this.server = parseServer(params.server ?? null);
    this.position = count(params.position);
    this.bytes = count(params.bytes);
    this.targets = earlyJobTargets(core, params);
  }

  async step(): Promise<"continue" | "success"> {
    const targets = this.targets ??= jobTargets(this.core, this.params);
    const chunk = targets.slice(this.position, this.position + STOW_CHUNK);
    if (chunk.length > 0) {
      const files = await Promise.all(chunk.map((r) => this.core.dicomBytes(r)));
      const { body, contentType } = multipartDicom(files);
      try {
        const answer = await request(this.server, this.options, {
          method: "POST",
          path: "studies",
          body,
          headers: { "Content-Type": contentType, Accept: "application/dicom+json" },
        });
        await answer.arrayBuffer();
      } catch (error) {
        this.failure = functionError(error);
        throw pluginError();
      }
      this.bytes += body.length;
      this.position += chunk.length;
      this.moved?.();
    }
    return this.position < targets.length ? "continue" : "success";
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  reset(): void {
    this.targets = undefined;
    this.position = 0;
    this.bytes = 0;
    this.failure = undefined;
  }

  update(job: Job): void {
    const total = this.targets?.length ?? 0;
    job.progress = total > 0 ? Math.floor((100 * this.position) / total) : 0;
    job.content.InstancesCount = String(total);
    if (this.failure) {
      delete job.content.NetworkSizeMB;
      Object.assign(job.content, this.failure);
    } else job.content.NetworkSizeMB = String(Math.floor(this.bytes / MB));
  }

  serialize(): JsonValue {
    const out: JsonObject = { ...this.params, position: this.position, bytes: this.bytes };
    if (this.targets) out.instances = this.targets.map((t) => t.publicId);
    return out;
  }
}

/** The WADO-RS path of a resource to retrieve, below the server's URL. */
export function wadoPath(r: WadoResource): string {
  let path = `studies/${encodeURIComponent(r.Study)}`;
  if (r.Series) path += `/series/${encodeURIComponent(r.Series)}`;
  if (r.Series && r.Instance) path += `/instances/${encodeURIComponent(r.Instance)}`;
  return path;
}

class RetrieveJob implements SteppedJob {
  readonly savedAtEachMove = true;
  moved?: () => void;
  private readonly server: DicomWebServer;
  /** The WADO-RS URIs, below the server's URL. */
  private readonly paths: string[];
  private position: number;
  private received: number;
  private bytes: number;
  private failure?: JsonObject;

  constructor(
    private readonly core: PharosCore,
    private readonly options: PeerHttpOptions,
    private readonly params: JsonObject,
  ) {
    this.server = parseServer(params.server ?? null);
    this.paths = (Array.isArray(params.paths) ? params.paths : []).map(String);
    this.position = count(params.position);
    this.received = count(params.received);
    this.bytes = count(params.bytes);
  }

  async step(): Promise<"continue" | "success"> {
    const path = this.paths[this.position];
    if (path !== undefined) {
      try {
        await this.retrieve(path);
      } catch (error) {
        this.failure = functionError(error);
        throw pluginError();
      }
      this.position++;
      this.moved?.();
    }
    return this.position < this.paths.length ? "continue" : "success";
  }

  private async retrieve(path: string): Promise<void> {
    const universal = this.server.properties.HasWadoRsUniversalTransferSyntax !== "0";
    const accept = `multipart/related; type="application/dicom"` +
      (universal ? "; transfer-syntax=*" : "");
    const answer = await request(this.server, this.options, {
      method: "GET",
      path,
      headers: { Accept: accept },
    });
    const body = new Uint8Array(await answer.arrayBuffer());
    const boundary = boundaryOf(answer.headers.get("content-type") ?? "");
    if (!boundary) throw new OrthancError("NetworkProtocol");
    for (const part of multipartParts(body, boundary)) {
      await this.core.store(part, { kind: "Plugins" });
      this.received++;
    }
    this.bytes += body.length;
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  reset(): void {
    this.position = 0;
    this.received = 0;
    this.bytes = 0;
    this.failure = undefined;
  }

  update(job: Job): void {
    const total = this.paths.length;
    job.progress = total > 0 ? Math.floor((100 * this.position) / total) : 0;
    if (this.failure) {
      // The plugin's failed retrieve shows the error only.
      delete job.content.NetworkUsageMB;
      delete job.content.ReceivedInstancesCount;
      Object.assign(job.content, this.failure);
      return;
    }
    job.content.NetworkUsageMB = String(Math.floor(this.bytes / MB));
    job.content.ReceivedInstancesCount = String(this.received);
  }

  serialize(): JsonValue {
    return {
      ...this.params,
      position: this.position,
      received: this.received,
      bytes: this.bytes,
    };
  }
}
