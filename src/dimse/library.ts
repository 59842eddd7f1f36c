// The one file that knows the DIMSE library (dcmjs-dimse). Everything else speaks the
// interface of types.ts, so the library can be replaced without touching the handlers.
//
// Fidelity: a C-STORE dataset is collected through the library's store writable stream (the
// raw PDV bytes, never a re-serialized dataset). Identifiers (C-FIND/C-MOVE/C-GET) are taken
// as raw bytes too, and everything Pharos sends is bytes it encoded or stored itself: the
// library only frames them.
import { createServer, type Socket } from "node:net";
import { log } from "../log.ts";
import { Writable } from "node:stream";
import type * as DimseModule from "dcmjs-dimse";
import {
  type AssociationInfo,
  type DimseCommand,
  DimseError,
  type DimseInstance,
  type DimseServer,
  type Peer,
  type ProposedContext,
  type ReceivedStore,
  type RetrieveResult,
  type ScpHandlers,
  type ScpOptions,
  type ScuClient,
  STORAGE_COMMITMENT_CLASS,
  STORAGE_COMMITMENT_INSTANCE,
  type SubOperationCounts,
} from "./types.ts";
import { PHAROS_IMPLEMENTATION_UID } from "./codec.ts";

type Dimse = typeof DimseModule;
type Dataset = InstanceType<Dimse["Dataset"]>;
type Request = InstanceType<Dimse["requests"]["Request"]>;
type Response = InstanceType<Dimse["responses"]["Response"]>;
type PresentationContext = InstanceType<Dimse["association"]["PresentationContext"]>;

const RAW = Symbol("pharos-raw-dataset");
const CHUNKS = Symbol("pharos-store-chunks");
const ENCODED = Symbol("pharos-encoded");

export const IMPLICIT_LE = "1.2.840.10008.1.2";
export const EXPLICIT_LE = "1.2.840.10008.1.2.1";
const WORKLIST_FIND = "1.2.840.10008.5.1.4.31";

let loaded: Dimse | undefined;
/** MaximumPduLength, known at startup, applied whenever the library loads. */
let maxPduLength: number | undefined;

/**
 * Loads the library once (it brings its own dcmjs, so it is not loaded before the DICOM
 * server starts or the first SCU call), silences its logger and installs the hook that keeps
 * the raw bytes of every non-C-STORE dataset it receives.
 */
function dimse(): Dimse {
  if (loaded) return loaded;
  const lib = require("dcmjs-dimse") as Dimse;
  lib.Implementation.setImplementationClassUid(PHAROS_IMPLEMENTATION_UID);
  lib.Implementation.setImplementationVersion("PHAROS_010");
  if (maxPduLength !== undefined) lib.Implementation.setMaxPduLength(maxPduLength);
  lib.log.setLevel(process.env.PHAROS_DIMSE_TRACE ? "trace" : "silent");
  // Network (the parent of Scp) accumulates each incoming dataset in `this.dimseStream` and
  // parses it with `toBuffer()`; keep those bytes on the message being completed (a symbol
  // property survives the library's Object.assign copies of responses).
  const networkProto = Object.getPrototypeOf(lib.Scp.prototype) as object;
  const slot = Symbol("dimseStream");
  Object.defineProperty(networkProto, "dimseStream", {
    configurable: true,
    get(this: Record<symbol, unknown>) {
      return this[slot];
    },
    set(this: Record<symbol, unknown> & { dimse?: Record<symbol, unknown> }, stream) {
      if (stream && typeof (stream as { toBuffer?: unknown }).toBuffer === "function") {
        const original = (stream as { toBuffer: () => Buffer }).toBuffer.bind(stream);
        (stream as { toBuffer: () => Buffer }).toBuffer = () => {
          const buffer = original();
          if (this.dimse) this.dimse[RAW] = new Uint8Array(buffer);
          return buffer;
        };
      }
      this[slot] = stream;
    },
  });
  // A dataset Pharos encoded itself is re-encoded by Pharos when the peer accepted another
  // transfer syntax than the one it was written in; anything else would need a codec.
  const transcode = lib.Transcoding.transcodeDataset.bind(lib.Transcoding);
  lib.Transcoding.transcodeDataset = (dataset, transferSyntax, opts) => {
    const encode = (dataset as unknown as Record<symbol, unknown>)[ENCODED] as
      | ((ts: string) => Uint8Array | undefined)
      | undefined;
    if (encode) {
      const bytes = encode(transferSyntax);
      if (!bytes) throw new Error(`Cannot send this dataset in transfer syntax ${transferSyntax}`);
      return bytesDataset(lib, bytes, transferSyntax, encode);
    }
    return transcode(dataset, transferSyntax, opts);
  };
  // The SCU side (a Client's network) keeps a C-STORE sub-operation of C-GET as the bytes
  // received, without parsing them (the SCP overrides this method with its own stream).
  (networkProto as {
    createDatasetFromStoreWritableStream: (
      w: { toBuffer(): Buffer },
      c: PresentationContext,
      cb: (d: Dataset) => void,
    ) => void;
  }).createDatasetFromStoreWritableStream = (writable, context, callback) => {
    const buffer = writable.toBuffer();
    const dataset = new lib.Dataset({}, context.getAcceptedTransferSyntaxUid());
    (dataset as unknown as Record<symbol, unknown>)[CHUNKS] = [
      new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length),
    ];
    callback(dataset);
  };
  loaded = lib;
  return lib;
}

/** A library Dataset whose serialization is the given bytes. */
function bytesDataset(
  lib: Dimse,
  bytes: Uint8Array,
  transferSyntax: string,
  encode?: (ts: string) => Uint8Array | undefined,
  elements: Record<string, unknown> = {},
): Dataset {
  const dataset = new lib.Dataset(elements, transferSyntax);
  dataset.getDenaturalizedDataset = () => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (encode) (dataset as unknown as Record<symbol, unknown>)[ENCODED] = encode;
  return dataset;
}

function rawOf(message: unknown): Uint8Array {
  const raw = (message as Record<symbol, unknown>)[RAW];
  return raw instanceof Uint8Array ? raw : new Uint8Array(0);
}

function emptyCounts(): SubOperationCounts {
  return { remaining: 0, completed: 0, failed: 0, warning: 0 };
}

// ---------------------------------------------------------------------------------------------
// SCP

type ScpConstructor = new (socket: Socket, opts: Record<string, unknown>) => {
  connected: boolean;
  on(event: "networkError", listener: (error: Error) => void): void;
};

/**
 * Listens on the DICOM port at once, but loads the DIMSE library (and the dcmjs it brings,
 * ~30 MiB and ~50 ms) with the first association: a server nobody calls over DICOM never pays.
 */
export function startScp(handlers: ScpHandlers, options: ScpOptions): Promise<DimseServer> {
  maxPduLength = options.maxPduLength;
  if (loaded) loaded.Implementation.setMaxPduLength(maxPduLength);
  const timeout = options.timeoutSeconds > 0 ? options.timeoutSeconds * 1000 : 2 ** 31 - 1;
  const opts = { connectTimeout: timeout, associationTimeout: timeout, pduTimeout: timeout };
  let Scp: ScpConstructor | undefined;
  const server = createServer((socket) => {
    Scp ??= scpClass(handlers);
    const scp = new Scp(socket, opts);
    // As the library's own server does: the association is live, and a network error ends it.
    scp.connected = true;
    scp.on("networkError", () => socket.end());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, () => {
      server.off("error", reject);
      server.on("error", (error) => log.error(`DICOM server: ${error.message}`));
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : options.port,
        close: () => server.close(),
      });
    });
  });
}

/** The SCP class, built on the library once it is loaded. */
function scpClass(handlers: ScpHandlers): ScpConstructor {
  const lib = dimse();
  const { Status, PresentationContextResult, RejectResult, RejectSource, RejectReason } =
    lib.constants;
  const R = lib.responses;

  class PharosScp extends lib.Scp {
    private info: AssociationInfo = { callingAet: "", calledAet: "", remoteIp: "" };
    private closed = false;

    constructor(socket: Socket, opts: Record<string, unknown>) {
      super(socket, opts);
      socket.setNoDelay(true);
      socket.on("close", () => (this.closed = true));
    }

    private sock(): Socket {
      return (this as unknown as { socket: Socket }).socket;
    }

    override associationRequested(association: InstanceType<Dimse["association"]["Association"]>) {
      const remote = this.sock().remoteAddress ?? "";
      this.info = {
        callingAet: association.getCallingAeTitle().trim(),
        calledAet: association.getCalledAeTitle().trim(),
        remoteIp: remote.startsWith("::ffff:") ? remote.slice(7) : remote,
      };
      const contexts: ProposedContext[] = association.getPresentationContexts().map((c) => ({
        id: c.id,
        abstractSyntax: c.context.getAbstractSyntaxUid(),
        transferSyntaxes: c.context.getTransferSyntaxUids(),
      }));
      let answer;
      try {
        answer = handlers.associate({ ...this.info, contexts });
      } catch {
        answer = { kind: "reject", reason: "NoReason" } as const;
      }
      if (answer.kind === "reject") {
        this.sendAssociationReject(
          RejectResult.Permanent,
          RejectSource.ServiceUser,
          answer.reason === "CallingAe"
            ? RejectReason.CallingAeNotRecognized
            : answer.reason === "CalledAe"
            ? RejectReason.CalledAeNotRecognized
            : RejectReason.NoReasonGiven,
        );
        setTimeout(() => this.sock().end(), 100);
        return;
      }
      for (const c of association.getPresentationContexts()) {
        const ts = answer.accepted.get(c.id);
        if (ts) c.context.setResult(PresentationContextResult.Accept, ts);
        else {
          c.context.setResult(
            answer.refusedAbstractSyntax.has(c.id)
              ? PresentationContextResult.RejectAbstractSyntaxNotSupported
              : PresentationContextResult.RejectTransferSyntaxesNotSupported,
          );
        }
      }
      this.sendAssociationAccept();
    }

    override associationReleaseRequested() {
      this.sendAssociationReleaseResponse();
    }

    override abort() {
      // The peer aborted: drop the association; a C-STORE under way is never stored.
      this.sock().destroy();
    }

    override createStoreWritableStream(): Writable {
      const chunks: Uint8Array[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
          callback();
        },
      });
      (stream as unknown as Record<symbol, unknown>)[CHUNKS] = chunks;
      return stream;
    }

    override createDatasetFromStoreWritableStream(
      writable: Writable,
      context: PresentationContext,
      callback: (dataset: Dataset) => void,
    ) {
      const dataset = new lib.Dataset({}, context.getAcceptedTransferSyntaxUid());
      (dataset as unknown as Record<symbol, unknown>)[CHUNKS] =
        (writable as unknown as Record<symbol, unknown>)[CHUNKS];
      callback(dataset);
    }

    /** Runs a handler; a refused command or an exception aborts the association. */
    private guard(command: DimseCommand, run: () => Promise<void>) {
      if (!handlers.allowed(this.info, command)) {
        this.sendAbort();
        setTimeout(() => this.sock().destroy(), 50);
        return;
      }
      run().catch(() => {
        if (!this.closed) {
          this.sendAbort();
          this.sock().destroy();
        }
      });
    }

    override cEchoRequest(
      request: InstanceType<Dimse["requests"]["CEchoRequest"]>,
      callback: (r: InstanceType<Dimse["responses"]["CEchoResponse"]>) => void,
    ) {
      this.guard("Echo", async () => {
        const response = R.CEchoResponse.fromRequest(request);
        response.setStatus(await handlers.echo(this.info));
        callback(response);
      });
    }

    override cStoreRequest(
      request: InstanceType<Dimse["requests"]["CStoreRequest"]>,
      callback: (r: InstanceType<Dimse["responses"]["CStoreResponse"]>) => void,
    ) {
      const chunks = (request.getDataset() as unknown as Record<symbol, unknown> | undefined)?.[
        CHUNKS
      ] as Uint8Array[] | undefined;
      const transferSyntax = request.getDataset()?.getTransferSyntaxUid() ?? IMPLICIT_LE;
      this.guard("Store", async () => {
        const response = R.CStoreResponse.fromRequest(request);
        const originator = request.getCommandDataset().getElement(
          "MoveOriginatorApplicationEntityTitle",
        );
        const status = await handlers.store(this.info, {
          sopClassUid: request.getAffectedSopClassUid(),
          sopInstanceUid: request.getAffectedSopInstanceUid(),
          transferSyntax,
          chunks: chunks ?? [],
          moveOriginatorAet: typeof originator === "string" ? originator : undefined,
        });
        response.setStatus(status);
        if (!this.closed) callback(response);
      });
    }

    override cFindRequest(
      request: InstanceType<Dimse["requests"]["CFindRequest"]>,
      callback: (r: InstanceType<Dimse["responses"]["CFindResponse"]>[]) => void,
    ) {
      const worklist = request.getAffectedSopClassUid() === WORKLIST_FIND;
      this.guard(worklist ? "FindWorklist" : "Find", async () => {
        const transferSyntax = request.getDataset()?.getTransferSyntaxUid() ?? IMPLICIT_LE;
        const result = await handlers.find(this.info, {
          sopClassUid: request.getAffectedSopClassUid(),
          transferSyntax,
          bytes: rawOf(request),
        });
        const responses = result.answers.map((answer) => {
          const r = R.CFindResponse.fromRequest(request);
          r.setStatus(Status.Pending);
          r.setDataset(bytesDataset(lib, answer, transferSyntax));
          return r;
        });
        const last = R.CFindResponse.fromRequest(request);
        last.setStatus(result.status);
        responses.push(last);
        if (!this.closed) callback(responses);
      });
    }

    override cMoveRequest(
      request: InstanceType<Dimse["requests"]["CMoveRequest"]>,
      callback: (r: InstanceType<Dimse["responses"]["CMoveResponse"]>[]) => void,
    ) {
      this.guard("Move", async () => {
        const transferSyntax = request.getDataset()?.getTransferSyntaxUid() ?? IMPLICIT_LE;
        const destination = String(request.getCommandDataset().getElement("MoveDestination") ?? "")
          .trim();
        const progress = (counts: SubOperationCounts) => {
          if (this.closed) return;
          this.sendResponse(request, moveResponse(request, Status.Pending, counts));
        };
        const result = await handlers.move(
          this.info,
          { sopClassUid: request.getAffectedSopClassUid(), transferSyntax, bytes: rawOf(request) },
          destination,
          request.getMessageId(),
          progress,
        );
        if (!this.closed) callback([moveResponse(request, result.status, result.counts)]);
      });
    }

    override cGetRequest(
      request: InstanceType<Dimse["requests"]["CGetRequest"]>,
      callback: (r: InstanceType<Dimse["responses"]["CGetResponse"]>[]) => void,
    ) {
      this.guard("Get", async () => {
        const transferSyntax = request.getDataset()?.getTransferSyntaxUid() ?? IMPLICIT_LE;
        const progress = (counts: SubOperationCounts) => {
          if (this.closed) return;
          this.sendResponse(request, getResponse(request, Status.Pending, counts));
        };
        const send = (instance: DimseInstance) => this.subStore(instance);
        const result = await handlers.get(
          this.info,
          { sopClassUid: request.getAffectedSopClassUid(), transferSyntax, bytes: rawOf(request) },
          send,
          progress,
        );
        if (!this.closed) callback([getResponse(request, result.status, result.counts)]);
      });
    }

    override nActionRequest(
      request: InstanceType<Dimse["requests"]["NActionRequest"]>,
      callback: (r: InstanceType<Dimse["responses"]["NActionResponse"]>) => void,
    ) {
      this.guard("NAction", async () => {
        const status = await handlers.nAction(this.info, request.getActionTypeId(), {
          sopClassUid: request.getRequestedSopClassUid(),
          transferSyntax: request.getDataset()?.getTransferSyntaxUid() ?? IMPLICIT_LE,
          bytes: rawOf(request),
        });
        const response = R.NActionResponse.fromRequest(request);
        response.setStatus(status);
        if (!this.closed) callback(response);
      });
    }

    override nEventReportRequest(
      request: InstanceType<Dimse["requests"]["NEventReportRequest"]>,
      callback: (r: InstanceType<Dimse["responses"]["NEventReportResponse"]>) => void,
    ) {
      this.guard("EventReport", async () => {
        const status = await handlers.eventReport(this.info, request.getEventTypeId(), {
          sopClassUid: request.getAffectedSopClassUid(),
          transferSyntax: request.getDataset()?.getTransferSyntaxUid() ?? IMPLICIT_LE,
          bytes: rawOf(request),
        });
        const response = R.NEventReportResponse.fromRequest(request);
        response.setStatus(status);
        if (!this.closed) callback(response);
      });
    }

    /** A C-STORE sub-operation of C-GET, on this association; resolves to its status. */
    private subStore(instance: DimseInstance): Promise<number> {
      const request = storeRequest(lib, instance);
      const association = (this as unknown as {
        association: InstanceType<Dimse["association"]["Association"]>;
      }).association;
      const context = association.getAcceptedPresentationContextFromRequest(request);
      if (!context || context.getAcceptedTransferSyntaxUid() !== instance.transferSyntax) {
        return Promise.resolve(-1);
      }
      return new Promise((resolve) => {
        let status = -1;
        const socket = this.sock();
        const closed = () => resolve(-1);
        socket.once("close", closed);
        request.on("response", (r: Response) => (status = r.getStatus()));
        request.on("done", () => {
          socket.off("close", closed);
          resolve(status);
        });
        this.sendRequests(request);
      });
    }
  }

  function moveResponse(
    request: InstanceType<Dimse["requests"]["CMoveRequest"]>,
    status: number,
    counts: SubOperationCounts,
  ) {
    const r = R.CMoveResponse.fromRequest(request);
    r.setStatus(status);
    r.setRemaining(counts.remaining);
    r.setCompleted(counts.completed);
    r.setFailures(counts.failed);
    r.setWarnings(counts.warning);
    return r;
  }

  function getResponse(
    request: InstanceType<Dimse["requests"]["CGetRequest"]>,
    status: number,
    counts: SubOperationCounts,
  ) {
    const r = R.CGetResponse.fromRequest(request);
    r.setStatus(status);
    r.setRemaining(counts.remaining);
    r.setCompleted(counts.completed);
    r.setFailures(counts.failed);
    r.setWarnings(counts.warning);
    return r;
  }

  return PharosScp as unknown as ScpConstructor;
}

function storeRequest(lib: Dimse, instance: DimseInstance) {
  // The request takes its UIDs from a tiny dataset whose serialization is the stored bytes.
  // The bytes travel only in their own transfer syntax: were the library to pick another
  // context of the SOP class, the transcoding hook refuses, and the sub-operation fails.
  const dataset = bytesDataset(
    lib,
    instance.dataset,
    instance.transferSyntax,
    (ts) => (ts === instance.transferSyntax ? instance.dataset : undefined),
    {
      SOPClassUID: instance.sopClassUid,
      SOPInstanceUID: instance.sopInstanceUid,
    },
  );
  return new lib.requests.CStoreRequest(dataset);
}

// ---------------------------------------------------------------------------------------------
// SCU

interface Exchange {
  requests: Request[];
  extraContexts?: {
    abstractSyntax: string;
    transferSyntax: string;
    /** More transfer syntaxes proposed in the same context. */
    more?: string[];
    /** Proposes the SCP role too (storage contexts of a C-GET). */
    scpRole?: boolean;
  }[];
  /** C-STORE requests received on the association (C-GET sub-operations). */
  onStore?: (store: ReceivedStore) => Promise<number>;
}

/** Runs requests over one association; resolves when it is released or closed. */
function runAssociation(peer: Peer, exchange: Exchange): Promise<void> {
  const lib = dimse();
  const client = new lib.Client();
  for (const r of exchange.requests) client.addRequest(r);
  for (const c of exchange.extraContexts ?? []) {
    const context = c.scpRole
      ? new lib.association.PresentationContext(
        0,
        c.abstractSyntax,
        c.transferSyntax,
        0,
        true,
        true,
      )
      : new lib.association.PresentationContext(0, c.abstractSyntax, c.transferSyntax);
    for (const ts of c.more ?? []) context.addTransferSyntaxUid(ts);
    client.addAdditionalPresentationContext(context, true);
  }
  const onStore = exchange.onStore;
  if (onStore) {
    client.on(
      "cStoreRequest",
      (
        request: InstanceType<Dimse["requests"]["CStoreRequest"]>,
        callback: (r: InstanceType<Dimse["responses"]["CStoreResponse"]>) => void,
      ) => {
        const dataset = request.getDataset();
        const chunks = (dataset as unknown as Record<symbol, unknown> | undefined)?.[CHUNKS] as
          | Uint8Array[]
          | undefined;
        const response = lib.responses.CStoreResponse.fromRequest(request);
        onStore({
          sopClassUid: request.getAffectedSopClassUid(),
          sopInstanceUid: request.getAffectedSopInstanceUid(),
          transferSyntax: dataset?.getTransferSyntaxUid() ?? IMPLICIT_LE,
          chunks: chunks ?? [],
        }).catch(() => 0xa700).then((status) => {
          response.setStatus(status);
          callback(response);
        });
      },
    );
  }
  const timeout = peer.timeoutSeconds > 0 ? peer.timeoutSeconds * 1000 : 2 ** 31 - 1;
  return new Promise((resolve, reject) => {
    let failure: DimseError | undefined;
    client.on("associationRejected", () => {
      failure = new DimseError(`Association rejected by ${peer.aet} (${peer.host}:${peer.port})`);
    });
    client.on("networkError", (error: Error) => {
      failure ??= new DimseError(
        `DicomAssociation - connecting to AET "${peer.aet}": ${error.message}`,
      );
    });
    client.on("closed", () => (failure ? reject(failure) : resolve()));
    try {
      client.send(peer.host, peer.port, peer.localAet, peer.aet, {
        connectTimeout: timeout,
        associationTimeout: timeout,
        pduTimeout: timeout,
      });
    } catch (error) {
      reject(new DimseError(String(error)));
    }
  });
}

function responsesOf(request: Request): { all: Response[]; done: Promise<void> } {
  const all: Response[] = [];
  const done = new Promise<void>((resolve) => {
    request.on("response", (r: Response) => all.push(r));
    request.on("done", () => resolve());
  });
  return { all, done };
}

function identifierDataset(lib: Dimse, encode: (ts: string) => Uint8Array): Dataset {
  return bytesDataset(
    lib,
    encode(IMPLICIT_LE),
    IMPLICIT_LE,
    (ts) => ts === IMPLICIT_LE || ts === EXPLICIT_LE ? encode(ts) : undefined,
  );
}

export const scu: ScuClient = {
  async echo(peer) {
    const lib = dimse();
    const request = new lib.requests.CEchoRequest();
    const { all } = responsesOf(request);
    await runAssociation(peer, { requests: [request] });
    const status = all[0]?.getStatus();
    if (status !== 0) {
      throw new DimseError(`C-ECHO to ${peer.aet} failed (status ${status ?? "none"})`, status);
    }
  },

  async store(peer, instances, options = {}) {
    if (instances.length === 0) return [];
    const lib = dimse();
    const { moveOriginator, onEach } = options;
    const requests = instances.map((instance, index) => {
      const request = storeRequest(lib, instance);
      if (moveOriginator) {
        const command = request.getCommandDataset();
        command.setElement("MoveOriginatorApplicationEntityTitle", moveOriginator.aet);
        command.setElement("MoveOriginatorMessageID", moveOriginator.messageId as never);
      }
      if (onEach) {
        let status = -1;
        request.on("response", (r: Response) => (status = r.getStatus()));
        request.on("done", () => onEach(status, index));
      }
      return request;
    });
    const results = requests.map((r) => responsesOf(r));
    // One context per (SOP class, transfer syntax) carrying only that transfer syntax, so that
    // the stored bytes go out as they are.
    const seen = new Set<string>();
    const extraContexts = [];
    for (const i of instances) {
      const key = `${i.sopClassUid}|${i.transferSyntax}`;
      if (seen.has(key)) continue;
      seen.add(key);
      extraContexts.push({ abstractSyntax: i.sopClassUid, transferSyntax: i.transferSyntax });
    }
    await runAssociation(peer, { requests, extraContexts });
    return results.map((r) => r.all.at(-1)?.getStatus() ?? -1);
  },

  async find(peer, sopClassUid, encode) {
    const lib = dimse();
    const request = new lib.requests.CFindRequest();
    request.setAffectedSopClassUid(sopClassUid);
    request.setDataset(identifierDataset(lib, encode));
    const { all } = responsesOf(request);
    await runAssociation(peer, { requests: [request] });
    const final = all.at(-1);
    if (!final) throw new DimseError(`No answer to C-FIND from ${peer.aet}`);
    const answers = all.filter((r) => r.getStatus() === 0xff00 || r.getStatus() === 0xff01)
      .map((r) => ({
        bytes: rawOf(r),
        transferSyntax: r.getDataset()?.getTransferSyntaxUid() ?? IMPLICIT_LE,
      }));
    return { status: final.getStatus(), answers };
  },

  async get(peer, sopClassUid, encode, options) {
    const lib = dimse();
    const request = new lib.requests.CGetRequest();
    request.setAffectedSopClassUid(sopClassUid);
    request.setDataset(identifierDataset(lib, encode));
    const { all } = responsesOf(request);
    const [first, ...more] = options.transferSyntaxes;
    await runAssociation(peer, {
      requests: [request],
      extraContexts: first === undefined ? [] : options.storageClasses.map((abstractSyntax) => ({
        abstractSyntax,
        transferSyntax: first,
        more,
        scpRole: true,
      })),
      onStore: options.onStore,
    });
    const final = all.at(-1) as InstanceType<Dimse["responses"]["CGetResponse"]> | undefined;
    if (!final) throw new DimseError(`No answer to C-GET from ${peer.aet}`);
    const counts: SubOperationCounts = emptyCounts();
    counts.remaining = final.getRemaining() ?? 0;
    counts.completed = final.getCompleted() ?? 0;
    counts.failed = final.getFailures() ?? 0;
    counts.warning = final.getWarnings() ?? 0;
    return { status: final.getStatus(), counts } satisfies RetrieveResult;
  },

  async nAction(peer, actionTypeId, encode) {
    const lib = dimse();
    const request = new lib.requests.NActionRequest(
      STORAGE_COMMITMENT_CLASS,
      STORAGE_COMMITMENT_INSTANCE,
      actionTypeId,
    );
    request.setDataset(identifierDataset(lib, encode));
    const { all } = responsesOf(request);
    await runAssociation(peer, { requests: [request] });
    const final = all.at(-1);
    if (!final) throw new DimseError(`No answer to N-ACTION from ${peer.aet}`);
    return final.getStatus();
  },

  async eventReport(peer, eventTypeId, encode) {
    const lib = dimse();
    const request = new lib.requests.NEventReportRequest(
      STORAGE_COMMITMENT_CLASS,
      STORAGE_COMMITMENT_INSTANCE,
      eventTypeId,
    );
    request.setDataset(identifierDataset(lib, encode));
    const { all } = responsesOf(request);
    await runAssociation(peer, { requests: [request] });
    const final = all.at(-1);
    if (!final) throw new DimseError(`No answer to N-EVENT-REPORT from ${peer.aet}`);
    return final.getStatus();
  },

  async move(peer, sopClassUid, destination, encode) {
    const lib = dimse();
    const request = new lib.requests.CMoveRequest();
    request.setAffectedSopClassUid(sopClassUid);
    request.getCommandDataset().setElement("MoveDestination", destination);
    request.setDataset(identifierDataset(lib, encode));
    const { all } = responsesOf(request);
    await runAssociation(peer, { requests: [request] });
    const final = all.at(-1) as InstanceType<Dimse["responses"]["CMoveResponse"]> | undefined;
    if (!final) throw new DimseError(`No answer to C-MOVE from ${peer.aet}`);
    const counts: SubOperationCounts = emptyCounts();
    counts.remaining = final.getRemaining() ?? 0;
    counts.completed = final.getCompleted() ?? 0;
    counts.failed = final.getFailures() ?? 0;
    counts.warning = final.getWarnings() ?? 0;
    return { status: final.getStatus(), counts } satisfies RetrieveResult;
  },
};
