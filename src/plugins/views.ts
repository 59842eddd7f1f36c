// The server's objects as plugins see them (pharos-plugin.d.ts): changes with Orthanc's names,
// origins, and received instances parsed only when a plugin asks for their tags.
import type { Encoding } from "../dicom/charsets.ts";
import type { OrthancIds } from "../dicom/identifiers.ts";
import { type ParsedDicom, parseDicom } from "../dicom/parser.ts";
import { decodingOf } from "../dicom/summary.ts";
import { datasetToJson } from "../dicom/tags-json.ts";
import { ChangeType } from "../server/model.ts";
import type {
  ChangeEvent as CoreChangeEvent,
  RequestOrigin,
  StoredInstanceEvent,
} from "../server/events.ts";
import type { IncomingInstance, ServerSignal } from "../server/hooks.ts";
import type {
  ChangeEvent,
  DicomInstance,
  InstanceOrigin,
  ResourceLevel,
} from "./pharos-plugin.d.ts";

const CHANGE_NAMES = new Map<number, string>(
  Object.entries(ChangeType).map(([name, code]) => [code, name]),
);

export function toPluginChange(event: CoreChangeEvent): ChangeEvent {
  return {
    changeType: CHANGE_NAMES.get(event.changeType) ?? `Unknown${event.changeType}`,
    changeTypeCode: event.changeType,
    level: event.level as ResourceLevel,
    resourceId: event.publicId,
    date: event.date,
  };
}

/** OrthancStarted and OrthancStopped, which plugins receive as changes. */
export function signalChange(signal: ServerSignal): ChangeEvent {
  return { changeType: signal, changeTypeCode: 0, level: null, resourceId: "", date: "" };
}

function originOf(origin: RequestOrigin): InstanceOrigin {
  const out: InstanceOrigin = { kind: origin.kind };
  if (origin.remoteIp !== undefined) out.remoteIp = origin.remoteIp;
  if (origin.remoteAet !== undefined) out.remoteAet = origin.remoteAet;
  if (origin.calledAet !== undefined) out.calledAet = origin.calledAet;
  if (origin.httpUsername !== undefined) out.httpUsername = origin.httpUsername;
  return out;
}

export function simplifiedTags(parsed: ParsedDicom, encoding: Encoding): Record<string, unknown> {
  return datasetToJson(parsed.dataset, decodingOf(parsed, encoding), "simplify");
}

/** A received instance as plugins see it; parsed lazily when it was not already. */
function instanceView(
  encoding: () => Encoding,
  bytes: Uint8Array,
  origin: RequestOrigin,
  ids: OrthancIds,
  known?: { parsed: ParsedDicom; transferSyntax: string; sopClassUid: string },
): DicomInstance {
  let parsed = known?.parsed;
  const parse = () => (parsed ??= parseDicom(bytes));
  return {
    bytes,
    origin: originOf(origin),
    ids: { ...ids },
    get transferSyntax() {
      return known?.transferSyntax ?? parse().transferSyntax;
    },
    get sopClassUid() {
      if (known) return known.sopClassUid;
      const tags = simplifiedTags(parse(), encoding());
      return typeof tags.SOPClassUID === "string" ? tags.SOPClassUID : "";
    },
    simplifiedTags: () => simplifiedTags(parse(), encoding()),
  };
}

/**
 * The view of each instance, made once for all the plugins that look at it (every handler of a
 * hook receives the same event object).
 */
export class InstanceViews {
  private readonly views = new WeakMap<object, DicomInstance>();

  /** `encoding` is read when a view is parsed: the server's DefaultEncoding may change. */
  constructor(private readonly encoding: () => Encoding) {}

  incoming(instance: IncomingInstance): DicomInstance {
    return this.memo(
      instance,
      () =>
        instanceView(this.encoding, instance.bytes, instance.origin, instance.summary.ids, {
          parsed: instance.parsed,
          transferSyntax: instance.summary.transferSyntax,
          sopClassUid: instance.summary.sopClassUid,
        }),
    );
  }

  stored(event: StoredInstanceEvent): DicomInstance {
    return this.memo(
      event,
      () => instanceView(this.encoding, event.bytes, event.origin, event.ids),
    );
  }

  private memo(key: object, make: () => DicomInstance): DicomInstance {
    let view = this.views.get(key);
    if (!view) this.views.set(key, view = make());
    return view;
  }
}
