// The SCU side of the dcmjs-dimse adapter: one association per call, carrying requests whose
// datasets are bytes Pharos encoded or stored (ScuClient of types.ts).
import {
  SopClass,
  STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE,
  TransferSyntax,
} from "../../dicom/uids.ts";
import {
  DimseConnectionError,
  DimseError,
  type Peer,
  type ReceivedStore,
  type RetrieveResult,
  type ScuClient,
  type SubOperationCounts,
} from "../types.ts";
import {
  bytesDataset,
  CHUNKS,
  type Dataset,
  type Dimse,
  dimse,
  rawOf,
  type Request,
  type Response,
  storeRequest,
} from "./common.ts";

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

function emptyCounts(): SubOperationCounts {
  return { remaining: 0, completed: 0, failed: 0, warning: 0 };
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
          transferSyntax: dataset?.getTransferSyntaxUid() ?? TransferSyntax.ImplicitVrLittleEndian,
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
      failure = new DimseConnectionError(
        `DicomAssociation - connecting to AET "${peer.aet}": DUL Association Rejected`,
      );
    });
    client.on("networkError", (error: Error) => {
      failure ??= new DimseConnectionError(
        `DicomAssociation - connecting to AET "${peer.aet}": ${socketErrorText(error)}`,
      );
    });
    client.on("closed", () => (failure ? reject(failure) : resolve()));
    try {
      client.send(peer.host, peer.port, peer.localAet, peer.aet, {
        connectTimeout: timeout,
        associationTimeout: timeout,
        pduTimeout: timeout,
        ...(peer.tls
          ? {
            securityOptions: {
              cert: peer.tls.cert,
              key: peer.tls.key,
              ca: peer.tls.ca,
              rejectUnauthorized: true,
            },
          }
          : {}),
      });
    } catch (error) {
      reject(new DimseError(String(error)));
    }
  });
}

/**
 * DCMTK's words for a socket that could not connect, as Orthanc reports them (dcmjs-dimse gives
 * Node's error code in its message only).
 */
function socketErrorText(error: Error): string {
  const words: Record<string, string> = {
    ECONNREFUSED: "Connection refused",
    ETIMEDOUT: "Connection timed out",
    EHOSTUNREACH: "No route to host",
  };
  const code = Object.keys(words).find((c) => error.message.includes(c));
  if (code) return `TCP Initialization Error: ${words[code]}`;
  return error.message.replace(/^\s*->\s*/, "");
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
    encode(TransferSyntax.ImplicitVrLittleEndian),
    TransferSyntax.ImplicitVrLittleEndian,
    (ts) =>
      ts === TransferSyntax.ImplicitVrLittleEndian || ts === TransferSyntax.ExplicitVrLittleEndian
        ? encode(ts)
        : undefined,
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
        transferSyntax: r.getDataset()?.getTransferSyntaxUid() ??
          TransferSyntax.ImplicitVrLittleEndian,
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
      SopClass.StorageCommitmentPushModel,
      STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE,
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
      SopClass.StorageCommitmentPushModel,
      STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE,
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
