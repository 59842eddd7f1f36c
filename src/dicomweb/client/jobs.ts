// The DICOMweb client's jobs, as the plugin names and fills them: DicomWebStowClient (local
// resources sent by STOW-RS: as the plugin, all of them in one request, streamed with chunked
// transfer encoding unless the server's ChunkedTransfers is "0", each file read as the request
// needs it; without chunked transfers, requests of at most STOW_BUFFERED bytes, which are held in
// memory) and
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
import { boundaryOf, multipartParts, StowFraming } from "./multipart.ts";
import { type DicomWebServer, parseServer } from "./servers.ts";

export const STOW_JOB = "DicomWebStowClient";
export const RETRIEVE_JOB = "DicomWebWadoRetrieveClient";

/** One resource to retrieve: a study, or a series or an instance of it. */
export interface WadoResource {
  Study: string;
  Series?: string;
  Instance?: string;
}

const MB = 1024 * 1024;
/** The most a STOW-RS request without chunked transfers holds (one bigger file goes alone). */
const STOW_BUFFERED = 64 * MB;

const pluginError = () => new OrthancError("Plugin", "Error encountered within the plugin engine");

/**
 * The error under a job's failure, which the plugin shows in the job's content (without the
 * details of a network error, which its HTTP client does not pass on).
 */
function functionError(error: unknown): JsonObject {
  const e = error instanceof OrthancError ? error : new OrthancError("NetworkProtocol");
  const out: JsonObject = {
    FunctionErrorCode: ErrorCodes[e.kind].code,
    FunctionErrorDescription: ErrorCodes[e.kind].message,
  };
  if (e instanceof StowAnswerError && e.details) out.FunctionErrorDetails = e.details;
  return out;
}

/** A STOW-RS answer the plugin refuses: its error has details, which the job's content shows. */
class StowAnswerError extends OrthancError {
  constructor(details: string) {
    super("NetworkProtocol", details);
  }
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

/**
 * The plugin's check of a STOW-RS answer: a ReferencedSOPSequence with one item per instance
 * sent, and no failed or other-failure items.
 */
function checkStowAnswer(text: string, server: string, sent: number): void {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  const unparsable = () =>
    new StowAnswerError(`Unable to parse STOW-RS JSON response from DICOMweb server ${server}`);
  if (!answer || typeof answer !== "object" || Array.isArray(answer)) throw unparsable();
  const json = answer as Record<string, unknown>;
  const size = (tag: string): number | undefined => {
    const value = json[tag.toUpperCase()] ?? json[tag.toLowerCase()];
    if (value === undefined) return undefined;
    if (!value || typeof value !== "object" || Array.isArray(value)) throw unparsable();
    const items = (value as Record<string, unknown>).Value;
    if (items === undefined) return 0;
    if (!Array.isArray(items)) throw unparsable();
    return items.length;
  };
  if (!("00081199" in json)) throw unparsable();
  const referenced = size("00081199") ?? 0;
  if (referenced !== sent) {
    throw new StowAnswerError(
      `The STOW-RS server was only able to receive ${referenced} instances out of ${sent}`,
    );
  }
  const failed = size("00081198") ?? 0;
  if (failed !== 0) {
    throw new StowAnswerError(
      `The response from the STOW-RS server contains ${failed} items in its Failed SOP Sequence (0008,1198) tag`,
    );
  }
  const other = size("0008119A") ?? 0;
  if (other !== 0) {
    throw new StowAnswerError(
      `The response from the STOW-RS server contains ${other} items in its Other Failures Sequence (0008,119A) tag`,
    );
  }
}

/** A stream that pulls the generator's chunks as the request sends them. */
function streamOf(chunks: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
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
  /** The instances the server acknowledged: where a restart goes on from. */
  private position: number;
  /** The instances read for the request under way (the progress, as the plugin's follows reads). */
  private read: number;
  private bytes: number;
  private failure?: JsonObject;

  constructor(
    private readonly core: PharosCore,
    private readonly options: PeerHttpOptions,
    private readonly params: JsonObject,
  ) {
    this.server = parseServer(params.server ?? null);
    this.position = count(params.position);
    this.read = this.position;
    this.bytes = count(params.bytes);
    this.targets = earlyJobTargets(core, params);
  }

  async step(): Promise<"continue" | "success"> {
    const targets = this.targets ??= jobTargets(this.core, this.params);
    if (this.position < targets.length) {
      this.read = this.position;
      const framing = new StowFraming();
      const chunked = this.server.properties.ChunkedTransfers !== "0";
      const parts = this.parts(targets, framing, chunked ? Infinity : STOW_BUFFERED);
      try {
        const body = chunked
          ? streamOf(parts)
          : new Uint8Array(Buffer.concat(await Array.fromAsync(parts)));
        const answer = await request(this.server, this.options, {
          method: "POST",
          path: "studies",
          body,
          headers: { "Content-Type": framing.contentType, Accept: "application/dicom+json" },
        });
        checkStowAnswer(await answer.text(), this.serverName(), this.read - this.position);
      } catch (error) {
        this.failure = functionError(error);
        throw pluginError();
      }
      this.position = this.read;
      this.moved?.();
    }
    return this.position < targets.length ? "continue" : "success";
  }

  /** The server's name, for the plugin's messages. */
  private serverName(): string {
    return typeof this.params.serverName === "string" ? this.params.serverName : "";
  }

  /**
   * The request's body, file by file from where the job is, each file read when the request
   * needs it. The job moves (and is saved) once the server has acknowledged them: a restart
   * after a crash sends again what no answer confirmed.
   */
  private async *parts(
    targets: Resource[],
    framing: StowFraming,
    limit: number,
  ): AsyncGenerator<Uint8Array> {
    let size = 0;
    while (this.read < targets.length) {
      const file = await this.core.dicomBytes(targets[this.read]!);
      if (size > 0 && size + file.length > limit) break;
      size += file.length;
      yield* framing.part(file);
      this.read++;
      this.bytes += file.length;
    }
    yield framing.end();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  reset(): void {
    this.targets = undefined;
    this.position = 0;
    this.read = 0;
    this.bytes = 0;
    this.failure = undefined;
  }

  update(job: Job): void {
    const total = this.targets?.length ?? 0;
    job.progress = total > 0 ? Math.floor((100 * this.read) / total) : 0;
    job.content.InstancesCount = String(total);
    // As the plugin's: the size shows once a file was read for the request.
    if (this.read > 0) job.content.NetworkSizeMB = String(Math.floor(this.bytes / MB));
    else delete job.content.NetworkSizeMB;
    if (this.failure) Object.assign(job.content, this.failure);
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
