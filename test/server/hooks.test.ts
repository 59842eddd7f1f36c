// The hook registry: notifications reach every handler and never fail the emitter; ordered ones
// are delivered one at a time, each owner in its own queue; interventions combine by their rule, and a failure names its owner.
import { expect, spyOn, test } from "bun:test";
import type { ParsedDicom } from "../../src/dicom/parser.ts";
import type { InstanceSummary } from "../../src/dicom/summary.ts";
import { OrthancError } from "../../src/server/errors.ts";
import type { ChangeEvent } from "../../src/server/events.ts";
import { log } from "../../src/log.ts";
import {
  BACKLOG_WARNING,
  HookFailure,
  HookRegistry,
  type IncomingInstance,
} from "../../src/server/hooks.ts";

const change = (publicId: string): ChangeEvent => ({
  changeType: 1,
  level: "Patient",
  publicId,
  date: "20240102T030405",
});

const origin = { kind: "RestApi" } as const;

/** The filters under test look at the origin only. */
const incoming = (kind: "RestApi" | "DicomProtocol"): IncomingInstance => ({
  bytes: new Uint8Array(),
  parsed: {} as ParsedDicom,
  summary: {} as InstanceSummary,
  origin: { kind },
});

test("a notification reaches every handler in order; a failing one is skipped", async () => {
  const hooks = new HookRegistry();
  const seen: string[] = [];
  hooks.register("storedInstance", "first", () => {
    seen.push("first");
  });
  hooks.register("storedInstance", "throws", () => {
    throw new Error("on purpose");
  });
  hooks.register("storedInstance", "rejects", () => Promise.reject(new Error("on purpose")));
  hooks.register("storedInstance", "last", () => {
    seen.push("last");
  });
  const event = {
    ids: { patient: "p", study: "s", series: "e", instance: "i" },
    bytes: new Uint8Array(),
    origin,
  };
  const done = hooks.notify("storedInstance", event);
  // Called at once, before the emitter goes on.
  expect(seen).toEqual(["first", "last"]);
  await done;
});

test("ordered notifications: one at a time, in order, each owner in its own queue", async () => {
  const hooks = new HookRegistry();
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  hooks.register("change", "slow", async (e) => {
    seen.push(`slow ${e.publicId} start`);
    if (e.publicId === "a") await gate;
    seen.push(`slow ${e.publicId} end`);
  });
  hooks.register("change", "fast", (e) => {
    seen.push(`fast ${e.publicId}`);
  });
  hooks.register("serverSignal", "fast", (signal) => {
    seen.push(`fast ${signal}`);
  });
  hooks.register("serverSignal", "slow", (signal) => {
    seen.push(`slow ${signal}`);
  });
  hooks.notify("change", change("a"));
  hooks.notify("change", change("b"));
  const stopped = hooks.notify("serverSignal", "OrthancStopped");
  await new Promise((resolve) => setImmediate(resolve));
  // The slow owner holds back only itself.
  expect(seen).toEqual(["slow a start", "fast a", "fast b", "fast OrthancStopped"]);
  expect(hooks.backlog("slow")).toBe(3);
  expect(hooks.backlog("fast")).toBe(0);
  release();
  await stopped;
  expect(seen.filter((s) => s.startsWith("slow"))).toEqual([
    "slow a start",
    "slow a end",
    "slow b start",
    "slow b end",
    "slow OrthancStopped",
  ]);
});

test("an owner's backlog is logged when it reaches BACKLOG_WARNING, then ten times deeper", async () => {
  const hooks = new HookRegistry();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  hooks.register("change", "stuck", () => gate);
  const warnings: string[] = [];
  const spy = spyOn(log, "warning").mockImplementation((message) => void warnings.push(message));
  try {
    for (let i = 0; i < BACKLOG_WARNING * 10; i++) hooks.notify("change", change(`${i}`));
  } finally {
    spy.mockRestore();
  }
  expect(warnings).toHaveLength(2);
  expect(warnings[0]).toContain(`on-change callback of stuck is ${BACKLOG_WARNING} events behind`);
  release();
  await hooks.notify("change", change("last"));
  expect(hooks.backlog("stuck")).toBe(0);
});

test("an immediate handler of an ordered hook does not wait behind the queue", async () => {
  const hooks = new HookRegistry();
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  hooks.register("change", "slow", () => gate);
  hooks.register("change", "bookkeeping", (e) => {
    seen.push(e.publicId);
  }, { immediate: true });
  hooks.notify("change", change("a"));
  const second = hooks.notify("change", change("b"));
  expect(seen).toEqual(["a", "b"]);
  release();
  await second;
});

test("a notification without handlers still waits for the queue", async () => {
  const hooks = new HookRegistry();
  let done = false;
  hooks.register("change", "slow", async () => {
    await Bun.sleep(5);
    done = true;
  });
  hooks.notify("change", change("a"));
  await hooks.notify("serverSignal", "OrthancStopped");
  expect(done).toBe(true);
});

test("received instance: replacements chain, a discard wins, nobody objecting keeps", async () => {
  const hooks = new HookRegistry();
  const input = { bytes: new Uint8Array([1]), origin };
  expect(await hooks.decide("receivedInstance", input)).toEqual({ action: "keep" });
  const replacement = new Uint8Array([2]);
  const seen: Uint8Array[] = [];
  hooks.register("receivedInstance", "replaces", () => ({ action: "replace", bytes: replacement }));
  hooks.register("receivedInstance", "looks", ({ bytes }) => {
    seen.push(bytes);
    return { action: "keep" };
  });
  expect(await hooks.decide("receivedInstance", input)).toEqual({
    action: "replace",
    bytes: replacement,
  });
  expect(seen).toEqual([replacement]);
  hooks.register("receivedInstance", "discards", () => ({ action: "discard" }));
  let after = false;
  hooks.register("receivedInstance", "after", () => {
    after = true;
    return { action: "keep" };
  });
  expect(await hooks.decide("receivedInstance", input)).toEqual({ action: "discard" });
  expect(after).toBe(false);
});

test("filters: the first refusal wins, and the next handlers are not asked", async () => {
  const hooks = new HookRegistry();
  const asked: string[] = [];
  expect(await hooks.decide("incomingInstance", incoming("RestApi"))).toBe(true);
  expect(await hooks.decide("incomingCStoreInstance", incoming("DicomProtocol"))).toBe(0);
  for (const [owner, status] of [["accepts", 0], ["refuses", 0xa700], ["other", 0xc000]] as const) {
    hooks.register("incomingCStoreInstance", owner, () => {
      asked.push(owner);
      return status;
    });
  }
  expect(await hooks.decide("incomingCStoreInstance", incoming("DicomProtocol"))).toBe(0xa700);
  expect(asked).toEqual(["accepts", "refuses"]);
  hooks.register("incomingHttpRequest", "refuses", () => false);
  const request = { method: "GET", uri: "/", ip: "127.0.0.1", headers: {}, getArguments: {} };
  expect(await hooks.decide("incomingHttpRequest", request)).toBe(false);
});

test("an intervention's failure names its owner; an OrthancError goes through as it is", async () => {
  const hooks = new HookRegistry();
  hooks.register("incomingInstance", 'plugin "probe"', () => {
    throw new Error("on purpose");
  });
  const failure = await hooks.decide("incomingInstance", incoming("RestApi")).catch((e) => e);
  expect(failure).toBeInstanceOf(HookFailure);
  expect(failure.message).toBe(
    'Error in the incoming-instance filter of plugin "probe": on purpose',
  );
  expect(failure.owner).toBe('plugin "probe"');

  const other = new HookRegistry();
  const refusal = new OrthancError("BadRequest", "no");
  other.register("incomingInstance", "x", () => Promise.reject(refusal));
  expect(await other.decide("incomingInstance", incoming("RestApi")).catch((e) => e)).toBe(refusal);
  expect(other.has("incomingInstance")).toBe(true);
  expect(other.has("incomingHttpRequest")).toBe(false);
});
