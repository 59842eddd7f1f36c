// The SCP side of the dcmjs-dimse adapter: the DICOM port, and a library Scp subclass that turns
// each association and request into calls of Pharos's ScpHandlers (types.ts). What a peer sends
// goes through Pharos's own reader first (pdv-reader.ts): C-STORE requests are taken there
// (store-path.ts), the rest is handed on to the library.
import { SopClass, TransferSyntax } from "../../dicom/uids.ts";
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { log } from "../../log.ts";
import { metaHeader } from "../codec.ts";
import { type Command, storeResponse } from "../command-set.ts";
import { abortPdu, AbortReason, PduGuard } from "../pdu-guard.ts";
import { PdvReader } from "../pdv-reader.ts";
import { pDataTf, type ReceivedStoreRequest, StorePath } from "../store-path.ts";
import type {
  AssociationInfo,
  DimseCommand,
  DimseInstance,
  DimseServer,
  ProposedContext,
  ScpHandlers,
  ScpOptions,
  SubOperationChannel,
  SubOperationCounts,
} from "../types.ts";
import {
  bytesDataset,
  type Dimse,
  dimse,
  rawOf,
  type Response,
  setMaxPduLength,
  storeRequest,
} from "./common.ts";

/** What the reader in front of the library needs of an association's Scp. */
interface ScpEnd {
  connected: boolean;
  on(event: "networkError", listener: (error: Error) => void): void;
  acceptedSyntax(contextId: number): string | undefined;
  metaHeader(command: Command, transferSyntax: string): Uint8Array;
  receiveStore(request: ReceivedStoreRequest): void;
  /** Something was received: the library's PDU timeout counts from here. */
  touch(): void;
}

type ScpConstructor = new (socket: Socket, opts: Record<string, unknown>) => ScpEnd;

/**
 * Listens on the DICOM port at once, but loads the DIMSE library (and the dcmjs it brings,
 * ~30 MiB and ~50 ms) with the first association: a server nobody calls over DICOM never pays.
 */
export function startScp(handlers: ScpHandlers, options: ScpOptions): Promise<DimseServer> {
  setMaxPduLength(options.maxPduLength);
  const timeout = options.timeoutSeconds > 0 ? options.timeoutSeconds * 1000 : 2 ** 31 - 1;
  const opts = { connectTimeout: timeout, associationTimeout: timeout, pduTimeout: timeout };
  let Scp: ScpConstructor | undefined;
  const serve = (socket: Socket) => {
    Scp ??= scpClass(handlers);
    const scp = new Scp(socket, opts);
    // As the library's own server does: the association is live, and a network error ends it.
    scp.connected = true;
    scp.on("networkError", () => socket.end());
    readPdus(socket, options.maxPduLength, scp);
  };
  const server = options.tls ? tlsServer(options.tls, serve) : createServer(serve);
  // Each connection holds at most one association: this bounds them, while connections that
  // never associate are closed after DicomScpTimeout, so idle ones cannot hold the port for long.
  server.maxConnections = MAX_CONNECTIONS;
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

const MAX_CONNECTIONS = 1024;

/**
 * Puts Pharos's reader between the socket and the library: what the peer sends is checked by a
 * PduGuard, and a violation ends the association with an A-ABORT at once; C-STORE requests are
 * served by the store path, and the library gets the other PDUs.
 */
function readPdus(socket: Socket, maxPduLength: number, scp: ScpEnd): void {
  const guard = new PduGuard(maxPduLength);
  const emit = socket.emit.bind(socket);
  const reader = new PdvReader(
    new StorePath({
      acceptedSyntax: (contextId) => scp.acceptedSyntax(contextId),
      metaHeader: (command, transferSyntax) => scp.metaHeader(command, transferSyntax),
      forward: (pdu) => emit("data", Buffer.from(pdu.buffer, pdu.byteOffset, pdu.length)),
      store: (request) => scp.receiveStore(request),
    }),
  );
  let aborted = false;
  socket.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event !== "data") return emit(event, ...args);
    if (aborted) return false;
    const chunk = args[0] as Uint8Array;
    const violation = guard.check(chunk);
    const broken = violation ? undefined : reader.read(chunk);
    if (violation || broken) {
      aborted = true;
      const message = violation?.message ?? broken;
      log.warning(`DICOM: A-ABORT to ${socket.remoteAddress ?? "a peer"}: ${message}`);
      socket.end(
        abortPdu(violation?.reason ?? AbortReason.InvalidPduParameterValue),
        () => socket.destroy(),
      );
      return false;
    }
    scp.touch();
    return true;
  }) as Socket["emit"];
}

/**
 * DICOM TLS as DCMTK's --require-peer-cert (DicomTlsRemoteCertificateRequired) or
 * --verify-peer-cert: a certificate the peer presents must be signed by a trusted one; without
 * one, the peer is served only when certificates are not required.
 */
function tlsServer(tls: NonNullable<ScpOptions["tls"]>, serve: (socket: Socket) => void): Server {
  const server = createTlsServer({
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: true,
    rejectUnauthorized: tls.requirePeerCertificate,
  }, (socket: TLSSocket) => {
    const presented = Object.keys(socket.getPeerCertificate()).length > 0;
    if (!socket.authorized && presented) {
      log.warning(`DICOM TLS: refused a peer certificate: ${String(socket.authorizationError)}`);
      socket.destroy();
      return;
    }
    serve(socket);
  });
  server.on(
    "tlsClientError",
    (error) => log.warning(`DICOM TLS handshake failed: ${error.message}`),
  );
  return server;
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
      this.accepted = answer.accepted;
      this.sendAssociationAccept();
    }

    override associationReleaseRequested() {
      this.sendAssociationReleaseResponse();
    }

    override abort() {
      // The peer aborted: drop the association; a C-STORE under way is never stored.
      this.sock().destroy();
    }

    touch() {
      (this as unknown as { lastPduTime?: number }).lastPduTime = Date.now();
    }

    /** The transfer syntax accepted for each context, once the association is accepted. */
    private accepted = new Map<number, string>();

    acceptedSyntax(contextId: number): string | undefined {
      return this.accepted.get(contextId);
    }

    /** What services/store.ts puts before a received dataset. */
    metaHeader(command: Command, transferSyntax: string): Uint8Array {
      return metaHeader(
        command.affectedSopClassUid,
        command.affectedSopInstanceUid,
        transferSyntax,
        this.info.callingAet,
      );
    }

    /** A C-STORE request, from the store path; the answer is written as soon as it is known. */
    receiveStore(request: ReceivedStoreRequest) {
      const { command } = request;
      this.guard("Store", async () => {
        const status = await handlers.store(this.info, {
          sopClassUid: command.affectedSopClassUid,
          sopInstanceUid: command.affectedSopInstanceUid,
          transferSyntax: request.transferSyntax,
          chunks: request.chunks,
          moveOriginatorAet: command.moveOriginatorAet,
          hashed: request.hashed,
        });
        if (this.closed) return;
        const header = { contextId: request.contextId, command: true, last: true };
        this.sock().write(pDataTf([{ header, pieces: [storeResponse(command, status)] }]));
      });
    }

    /** Runs a handler; a refused command or an exception aborts the association. */
    private guard(command: DimseCommand, run: () => Promise<void>) {
      if (!handlers.allowed(this.info, command)) {
        this.sendAbort();
        setTimeout(() => this.sock().destroy(), 50);
        return;
      }
      run().catch((error) => {
        log.error(`DICOM ${command} request failed: ${String(error)}`);
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

    override cFindRequest(
      request: InstanceType<Dimse["requests"]["CFindRequest"]>,
      callback: (r: InstanceType<Dimse["responses"]["CFindResponse"]>[]) => void,
    ) {
      const worklist = request.getAffectedSopClassUid() === SopClass.ModalityWorklistFind;
      this.guard(worklist ? "FindWorklist" : "Find", async () => {
        const transferSyntax = request.getDataset()?.getTransferSyntaxUid() ??
          TransferSyntax.ImplicitVrLittleEndian;
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
        const transferSyntax = request.getDataset()?.getTransferSyntaxUid() ??
          TransferSyntax.ImplicitVrLittleEndian;
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
        const transferSyntax = request.getDataset()?.getTransferSyntaxUid() ??
          TransferSyntax.ImplicitVrLittleEndian;
        const progress = (counts: SubOperationCounts) => {
          if (this.closed) return;
          this.sendResponse(request, getResponse(request, Status.Pending, counts));
        };
        const channel: SubOperationChannel = {
          acceptedSyntaxes: (sopClassUid) => this.acceptedSyntaxes(sopClassUid),
          send: (instance) => this.subStore(instance),
        };
        const result = await handlers.get(
          this.info,
          { sopClassUid: request.getAffectedSopClassUid(), transferSyntax, bytes: rawOf(request) },
          channel,
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
          transferSyntax: request.getDataset()?.getTransferSyntaxUid() ??
            TransferSyntax.ImplicitVrLittleEndian,
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
          transferSyntax: request.getDataset()?.getTransferSyntaxUid() ??
            TransferSyntax.ImplicitVrLittleEndian,
          bytes: rawOf(request),
        });
        const response = R.NEventReportResponse.fromRequest(request);
        response.setStatus(status);
        if (!this.closed) callback(response);
      });
    }

    private currentAssociation(): InstanceType<Dimse["association"]["Association"]> | undefined {
      return (this as unknown as {
        association?: InstanceType<Dimse["association"]["Association"]>;
      }).association;
    }

    private acceptedSyntaxes(sopClassUid: string): string[] {
      const out: string[] = [];
      for (const { context } of this.currentAssociation()?.getPresentationContexts() ?? []) {
        const ts = context.getAcceptedTransferSyntaxUid();
        if (
          context.getAbstractSyntaxUid() === sopClassUid &&
          context.getResult() === PresentationContextResult.Accept && ts
        ) out.push(ts);
      }
      return out;
    }

    /** A C-STORE sub-operation of C-GET, on this association; resolves to its status. */
    private subStore(instance: DimseInstance): Promise<number> {
      const request = storeRequest(lib, instance);
      const context = this.currentAssociation()?.getAcceptedPresentationContextFromRequest(request);
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
