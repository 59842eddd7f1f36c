// The decoded-frame cache: a frame decodes once while cached, by the file's content; failures
// are decoded again; the least recently used frames leave past the byte budget.
import { expect, test } from "bun:test";
import { DecodedFrameCache } from "../../src/imaging/frame-cache.ts";
import type { DecodedImage } from "../../src/imaging/image.ts";

const image = (size: number): DecodedImage => ({
  format: "Grayscale8",
  width: size,
  height: 1,
  pixels: new Uint8Array(size),
});

test("a frame decodes once per content; another content or frame decodes again", async () => {
  const cache = new DecodedFrameCache(1000);
  let calls = 0;
  const decode = () => Promise.resolve((calls++, image(10)));
  const file = new Uint8Array([1, 2, 3]);
  const first = await cache.get(file, 0, decode);
  expect(await cache.get(new Uint8Array([1, 2, 3]), 0, decode)).toBe(first);
  expect(calls).toBe(1);
  await cache.get(file, 1, decode);
  await cache.get(new Uint8Array([1, 2, 4]), 0, decode);
  expect(calls).toBe(3);
});

test("failures are not cached", async () => {
  const cache = new DecodedFrameCache(1000);
  let calls = 0;
  const fail = () => Promise.resolve((calls++, { failure: "BadFileFormat" as const }));
  const file = new Uint8Array([9]);
  expect(await cache.get(file, 0, fail)).toEqual({ failure: "BadFileFormat" });
  await cache.get(file, 0, fail);
  expect(calls).toBe(2);
});

test("the least recently used frame leaves past the budget", async () => {
  const cache = new DecodedFrameCache(1000);
  let calls = 0;
  const decode = () => Promise.resolve((calls++, image(250)));
  const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((n) => new Uint8Array([n]));
  for (const file of [a!, b!, c!, d!]) await cache.get(file, 0, decode);
  await cache.get(a!, 0, decode); // a is now the most recent
  await cache.get(e!, 0, decode); // over budget: b leaves
  expect(calls).toBe(5);
  await cache.get(a!, 0, decode);
  expect(calls).toBe(5);
  await cache.get(b!, 0, decode);
  expect(calls).toBe(6);
});
