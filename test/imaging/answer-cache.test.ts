// The /rendered answer cache: an answer is produced once per content and variant; failures are
// produced again; the least recently used answers leave past the byte budget.
import { expect, test } from "bun:test";
import { type CachedAnswer, RenderedAnswerCache } from "../../src/imaging/answer-cache.ts";

const answer = (size: number): CachedAnswer => ({
  body: new Uint8Array(size),
  type: "image/png",
});
const key = (n: number, variant = "0") => RenderedAnswerCache.key(new Uint8Array([n]), variant);

test("an answer is produced once per content and variant", async () => {
  const cache = new RenderedAnswerCache(1000);
  let calls = 0;
  const produce = () => Promise.resolve((calls++, answer(10)));
  const first = await cache.get(key(1), produce);
  expect(await cache.get(key(1), produce)).toBe(first);
  expect(calls).toBe(1);
  await cache.get(key(1, "1"), produce);
  await cache.get(key(2), produce);
  expect(calls).toBe(3);
});

test("failures are not cached", async () => {
  const cache = new RenderedAnswerCache(1000);
  let calls = 0;
  const fail = () => Promise.reject(new Error(`failure ${++calls}`));
  await expect(cache.get(key(9), fail)).rejects.toThrow("failure 1");
  await expect(cache.get(key(9), fail)).rejects.toThrow("failure 2");
});

test("the least recently used answer leaves past the budget", async () => {
  const cache = new RenderedAnswerCache(1000);
  let calls = 0;
  const produce = () => Promise.resolve((calls++, answer(250)));
  for (const n of [1, 2, 3, 4]) await cache.get(key(n), produce);
  await cache.get(key(1), produce); // 1 is now the most recent
  await cache.get(key(5), produce); // over budget: 2 leaves
  expect(calls).toBe(5);
  await cache.get(key(1), produce);
  expect(calls).toBe(5);
  await cache.get(key(2), produce);
  expect(calls).toBe(6);
});
