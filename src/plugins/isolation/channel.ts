// Calls between the server's thread and a plugin's worker (PluginsIsolation "Worker"): each side
// calls the other by name and awaits the answer. What crosses is structured-cloned; errors cross
// as their message, stack and Orthanc error kind, and are rebuilt on the other side.
import { type ErrorName, OrthancError, type PluginErrorCode } from "../../server/errors.ts";

interface Call {
  t: "call";
  id: number;
  name: string;
  args: unknown[];
}

interface Reply {
  t: "reply";
  id: number;
  ok: boolean;
  value?: unknown;
  error?: SentError;
}

/** A call that wants no answer (logs, metrics). */
interface Notice {
  t: "notice";
  name: string;
  args: unknown[];
}

export type ChannelMessage = Call | Reply | Notice;

interface SentError {
  message: string;
  stack?: string;
  orthanc?: {
    kind: ErrorName;
    details?: string;
    httpStatus?: number;
    pluginCode?: PluginErrorCode;
  };
}

function sendable(error: unknown): SentError {
  if (error instanceof OrthancError) {
    return {
      message: error.message,
      stack: error.stack,
      orthanc: {
        kind: error.kind,
        details: error.details,
        httpStatus: error.httpStatus,
        pluginCode: error.pluginCode,
      },
    };
  }
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  return { message: String(error) };
}

function rebuilt(sent: SentError): Error {
  const error = sent.orthanc
    ? new OrthancError(
      sent.orthanc.kind,
      sent.orthanc.details,
      sent.orthanc.httpStatus,
      sent.orthanc.pluginCode,
    )
    : new Error(sent.message);
  if (sent.stack !== undefined) error.stack = sent.stack;
  return error;
}

export type ChannelHandler = (name: string, args: unknown[]) => unknown;

export class Channel {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();

  constructor(
    private readonly post: (message: ChannelMessage) => void,
    private readonly handle: ChannelHandler,
  ) {}

  call(name: string, args: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    this.pending.set(id, { resolve, reject });
    try {
      this.post({ t: "call", id, name, args });
    } catch (error) {
      this.pending.delete(id);
      reject(error instanceof Error ? error : new Error(String(error)));
    }
    return promise;
  }

  notice(name: string, args: unknown[]): void {
    this.post({ t: "notice", name, args });
  }

  receive(message: ChannelMessage): void {
    if (message.t === "reply") {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (!waiting) return;
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(rebuilt(message.error ?? { message: "unknown error" }));
      return;
    }
    if (message.t === "notice") {
      try {
        void Promise.resolve(this.handle(message.name, message.args)).catch(() => {});
      } catch {
        // a notice has nobody to answer
      }
      return;
    }
    const { id } = message;
    const answer = (reply: Omit<Reply, "t" | "id">) => {
      try {
        this.post({ t: "reply", id, ...reply });
      } catch (error) {
        this.post({ t: "reply", id, ok: false, error: sendable(error) });
      }
    };
    Promise.resolve()
      .then(() => this.handle(message.name, message.args))
      .then(
        (value) => answer({ ok: true, value }),
        (error) => answer({ ok: false, error: sendable(error) }),
      );
  }

  /** Fails every call still waiting for an answer (the other side is gone). */
  failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
