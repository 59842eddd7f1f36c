// Pharos's own small interface to a DIMSE implementation: what an SCP handler receives and
// answers, and what the SCU operations need. Only `adapter/` knows the library behind it.
import type { DicomTlsMaterial } from "../config/tls.ts";

export interface ProposedContext {
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

export interface AssociationRequest {
  callingAet: string;
  calledAet: string;
  remoteIp: string;
  contexts: ProposedContext[];
}

export type AssociationAnswer =
  | { kind: "reject"; reason: "CallingAe" | "CalledAe" | "NoReason" }
  | {
    kind: "accept";
    /** Presentation context id → accepted transfer syntax; the others are refused. */
    accepted: Map<number, string>;
    /** Why each refused context was refused. */
    refusedAbstractSyntax: Set<number>;
  };

export interface AssociationInfo {
  callingAet: string;
  calledAet: string;
  remoteIp: string;
}

/** One dataset with the UIDs of its command, as received or as to be sent. */
export interface DimseInstance {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntax: string;
  /** The dataset bytes exactly as they travel (no meta header). */
  dataset: Uint8Array;
  /** The whole Part 10 file, `dataset` included (what a transcoder reads). */
  file: Uint8Array;
}

export interface ReceivedStore {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntax: string;
  chunks: Uint8Array[];
  moveOriginatorAet?: string;
  /**
   * The meta header of the Part 10 file, and the MD5 of that header followed by `chunks`, hashed
   * as the chunks arrived: the store then does not hash the file once it has it all.
   */
  hashed?: { metaHeader: Uint8Array; md5: string };
}

export interface Identifier {
  sopClassUid: string;
  transferSyntax: string;
  /** The identifier bytes as received, in `transferSyntax`. */
  bytes: Uint8Array;
}

/** A C-FIND's answers (datasets in the identifier's transfer syntax) and its final status. */
export interface FindAnswer {
  status: number;
  answers: Uint8Array[];
}

export interface SubOperationCounts {
  remaining: number;
  completed: number;
  failed: number;
  warning: number;
}

/** The association a C-GET arrived on, as its sub-operations see it. */
export interface SubOperationChannel {
  /** The transfer syntaxes the SCU accepted for this SOP class, one per accepted context. */
  acceptedSyntaxes(sopClassUid: string): string[];
  /** Sends one instance (in one of those syntaxes); its DIMSE status, or -1 if it could not go. */
  send(instance: DimseInstance): Promise<number>;
}

export interface RetrieveResult {
  status: number;
  counts: SubOperationCounts;
}

/** What an association may be allowed to do (worklist C-FIND has its own permission). */
export type DimseCommand =
  | "Echo"
  | "Store"
  | "Find"
  | "FindWorklist"
  | "Move"
  | "Get"
  | "NAction"
  | "EventReport";

export interface ScpHandlers {
  associate(request: AssociationRequest): AssociationAnswer;
  /** Whether a command is allowed on this association; a refusal aborts it, as Orthanc does. */
  allowed(
    association: AssociationInfo,
    command: DimseCommand,
  ): boolean;
  echo(association: AssociationInfo): Promise<number>;
  store(association: AssociationInfo, message: ReceivedStore): Promise<number>;
  /** Answers are datasets encoded in the identifier's transfer syntax. */
  find(association: AssociationInfo, identifier: Identifier): Promise<FindAnswer>;
  move(
    association: AssociationInfo,
    identifier: Identifier,
    destination: string,
    messageId: number,
    progress: (counts: SubOperationCounts) => void,
  ): Promise<RetrieveResult>;
  get(
    association: AssociationInfo,
    identifier: Identifier,
    channel: SubOperationChannel,
    progress: (counts: SubOperationCounts) => void,
  ): Promise<RetrieveResult>;
  /** N-ACTION (storage commitment request): the dataset as received; resolves to the status. */
  nAction(association: AssociationInfo, actionTypeId: number, dataset: Identifier): Promise<number>;
  /** N-EVENT-REPORT (storage commitment result): the dataset as received; the status. */
  eventReport(
    association: AssociationInfo,
    eventTypeId: number,
    dataset: Identifier,
  ): Promise<number>;
}

/** DICOM TLS: the certificate and key presented, and the certificates trusted. */
export type DicomTls = DicomTlsMaterial;

export interface ScpOptions {
  port: number;
  /** Serve DICOM over TLS. */
  tls?: DicomTls;
  /** Seconds without traffic after which an association is aborted (0: never). */
  timeoutSeconds: number;
  maxPduLength: number;
}

export interface DimseServer {
  readonly port: number;
  close(): void;
}

export interface Peer {
  host: string;
  port: number;
  aet: string;
  localAet: string;
  timeoutSeconds: number;
  /** Reach the peer over DICOM TLS (its modality's UseDicomTls). */
  tls?: DicomTls;
}

export class DimseError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

/**
 * The peer could not be reached: Orthanc names it the same way whatever the operation was
 * ("DicomAssociation - connecting to AET ...", with DCMTK's wording of the socket error).
 */
export class DimseConnectionError extends DimseError {}

export interface ScuClient {
  echo(peer: Peer): Promise<void>;
  /** Sends the instances in one association; the DIMSE status of each, or -1 if not sent. */
  store(
    peer: Peer,
    instances: DimseInstance[],
    options?: {
      moveOriginator?: { aet: string; messageId: number };
      /** Called with the status of each instance as its answer arrives. */
      onEach?: (status: number, index: number) => void;
    },
  ): Promise<number[]>;
  /** C-FIND: the answers, each a dataset with the transfer syntax it came in. */
  find(
    peer: Peer,
    sopClassUid: string,
    identifier: (transferSyntax: string) => Uint8Array,
  ): Promise<{ status: number; answers: { bytes: Uint8Array; transferSyntax: string }[] }>;
  move(
    peer: Peer,
    sopClassUid: string,
    destination: string,
    identifier: (transferSyntax: string) => Uint8Array,
  ): Promise<RetrieveResult>;
  /** C-GET: the instances come back on the association, each handed to `onStore`. */
  get(
    peer: Peer,
    sopClassUid: string,
    identifier: (transferSyntax: string) => Uint8Array,
    options: {
      /** Storage SOP classes proposed (with the SCP role) for the sub-operations. */
      storageClasses: string[];
      transferSyntaxes: string[];
      onStore: (store: ReceivedStore) => Promise<number>;
    },
  ): Promise<RetrieveResult>;
  /** N-ACTION on the storage commitment instance; the DIMSE status of the answer. */
  nAction(
    peer: Peer,
    actionTypeId: number,
    dataset: (transferSyntax: string) => Uint8Array,
  ): Promise<number>;
  /** N-EVENT-REPORT on the storage commitment instance; the DIMSE status of the answer. */
  eventReport(
    peer: Peer,
    eventTypeId: number,
    dataset: (transferSyntax: string) => Uint8Array,
  ): Promise<number>;
}
