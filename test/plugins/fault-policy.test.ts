// The fault policy: an error nobody caught is named after the plugin whose file its stack shows,
// logged, and the process goes on (with the handlers installed, nothing exits).
import { expect, spyOn, test } from "bun:test";
import { EventEmitter } from "node:events";
import { log } from "../../src/log.ts";
import { attributeError, installFaultPolicy } from "../../src/plugins/fault-policy.ts";

const plugins = [
  { id: "one", path: "/opt/plugins/one.ts" },
  { id: "two", path: "/opt/plugins/two.ts" },
];

function thrownAt(path: string): Error {
  const error = new Error("boom");
  error.stack = `Error: boom\n    at <anonymous> (${path}:3:9)\n    at processTicks (native)`;
  return error;
}

test("an error is attributed by the plugin file its stack names, path or file URL", () => {
  expect(attributeError(thrownAt("/opt/plugins/two.ts"), plugins)).toBe("two");
  expect(attributeError(thrownAt("file:///opt/plugins/one.ts"), plugins)).toBe("one");
  expect(attributeError(thrownAt("/work/src/main.ts"), plugins)).toBeUndefined();
  expect(attributeError("a string", plugins)).toBeUndefined();
});

test("rejections and exceptions are logged with their plugin", () => {
  const target = new EventEmitter() as unknown as NodeJS.Process;
  const errors: string[] = [];
  const spy = spyOn(log, "error").mockImplementation((m) => void errors.push(m));
  try {
    installFaultPolicy(() => plugins, target);
    target.emit("unhandledRejection", thrownAt("/opt/plugins/one.ts"));
    target.emit("uncaughtException", new Error("elsewhere"));
  } finally {
    spy.mockRestore();
  }
  expect(errors[0]).toStartWith(
    'Uncaught error in plugin "one" (a rejected promise nobody awaited), the server goes on: Error: boom',
  );
  expect(errors[1]).toStartWith(
    "Uncaught error of unknown origin (an exception outside any callback), the server goes on:",
  );
});
