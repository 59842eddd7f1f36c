// Orthanc 1.10.1's names inside archives (src/archive/names.ts, layout.ts), as observed on the
// real server: the cases the e2e comparison with Orthanc cannot all reach with sample files.
import { expect, test } from "bun:test";
import { archiveLayout, type ArchivePatient, mediaLayout } from "../../src/archive/layout.ts";
import { instanceFileName, sanitize } from "../../src/archive/names.ts";

test("values keep letters, digits, '_' and '.', '^' and spaces separate words", () => {
  expect(sanitize("CT2 t\u00e9te, face, sinus ")).toBe("CT2 tte face sinus");
  expect(sanitize("Knee (R)")).toBe("Knee R");
  expect(sanitize("HELLO^A")).toBe("HELLO A");
  expect(sanitize("a-b_c.d/e\\f  two  spaces ")).toBe("ab_c.def two spaces");
});

test("files: two letters of the modality and six digits, or eight digits", () => {
  expect(instanceFileName("MR", 12)).toBe("MR000012.dcm");
  expect(instanceFileName("SEG", 0)).toBe("SE000000.dcm");
  expect(instanceFileName("", 3)).toBe("00000003.dcm");
});

const tags = (entries: [number, string][]) => new Map(entries);

test("empty names fall back to Unknown Patient/Study/Series, twins get -2", () => {
  const patients: ArchivePatient[] = [{
    id: "p",
    tags: tags([]),
    children: ["s2", "s1"].map((id) => ({
      id,
      tags: tags([[0x00081030, "Same^Name"]]),
      children: [{
        id: `${id}-series`,
        tags: tags([]),
        children: [{ id: `${id}-a` }, { id: `${id}-b` }],
      }],
    })),
  }];
  expect(archiveLayout(patients).map((p) => `${p.id} ${p.path}`)).toEqual([
    "s1-a Unknown Patient/Same Name/Unknown Series/00000000.dcm",
    "s1-b Unknown Patient/Same Name/Unknown Series/00000001.dcm",
    "s2-a Unknown Patient/Same Name-2/Unknown Series/00000000.dcm",
    "s2-b Unknown Patient/Same Name-2/Unknown Series/00000001.dcm",
  ]);
  expect(mediaLayout(patients).map((p) => p.path)).toEqual([
    "IMAGES/IM0",
    "IMAGES/IM1",
    "IMAGES/IM2",
    "IMAGES/IM3",
  ]);
});
