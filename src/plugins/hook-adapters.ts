// What a plugin registered through its host, installed once its initialize() has succeeded: its
// callbacks become handlers of the server's hook registry (server/hooks.ts), its decoders and
// transcoders join the codecs. Each handler turns the plugin's lenient answers (nothing for
// "keep" or "accept") into the hook's typed answer, and refuses ill-formed ones; the registry
// reports a handler's failure with the plugin's name. What must answer (filters, received-instance
// callbacks) answers within PluginCallbackTimeout, or fails with Orthanc's Timeout error. An HTTP
// filter's own answer (a Response) is a refusal for the registry, its answer kept for the middleware.
import type { BinaryModes } from "../dicomweb/binary-modes.ts";
import type { Codecs } from "../imaging/codecs.ts";
import { log } from "../log.ts";
import { type HookRegistry, queryJsonOf, type ReceivedDecision } from "../server/hooks.ts";
import { withDeadline } from "./deadline.ts";
import type { FilterAnswers } from "./filter-answers.ts";
import { guard } from "./guard.ts";
import { type LoadedPlugin, ownerName } from "./loaded-plugin.ts";
import type { Awaitable, ReceivedInstanceDecision } from "./pharos-plugin.d.ts";
import { type InstanceViews, signalChange, toPluginChange } from "./views.ts";

function receivedDecision(decision: ReceivedInstanceDecision | undefined): ReceivedDecision {
  if (decision === undefined || decision.action === "keep") return { action: "keep" };
  if (decision.action === "discard") return { action: "discard" };
  if (decision.action === "replace" && decision.bytes instanceof Uint8Array) {
    return { action: "replace", bytes: decision.bytes };
  }
  throw new Error(`bad decision: ${JSON.stringify(decision)}`);
}

function dimseStatus(answer: unknown): number {
  const status = answer === undefined ? 0 : answer;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 0 || status > 0xffff) {
    throw new Error(`not a DIMSE status: ${JSON.stringify(status)}`);
  }
  return status;
}

export function installHooks(
  hooks: HookRegistry,
  views: InstanceViews,
  plugin: LoadedPlugin,
  timeoutMs: number,
  filterAnswers: FilterAnswers,
): void {
  const r = plugin.registrations;
  const owner = ownerName(plugin);
  const timed = <T>(what: string, call: () => Awaitable<T>) =>
    withDeadline(call, timeoutMs, `${what} of ${owner}`);
  for (const fn of r.received) {
    hooks.register(
      "receivedInstance",
      owner,
      async ({ bytes, origin }) =>
        receivedDecision(
          await timed("received-instance callback", () => fn(bytes, { ...origin })),
        ),
    );
  }
  for (const fn of r.instanceFilters) {
    hooks.register("incomingInstance", owner, async (instance) => {
      const allowed = Boolean(
        await timed("incoming-instance filter", () => fn(views.incoming(instance))),
      );
      if (!allowed) {
        log.info(`Plugin "${plugin.id}" filtered out instance ${instance.summary.ids.instance}`);
      }
      return allowed;
    });
  }
  for (const fn of r.cstoreFilters) {
    hooks.register("incomingCStoreInstance", owner, async (instance) => {
      const status = dimseStatus(
        await timed("C-STORE filter", () => fn(views.incoming(instance))),
      );
      if (status !== 0) {
        log.info(
          `Plugin "${plugin.id}" refused the C-STORE of instance ${instance.summary.ids.instance} ` +
            `with DIMSE status 0x${status.toString(16).padStart(4, "0")}`,
        );
      }
      return status;
    });
  }
  for (const fn of r.httpFilters) {
    hooks.register("incomingHttpRequest", owner, async (request) => {
      const answer = await timed(
        "HTTP request filter",
        () => fn({ ...request, headers: { ...request.headers } }),
      );
      if (answer instanceof Response) {
        log.info(
          `Plugin "${plugin.id}" answered ${request.method} ${request.uri} ` +
            `with its own HTTP ${answer.status}`,
        );
        filterAnswers.set(request, answer);
        return false;
      }
      if (!answer) log.info(`Plugin "${plugin.id}" refused ${request.method} ${request.uri}`);
      return Boolean(answer);
    });
  }
  // A filter answering nothing keeps the query; a copy goes in, so that it may change it in place.
  const findFilters = [
    ["incomingFindRequest", r.findFilters, "C-FIND request filter"],
    ["incomingWorklistRequest", r.worklistFilters, "worklist request filter"],
  ] as const;
  for (const [hook, filters, what] of findFilters) {
    for (const fn of filters) {
      hooks.register(hook, owner, async ({ query, origin }) => {
        const answer = await timed(what, () => fn(structuredClone(query), { ...origin }));
        return answer === undefined
          ? query
          : queryJsonOf(answer, hook === "incomingWorklistRequest");
      });
    }
  }
  for (const fn of r.outgoingFindFilters) {
    hooks.register("outgoingFindRequest", owner, async ({ query, modality }) => {
      const answer = await timed("outgoing C-FIND filter", () => fn({ ...query }, modality));
      return answer === undefined ? query : queryJsonOf(answer, false);
    });
  }
  for (const fn of r.stored) {
    hooks.register("storedInstance", owner, (event) => fn(views.stored(event)));
  }
  for (const fn of r.changes) {
    hooks.register("change", owner, (event) => fn(toPluginChange(event)));
    hooks.register("serverSignal", owner, (signal) => fn(signalChange(signal)));
  }
  for (const fn of r.refresh) hooks.register("refreshMetrics", owner, () => fn());
}

/** A plugin's decoders and transcoders, after the ones already there; each call guarded. */
export function installCodecs(codecs: Codecs, plugin: LoadedPlugin): void {
  for (const fn of plugin.registrations.decoders) {
    codecs.decoders.add((dicom, frame) => guard(plugin, "image decoder", () => fn(dicom, frame)));
  }
  for (const fn of plugin.registrations.transcoders) {
    codecs.transcoders.add(async (dicom, allowed, allowNewUid) =>
      (await guard(plugin, "transcoder", () => fn(dicom, [...allowed], allowNewUid))) ?? undefined
    );
  }
}

/** A plugin's choices of DICOMweb binary modes, after the ones already there; each call guarded. */
export function installDicomWebBinary(
  modes: BinaryModes,
  plugin: LoadedPlugin,
  timeoutMs: number,
): void {
  for (const fn of plugin.registrations.dicomWebBinary) {
    modes.add(async (element, bulkDataUri) => {
      const node = { path: element.path, tag: element.tag, vr: element.vr, bulkDataUri };
      const what = "DICOMweb binary callback";
      // Past its deadline, the plugin's choice is the server's: the metadata is still answered.
      const mode = await guard(
        plugin,
        what,
        () => withDeadline(() => fn(node), timeoutMs, `${what} of ${ownerName(plugin)}`),
      );
      if (mode === "inline") return { kind: "inline" };
      if (mode === "omit") return { kind: "omit" };
      if (mode === "bulkDataUri") return { kind: "uri", uri: bulkDataUri };
      if (mode && typeof mode === "object" && typeof mode.bulkDataUri === "string") {
        return { kind: "uri", uri: mode.bulkDataUri };
      }
      return undefined;
    });
  }
}
