// The event bus: changes and stored instances, delivered after the transaction commits.
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

type Listener<E> = (event: E) => void | Promise<void>;

export class EventBus {
  private readonly changeListeners: Listener<ChangeEvent>[] = [];
  private readonly storedListeners: Listener<StoredInstanceEvent>[] = [];

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  onChange(listener: Listener<ChangeEvent>): void {
    this.changeListeners.push(listener);
  }

  onStoredInstance(listener: Listener<StoredInstanceEvent>): void {
    this.storedListeners.push(listener);
  }

  emitChanges(events: ChangeEvent[]): void {
    for (const event of events) this.dispatch(this.changeListeners, event);
  }

  emitStored(event: StoredInstanceEvent): void {
    this.dispatch(this.storedListeners, event);
  }

  /** A listener's failure is reported and never reaches the code that emitted the event. */
  private dispatch<E>(listeners: Listener<E>[], event: E): void {
    for (const listener of listeners) {
      try {
        const result = listener(event);
        if (result instanceof Promise) result.catch(this.onListenerError);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
