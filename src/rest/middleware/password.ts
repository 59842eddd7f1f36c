// Password comparison in constant time, so that the time of a refusal tells nothing about how
// much of a guess was right, nor about the length of the registered password.
import { timingSafeEqual } from "node:crypto";

export function samePassword(given: string, expected: string): boolean {
  const expectedBytes = Buffer.from(expected, "utf8");
  const givenBytes = Buffer.from(given, "utf8");
  // The guess is cut or zero-padded to the expected length, so that the comparison runs over
  // the same bytes whatever it is; the lengths are checked only after it.
  const padded = Buffer.alloc(expectedBytes.length);
  givenBytes.copy(padded);
  const equal = timingSafeEqual(padded, expectedBytes);
  return equal && givenBytes.length === expectedBytes.length;
}
