// The attributes a new instance takes from the resource it is attached to (its Parent), level by
// level: modules.json is recorded from Orthanc 1.10.1's own answers by
// test/creating/record-modules.ts. They are read from one instance of the parent, as text.
import { type Encoding, textDecoding } from "../dicom/charsets.ts";
import { elementBytes, findElement, latin1, parseDicom } from "../dicom/parser.ts";
import { parseTagText, type Tag, Tags } from "../dicom/tag.ts";
import { elementText } from "../dicom/values.ts";
import recorded from "./modules.json";

export type ParentLevel = "Patient" | "Study" | "Series";

const LEVELS: readonly ParentLevel[] = ["Patient", "Study", "Series"];

/** The tags a child of a resource of `level` inherits: its module and those of the levels above. */
export function moduleTags(level: ParentLevel): Set<Tag> {
  const tags = new Set<Tag>();
  for (const l of LEVELS.slice(0, LEVELS.indexOf(level) + 1)) {
    for (const text of recorded[l]) tags.add(parseTagText(text)!);
  }
  return tags;
}

export interface Inheritance {
  /** The values of the module tags the parent's instance holds, as Unicode text. */
  tags: { tag: Tag; value: string }[];
  /** Its SpecificCharacterSet, in which the new instance is written. */
  charset: string | undefined;
}

/** What an instance of the parent gives a new child: its module tags that are text or numbers. */
export function inheritFrom(
  sibling: Uint8Array,
  level: ParentLevel,
  fallback: Encoding,
): Inheritance {
  const parsed = parseDicom(sibling);
  const { dataset } = parsed;
  const cs = findElement(dataset, Tags.SpecificCharacterSet);
  const raw = cs ? latin1(elementBytes(dataset, cs)).replace(/[\0 ]+$/, "") : undefined;
  const decoding = textDecoding(raw?.split("\\"), fallback);
  const tags: Inheritance["tags"] = [];
  for (const tag of [...moduleTags(level)].sort((a, b) => a - b)) {
    const e = findElement(dataset, tag);
    if (!e || e.items) continue;
    const value = elementText(dataset, e, decoding);
    if (value !== undefined) tags.push({ tag, value });
  }
  return { tags, charset: raw || undefined };
}
