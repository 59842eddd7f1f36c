// A plugin's callbacks as hook handlers: lenient answers become the hooks' typed answers,
// ill-formed ones fail with the plugin's name, changes carry Orthanc's names.
import { expect, test } from "bun:test";
import type { ParsedDicom } from "../../src/dicom/parser.ts";
import type { InstanceSummary } from "../../src/dicom/summary.ts";
import { ChangeType } from "../../src/server/model.ts";
import { HookFailure, HookRegistry, type IncomingInstance } from "../../src/server/hooks.ts";
import { FilterAnswers } from "../../src/plugins/filter-answers.ts";
import { installHooks } from "../../src/plugins/hook-adapters.ts";
import { emptyRegistrations, type LoadedPlugin } from "../../src/plugins/loaded-plugin.ts";
import type {
  ChangeEvent,
  PharosPlugin,
  ReceivedInstanceDecision,
} from "../../src/plugins/pharos-plugin.d.ts";
import { InstanceViews } from "../../src/plugins/views.ts";

function plugin(id: string): LoadedPlugin {
  const module: PharosPlugin = { initialize: () => {} };
  return { id, version: "1", path: `${id}.ts`, module, registrations: emptyRegistrations() };
}

const views = new InstanceViews(() => "Latin1");
const origin = { kind: "DicomProtocol" } as const;
const incoming: IncomingInstance = {
  bytes: new Uint8Array(),
  parsed: {} as ParsedDicom,
  summary: {
    ids: { patient: "p", study: "s", series: "e", instance: "i" },
    transferSyntax: "1.2.840.10008.1.2.1",
    sopClassUid: "1.2.840.10008.5.1.4.1.1.2",
  } as InstanceSummary,
  origin,
};

test("nothing answered keeps the bytes and accepts the C-STORE", async () => {
  const hooks = new HookRegistry();
  const p = plugin("lenient");
  p.registrations.received.push(() => undefined);
  p.registrations.cstoreFilters.push(() => undefined);
  let seen: unknown;
  p.registrations.instanceFilters.push((instance) => {
    seen = [instance.ids.instance, instance.sopClassUid, instance.origin.kind];
    return true;
  });
  installHooks(hooks, views, p, 60_000, new FilterAnswers());
  const bytes = new Uint8Array([1, 2]);
  expect(await hooks.decide("receivedInstance", { bytes, origin })).toEqual({ action: "keep" });
  expect(await hooks.decide("incomingInstance", incoming)).toBe(true);
  expect(seen).toEqual(["i", "1.2.840.10008.5.1.4.1.1.2", "DicomProtocol"]);
  expect(await hooks.decide("incomingCStoreInstance", incoming)).toBe(0);
});

test("an ill-formed answer fails with the plugin's name", async () => {
  const hooks = new HookRegistry();
  const p = plugin("sloppy");
  p.registrations.received.push(() =>
    ({ action: "rename" }) as unknown as ReceivedInstanceDecision
  );
  p.registrations.cstoreFilters.push(() => 1.5);
  installHooks(hooks, views, p, 60_000, new FilterAnswers());
  const received = await hooks.decide("receivedInstance", { bytes: new Uint8Array(), origin })
    .catch((e) => e);
  expect(received).toBeInstanceOf(HookFailure);
  expect(received.message).toBe(
    'Error in the received-instance callback of plugin "sloppy": bad decision: {"action":"rename"}',
  );
  const status = await hooks.decide("incomingCStoreInstance", incoming).catch((e) => e);
  expect(status.message).toBe(
    'Error in the C-STORE filter of plugin "sloppy": not a DIMSE status: 1.5',
  );
});

test("changes and the server's signals reach on-change callbacks with Orthanc's names", async () => {
  const hooks = new HookRegistry();
  const p = plugin("listener");
  const seen: ChangeEvent[] = [];
  p.registrations.changes.push((change) => {
    seen.push(change);
  });
  installHooks(hooks, views, p, 60_000, new FilterAnswers());
  hooks.notify("change", {
    changeType: ChangeType.StableStudy,
    level: "Study",
    publicId: "s",
    date: "20240102T030405",
  });
  await hooks.notify("serverSignal", "OrthancStopped");
  expect(seen).toEqual([
    {
      changeType: "StableStudy",
      changeTypeCode: ChangeType.StableStudy,
      level: "Study",
      resourceId: "s",
      date: "20240102T030405",
    },
    { changeType: "OrthancStopped", changeTypeCode: 0, level: null, resourceId: "", date: "" },
  ]);
});

test("find filters chain with Lua's: each sees the previous query, nothing keeps it", async () => {
  const hooks = new HookRegistry();
  const first = plugin("rewriter");
  first.registrations.findFilters.push((query, from) => {
    query["0010,0020"] = `${from.remoteAet}-${from.manufacturer}`;
    return query;
  });
  first.registrations.outgoingFindFilters.push((query, aet) => ({ ...query, StudyDate: aet }));
  const second = plugin("watcher");
  let seen: unknown;
  second.registrations.findFilters.push((query) => {
    seen = query;
  });
  second.registrations.worklistFilters.push(() => ({ "0040,0100": [{ "0040,0001": "S" }] }));
  installHooks(hooks, views, first, 60_000, new FilterAnswers());
  installHooks(hooks, views, second, 60_000, new FilterAnswers());
  const from = { remoteIp: "::1", remoteAet: "SCU", calledAet: "PHAROS", manufacturer: "GE" };
  const query = { "0008,0052": "STUDY", "0010,0020": "" };
  expect(await hooks.decide("incomingFindRequest", { query, origin: from })).toEqual({
    "0008,0052": "STUDY",
    "0010,0020": "SCU-GE",
  });
  expect(seen).toEqual({ "0008,0052": "STUDY", "0010,0020": "SCU-GE" });
  // The caller's query is not changed in place.
  expect(query["0010,0020"]).toBe("");
  expect(await hooks.decide("incomingWorklistRequest", { query: {}, origin: from })).toEqual({
    "0040,0100": [{ "0040,0001": "S" }],
  });
  expect(await hooks.decide("outgoingFindRequest", { query: {}, modality: "PACS" })).toEqual({
    StudyDate: "PACS",
  });
});

test("a find filter answering no query fails with the plugin's name", async () => {
  const hooks = new HookRegistry();
  const p = plugin("numeric");
  p.registrations.findFilters.push(() => ({ PatientID: 5 }) as unknown as Record<string, string>);
  installHooks(hooks, views, p, 60_000, new FilterAnswers());
  const from = { remoteIp: "::1", remoteAet: "SCU", calledAet: "PHAROS", manufacturer: "Generic" };
  const failure = await hooks.decide("incomingFindRequest", { query: {}, origin: from }).catch((
    e,
  ) => e);
  expect(failure).toBeInstanceOf(HookFailure);
  expect(failure.message).toContain('plugin "numeric"');
});
