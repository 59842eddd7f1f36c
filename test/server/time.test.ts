// Orthanc's timestamps; the current second's text is kept, and follows the clock.
import { afterEach, expect, setSystemTime, test } from "bun:test";
import { isoNow } from "../../src/server/time.ts";

afterEach(() => setSystemTime());

test("isoNow follows the clock from one second to the next", () => {
  setSystemTime(new Date("2024-01-31T23:59:59.400Z"));
  expect(isoNow()).toBe("20240131T235959");
  setSystemTime(new Date("2024-01-31T23:59:59.900Z"));
  expect(isoNow()).toBe("20240131T235959");
  setSystemTime(new Date("2024-02-01T00:00:00.100Z"));
  expect(isoNow()).toBe("20240201T000000");
  expect(isoNow(new Date("2023-05-06T07:08:09Z"))).toBe("20230506T070809");
});
