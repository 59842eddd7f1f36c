// Which modality rescale Orthanc 1.10.1 applies in /numpy and /rendered: the top-level
// RescaleSlope/RescaleIntercept pair, else the frame's functional group; never the shared group,
// never half a pair, never on RT Dose.
import type { Element } from "../../../src/dimse/codec.ts";
import { sequenceElement, textElement } from "../../../src/dimse/codec.ts";
import { TransferSyntax } from "../../../src/dicom/uids.ts";
import type { Scenario } from "../scenario.ts";
import { asIs, pngPixels } from "../../support/canonical.ts";
import { syntheticImage } from "../../support/synthetic-images.ts";

const SYNTAX = TransferSyntax.ExplicitVrLittleEndian;
const RT_DOSE = "1.2.840.10008.5.1.4.1.1.481.2";

const pair = (slope?: string, intercept?: string): Element[] => [
  ...(intercept === undefined ? [] : [textElement(0x00281052, "DS", intercept)]),
  ...(slope === undefined ? [] : [textElement(0x00281053, "DS", slope)]),
];

/** A functional groups sequence (shared or per-frame) holding one pixel value transformation. */
const group = (tag: number, slope: string, intercept: string): Element =>
  sequenceElement(tag, [[sequenceElement(0x00289145, [pair(slope, intercept)], SYNTAX)]], SYNTAX);

const SHARED = 0x52009229;
const PER_FRAME = 0x52009230;

const CASES: { name: string; extra: Element[]; sopClass?: string }[] = [
  { name: "top-level", extra: pair("3", "7") },
  { name: "slope only", extra: pair("3") },
  { name: "intercept only", extra: pair(undefined, "7") },
  { name: "shared group only", extra: [group(SHARED, "2", "5")] },
  { name: "per-frame group only", extra: [group(PER_FRAME, "2", "5")] },
  { name: "top-level and per-frame", extra: [...pair("3", "7"), group(PER_FRAME, "2", "5")] },
  { name: "top-level and shared", extra: [...pair("3", "7"), group(SHARED, "2", "5")] },
  { name: "RT Dose, top-level", extra: pair("3", "7"), sopClass: RT_DOSE },
  { name: "RT Dose, per-frame", extra: [group(PER_FRAME, "2", "5")], sopClass: RT_DOSE },
];

/** A 16×16 ramp of 12-bit values, so that slope and intercept both show in every answer. */
function ramp(): Uint8Array {
  const values = new Uint16Array(256);
  for (let i = 0; i < values.length; i++) values[i] = i * 13;
  return new Uint8Array(values.buffer);
}

const scenario: Scenario = {
  name: "images-rescale",
  async run(s) {
    for (const { name, extra, sopClass } of CASES) {
      const bytes = syntheticImage({
        name: `rescale ${name}`,
        rows: 16,
        columns: 16,
        bitsAllocated: 16,
        bitsStored: 12,
        photometric: "MONOCHROME2",
        pixels: ramp(),
        sopClass,
        extra,
      });
      const id = await s.uploadBytes(name, bytes);
      if (!id) continue;
      for (
        const route of ["numpy", "rendered", "frames/0/rendered?window-center=60&window-width=200"]
      ) {
        const canonical = route === "numpy" ? asIs : pngPixels;
        await s.get(`/instances/${id}/${route}`, { name: `${name} ${route}`, canonical });
      }
    }
  },
};

export default scenario;
