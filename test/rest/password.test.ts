// samePassword: equal only for the same string, whatever the lengths and characters.
import { expect, test } from "bun:test";
import { samePassword } from "../../src/rest/middleware/password.ts";

test("the same password matches", () => {
  expect(samePassword("secret", "secret")).toBe(true);
  expect(samePassword("", "")).toBe(true);
  expect(samePassword("pässwörd", "pässwörd")).toBe(true);
});

test("a different password of the same length does not match", () => {
  expect(samePassword("secreT", "secret")).toBe(false);
  expect(samePassword("x", "")).toBe(false);
});

test("a prefix or an extension of the password does not match", () => {
  expect(samePassword("secre", "secret")).toBe(false);
  expect(samePassword("secret\0", "secret")).toBe(false);
  expect(samePassword("secretx", "secret")).toBe(false);
  expect(samePassword("", "secret")).toBe(false);
});

test("lengths are compared in bytes, not characters", () => {
  expect(samePassword("é", "e\u0301")).toBe(false);
  expect(samePassword("ab", "é")).toBe(false);
});
