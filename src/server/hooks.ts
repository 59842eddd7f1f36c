// The server's hooks, in the spirit of pynetdicom's events: one typed table of what plugins (and,
// later, Lua scripts) can hook into, one registry keeping each handler with its owner, and one
// dispatch per kind. Notifications reach every handler, and a handler's failure is logged with
// its owner's name, never returned; interventions must answer, and the answers of their handlers
// combine by the hook's rule (the first refusal wins…), as Orthanc combines its plugins' answers.
import type { ParsedDicom } from "../dicom/parser.ts";
import type { InstanceSummary } from "../dicom/summary.ts";
import { log } from "../log.ts";
import { OrthancError } from "./errors.ts";
import type { ChangeEvent, RequestOrigin, StoredInstanceEvent } from "./events.ts";

type Awaitable<T> = T | Promise<T>;

/** Received bytes, before anything parses them. */
export interface ReceivedInstance {
  bytes: Uint8Array;
  origin: RequestOrigin;
}

/** Keep, discard or replace received bytes (OrthancPluginReceivedInstanceAction). */
export type ReceivedDecision = { action: "keep" } | { action: "discard" } | {
  action: "replace";
  bytes: Uint8Array;
};

/** An instance on its way into the index, parsed once: what the incoming filters judge. */
export interface IncomingInstance {
  bytes: Uint8Array;
  parsed: ParsedDicom;
  summary: InstanceSummary;
  origin: RequestOrigin;
}

/** An HTTP request before any route sees it. */
export interface IncomingHttpRequest {
  method: string;
  /** The path, URL-decoded, without the query string. */
  uri: string;
  ip: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  getArguments: Record<string, string>;
}

/**
 * A C-FIND query as the find filters see and answer it: values by tag ("0010,0010"; a filter may
 * answer names too), the sequences of a worklist query as arrays of items.
 */
export type QueryJson = { [key: string]: string | QueryJson[] };

/** A C-FIND received by the SCP, and who sent it (Orthanc's origin of the find filters). */
export interface IncomingFindRequest {
  query: QueryJson;
  origin: { remoteIp: string; remoteAet: string; calledAet: string; manufacturer: string };
}

/** A C-FIND Pharos is about to send to a modality (POST /modalities/{id}/query). */
export interface OutgoingFindRequest {
  query: QueryJson;
  /** The AET of the modality queried. */
  modality: string;
}

/** The server's own signals, delivered in order with the changes (Orthanc's change thread). */
export type ServerSignal = "OrthancStarted" | "OrthancStopped";

interface Notification<E> {
  kind: "notification";
  event: E;
}

interface Intervention<I, A> {
  kind: "intervention";
  input: I;
  answer: A;
}

/** Every hook: its kind, and what its handlers receive and answer. */
export interface HookTable {
  /** A change of the change feed, after its transaction commits. */
  change: Notification<ChangeEvent>;
  serverSignal: Notification<ServerSignal>;
  /** A stored instance, after its transaction commits. */
  storedInstance: Notification<StoredInstanceEvent>;
  /** Before the metrics are exported: handlers set fresh values. */
  refreshMetrics: Notification<void>;
  /** Keep, discard or replace the received bytes; each handler sees the previous one's bytes. */
  receivedInstance: Intervention<ReceivedInstance, ReceivedDecision>;
  /** False refuses the instance. */
  incomingInstance: Intervention<IncomingInstance, boolean>;
  /** Instances received by C-STORE, after the incoming-instance filters: a non-zero DIMSE status refuses. */
  incomingCStoreInstance: Intervention<IncomingInstance, number>;
  /** False refuses the request (403). */
  incomingHttpRequest: Intervention<IncomingHttpRequest, boolean>;
  /** The query the C-FIND SCP answers (patient…instance levels); each handler sees the previous one's. */
  incomingFindRequest: Intervention<IncomingFindRequest, QueryJson>;
  /** The same for a worklist C-FIND, with its sequences. */
  incomingWorklistRequest: Intervention<IncomingFindRequest, QueryJson>;
  /** The query sent to a modality by the C-FIND SCU. */
  outgoingFindRequest: Intervention<OutgoingFindRequest, QueryJson>;
}

export type HookName = keyof HookTable;

export type NotificationHook = {
  [K in HookName]: HookTable[K] extends Notification<unknown> ? K : never;
}[HookName];

export type InterventionHook = Exclude<HookName, NotificationHook>;

export type HookEvent<K extends NotificationHook> = HookTable[K] extends Notification<infer E> ? E
  : never;
export type HookInput<K extends InterventionHook> = HookTable[K] extends
  Intervention<infer I, unknown> ? I : never;
export type HookAnswer<K extends InterventionHook> = HookTable[K] extends
  Intervention<unknown, infer A> ? A : never;

export type HookHandler<K extends HookName> = K extends NotificationHook
  ? (event: HookEvent<K>) => Awaitable<void>
  : K extends InterventionHook ? (input: HookInput<K>) => Awaitable<HookAnswer<K>>
  : never;

interface NotificationSpec {
  /** How log messages name a handler of this hook. */
  label: string;
  /**
   * Handlers see the events one at a time, in order, as Orthanc's change thread delivers them;
   * each owner through its own queue (shared by its ordered hooks), so that an owner whose
   * handler never returns delays only itself.
   */
  ordered: boolean;
}

/** How the answers of an intervention's handlers combine, in registration order. */
interface InterventionSpec<I, A> {
  label: string;
  /** After one handler's answer: settle the outcome, or hand an input on to the next handler. */
  step(input: I, answer: A): { settled: A } | { next: I };
  /** The outcome when no handler settled it. */
  unanimous(input: I, original: I): A;
}

function passUnlessFalse<I>(label: string): InterventionSpec<I, boolean> {
  return {
    label,
    step: (input, allowed) => (allowed ? { next: input } : { settled: false }),
    unanimous: () => true,
  };
}

function rewriteQuery<I extends { query: QueryJson }>(
  label: string,
): InterventionSpec<I, QueryJson> {
  return {
    label,
    step: (input, query) => ({ next: { ...input, query } }),
    unanimous: (input) => input.query,
  };
}

const SPECS: {
  [K in HookName]: K extends InterventionHook ? InterventionSpec<HookInput<K>, HookAnswer<K>>
    : NotificationSpec;
} = {
  change: { label: "on-change callback", ordered: true },
  serverSignal: { label: "on-change callback", ordered: true },
  storedInstance: { label: "on-stored-instance callback", ordered: false },
  refreshMetrics: { label: "refresh-metrics callback", ordered: false },
  receivedInstance: {
    label: "received-instance callback",
    step: (input, decision) =>
      decision.action === "discard"
        ? { settled: decision }
        : { next: decision.action === "replace" ? { ...input, bytes: decision.bytes } : input },
    unanimous: (input, original) =>
      input.bytes === original.bytes
        ? { action: "keep" }
        : { action: "replace", bytes: input.bytes },
  },
  incomingInstance: passUnlessFalse("incoming-instance filter"),
  incomingCStoreInstance: {
    label: "C-STORE filter",
    step: (input, status) => (status === 0 ? { next: input } : { settled: status }),
    unanimous: () => 0,
  },
  incomingHttpRequest: passUnlessFalse("HTTP request filter"),
  incomingFindRequest: rewriteQuery("C-FIND request filter"),
  incomingWorklistRequest: rewriteQuery("worklist request filter"),
  outgoingFindRequest: rewriteQuery("outgoing C-FIND filter"),
};

/** A handler of an intervention failed: the caller decides how the failure is answered. */
export class HookFailure extends Error {
  constructor(readonly label: string, readonly owner: string, readonly reason: unknown) {
    super(
      `Error in the ${label} of ${owner}: ${
        reason instanceof Error ? reason.message : String(reason)
      }`,
    );
  }

  /** The message with the reason's stack, for the log. */
  get detail(): string {
    return `Error in the ${this.label} of ${this.owner}: ${describeError(this.reason)}`;
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

interface Registration {
  /** Who registered the handler, as log messages name it (`plugin "probe"`). */
  owner: string;
  handler: (value: unknown) => unknown;
  immediate: boolean;
}

/** An owner's queue of ordered notifications. */
interface OwnerQueue {
  tail: Promise<void>;
  /** Events queued and not yet handled. */
  depth: number;
  /** The depth at which the next backlog warning is logged. */
  warnAt: number;
}

/** The first backlog worth a warning; each next one is ten times deeper. */
export const BACKLOG_WARNING = 100;

export class HookRegistry {
  private readonly registrations = new Map<HookName, Registration[]>();
  private readonly queues = new Map<string, OwnerQueue>();

  /**
   * Adds a handler after the others of its hook. An `immediate` handler of an ordered hook is
   * called when the event happens rather than in the queue: for the server's own bookkeeping,
   * which must not wait behind a slow plugin.
   */
  register<K extends HookName>(
    hook: K,
    owner: string,
    handler: HookHandler<K>,
    options: { immediate?: boolean } = {},
  ): void {
    const list = this.registrations.get(hook) ?? [];
    list.push({
      owner,
      handler: handler as (value: unknown) => unknown,
      immediate: options.immediate === true,
    });
    this.registrations.set(hook, list);
  }

  has(hook: HookName): boolean {
    return (this.registrations.get(hook)?.length ?? 0) > 0;
  }

  /**
   * Delivers an event to every handler of a notification hook; resolves once they all have
   * run (for an ordered hook, once the queue has reached it). Never rejects.
   */
  notify<K extends NotificationHook>(hook: K, event: HookEvent<K>): Promise<void> {
    const spec: NotificationSpec = SPECS[hook];
    const list = this.registrations.get(hook) ?? [];
    if (!spec.ordered) {
      return Promise.all(list.map((r) => this.guarded(spec.label, r, event))).then(() => {});
    }
    const byOwner = new Map<string, Registration[]>();
    for (const r of list) {
      if (r.immediate) void this.guarded(spec.label, r, event);
      else byOwner.set(r.owner, [...byOwner.get(r.owner) ?? [], r]);
    }
    for (const [owner, handlers] of byOwner) {
      this.enqueue(owner, spec.label, async () => {
        for (const r of handlers) await this.guarded(spec.label, r, event);
      });
    }
    // Resolves once every owner's queue has reached this event (OrthancStopped waits for all).
    return Promise.all([...this.queues.values()].map((q) => q.tail)).then(() => {});
  }

  /** Events an owner's ordered handlers have not handled yet. */
  backlog(owner: string): number {
    return this.queues.get(owner)?.depth ?? 0;
  }

  private enqueue(owner: string, label: string, run: () => Promise<void>): void {
    let q = this.queues.get(owner);
    if (!q) {
      q = { tail: Promise.resolve(), depth: 0, warnAt: BACKLOG_WARNING };
      this.queues.set(owner, q);
    }
    const queue = q;
    queue.depth++;
    if (queue.depth >= queue.warnAt) {
      log.warning(
        `The ${label} of ${owner} is ${queue.depth} events behind: ` +
          "it is slow, or one of its calls never returned",
      );
      queue.warnAt *= 10;
    }
    queue.tail = queue.tail.then(run).finally(() => {
      queue.depth--;
      if (queue.depth === 0) queue.warnAt = BACKLOG_WARNING;
    });
  }

  /**
   * Asks the handlers of an intervention hook, in registration order, and combines their answers
   * by the hook's rule. A handler's failure rejects: an OrthancError as it is, any other error as
   * a HookFailure naming the owner.
   */
  async decide<K extends InterventionHook>(hook: K, input: HookInput<K>): Promise<HookAnswer<K>> {
    const spec = SPECS[hook] as unknown as InterventionSpec<HookInput<K>, HookAnswer<K>>;
    let current = input;
    for (const r of this.registrations.get(hook) ?? []) {
      let outcome: { settled: HookAnswer<K> } | { next: HookInput<K> };
      try {
        outcome = spec.step(current, await r.handler(current) as HookAnswer<K>);
      } catch (error) {
        if (error instanceof OrthancError) throw error;
        throw new HookFailure(spec.label, r.owner, error);
      }
      if ("settled" in outcome) return outcome.settled;
      current = outcome.next;
    }
    return spec.unanimous(current, input);
  }

  /** Calls one handler; a throw or a rejection is logged with the owner's name and swallowed. */
  private async guarded(label: string, r: Registration, event: unknown): Promise<void> {
    try {
      await r.handler(event);
    } catch (error) {
      log.error(`Error in the ${label} of ${r.owner}: ${describeError(error)}`);
    }
  }
}

/**
 * A filter's answer as a query: an object of strings (and, with `sequences`, of arrays of such
 * objects). An empty array is an empty object, as Lua has one empty table for both.
 */
export function queryJsonOf(value: unknown, sequences: boolean): QueryJson {
  if (Array.isArray(value) && value.length === 0) return {};
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError("a query must map names of DICOM tags to strings");
  }
  const out: QueryJson = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "string") out[key] = v;
    else if (sequences && Array.isArray(v)) out[key] = v.map((item) => queryJsonOf(item, true));
    else throw new TypeError(`the value of "${key}" in a query must be a string`);
  }
  return out;
}
