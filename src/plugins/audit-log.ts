// Plugins' audit records (OrthancPluginEmitAuditLog, Orthanc 1.12.x): checked, written to the
// log, and handed to every subscribed plugin (RegisterAuditLogHandler). A subscriber is called
// without being awaited, so that a slow one delays no emitter; its failures are logged by guard.
import { log } from "../log.ts";
import { OrthancError } from "../server/errors.ts";
import { guard } from "./guard.ts";
import type { LoadedPlugin } from "./loaded-plugin.ts";
import type { AuditRecord } from "./pharos-plugin.d.ts";

const RESOURCE_TYPES = new Set(["Patient", "Study", "Series", "Instance", "None"]);

/** The record as the subscribers see it; throws Orthanc's ParameterOutOfRange if ill-formed. */
export function auditRecord(
  source: string,
  record: Omit<AuditRecord, "sourcePlugin">,
): AuditRecord {
  if (!record || typeof record !== "object") {
    throw new OrthancError("ParameterOutOfRange", "An audit record must be an object");
  }
  const { userId = "", resourceType = "None", resourceId = "", action, logData } = record;
  for (const [name, value] of Object.entries({ userId, resourceId, action })) {
    if (typeof value !== "string") {
      throw new OrthancError("ParameterOutOfRange", `The audit record's ${name} must be a string`);
    }
  }
  if (action === "") {
    throw new OrthancError("ParameterOutOfRange", "An audit record needs an action");
  }
  if (!RESOURCE_TYPES.has(resourceType)) {
    throw new OrthancError("ParameterOutOfRange", `Bad resource type: ${String(resourceType)}`);
  }
  const out: AuditRecord = { sourcePlugin: source, userId, resourceType, resourceId, action };
  // Structured-cloned JSON: a subscriber cannot change what another one sees.
  if (logData !== undefined) out.logData = JSON.parse(JSON.stringify(logData));
  return out;
}

export function deliverAudit(record: AuditRecord, plugins: readonly LoadedPlugin[]): void {
  log.info(`AUDIT ${JSON.stringify(record)}`, "plugins");
  for (const plugin of plugins) {
    for (const handler of plugin.registrations.audit) {
      void guard(plugin, "audit-log handler", () => handler(structuredClone(record)));
    }
  }
}
