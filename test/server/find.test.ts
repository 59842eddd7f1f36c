// Orthanc's matching rules for /tools/find (checked against Orthanc 1.10.1 answers).
import { expect, test } from "bun:test";
import { matcherFor } from "../../src/server/find.ts";

const PatientName = 0x00100010;
const StudyDate = 0x00080020;
const Modality = 0x00080060;

test("equality ignores case by default", () => {
  const m = matcherFor(PatientName, "brainix", false)!;
  expect(m("BRAINIX")).toBe(true);
  expect(m("BRAINIX2")).toBe(false);
  expect(m(undefined)).toBe(false);
  expect(matcherFor(PatientName, "brainix", true)!("BRAINIX")).toBe(false);
});

test("wildcards, lists and universal matching", () => {
  expect(matcherFor(PatientName, "BRA*", false)!("BRAINIX")).toBe(true);
  expect(matcherFor(PatientName, "B?AINIX", false)!("BRAINIX")).toBe(true);
  expect(matcherFor(PatientName, "B?INIX", false)!("BRAINIX")).toBe(false);
  const list = matcherFor(Modality, "MR\\CT", false)!;
  expect([list("CT"), list("mr"), list("PT")]).toEqual([true, true, false]);
  expect(matcherFor(PatientName, "", false)).toBeUndefined();
  expect(matcherFor(PatientName, "*", false)).toBeUndefined();
});

test("date ranges compare as text, empty dates included below a bound", () => {
  const before = matcherFor(StudyDate, "-19990101", false)!;
  expect([before("19980101"), before(""), before("20000101"), before(undefined)]).toEqual([
    true,
    true,
    false,
    false,
  ]);
  const between = matcherFor(StudyDate, "19990101-20070101", false)!;
  expect([between("20061201"), between("20080101")]).toEqual([true, false]);
  expect(matcherFor(StudyDate, "20061201-", false)!("20061201")).toBe(true);
});
