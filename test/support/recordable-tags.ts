// The standard tags a recorder script can send to Orthanc in one file: every public tag of the
// dictionary with a VR Pharos writes, past the meta group, not a group length, an item
// delimiter, SpecificCharacterSet or those `excluded`.
import { lookupTag } from "../../src/dicom/dictionary.ts";
import { parseTagText, type Tag } from "../../src/dicom/tag.ts";
import { isKnownVr } from "../../src/dicom/vr.ts";

const dcmjs = require("dcmjs") as typeof import("dcmjs");

export function* recordableTags(
  excluded: (tag: Tag) => boolean = () => false,
): Generator<{ tag: Tag; vr: string }> {
  const names = (dcmjs.data.DicomMetaDictionary as unknown as {
    nameMap: Record<string, { tag: string }>;
  }).nameMap;
  for (const { tag: key } of Object.values(names)) {
    const tag = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/.test(key)
      ? parseTagText(key.slice(1, -1))
      : undefined;
    if (tag === undefined || tag >>> 16 <= 4 || (tag >>> 16) % 2 === 1 || (tag & 0xffff) === 0) {
      continue;
    }
    if (tag >>> 16 === 0xfffe || tag === 0x00080005 || excluded(tag)) continue;
    const vr = lookupTag(tag)?.vr;
    if (vr && isKnownVr(vr)) yield { tag, vr };
  }
}
