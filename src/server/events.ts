// The events of the core: changes and stored instances, emitted after their transaction commits
// and delivered as notifications of the hook registry (hooks.ts).
import type { OrthancIds } from "../dicom/identifiers.ts";
import type { Level } from "../dicom/levels.ts";

export interface ChangeEvent {
  changeType: number;
  level: Level;
  publicId: string;
  date: string;
}

export interface StoredInstanceEvent {
  ids: OrthancIds;
  bytes: Uint8Array;
  origin: RequestOrigin;
}

export interface RequestOrigin {
  /** "RestApi", "DicomProtocol", "Plugins", "Lua", "WebDav" or "Unknown" (Orthanc's RequestOrigin). */
  kind: "RestApi" | "DicomProtocol" | "Plugins" | "Lua" | "WebDav" | "Unknown";
  remoteIp?: string;
  remoteAet?: string;
  calledAet?: string;
  httpUsername?: string;
}

/** Where the events go: the notification hooks of the registry (hooks.ts). */
export interface EventSink {
  notify(hook: "change", event: ChangeEvent): Promise<void>;
  notify(hook: "storedInstance", event: StoredInstanceEvent): Promise<void>;
}

/** What the core emits, as hook notifications: a handler's failure never reaches the emitter. */
export class EventBus {
  constructor(private readonly sink: EventSink) {}

  emitChanges(events: ChangeEvent[]): void {
    for (const event of events) void this.sink.notify("change", event);
  }

  emitStored(event: StoredInstanceEvent): void {
    void this.sink.notify("storedInstance", event);
  }
}
