// Orthanc's way of naming what to edit: a tag ("0010,0010", "PatientName") or a path through
// sequence items ("ReferencedImageSequence[0].ReferencedSOPInstanceUID", "[*]" for every item).
import { resolveTag } from "../dicom/dictionary.ts";
import type { TagPath } from "./editor.ts";
import { EditError } from "./errors.ts";

function tagOf(text: string) {
  const tag = resolveTag(text.trim());
  if (tag === undefined) throw new EditError("UnknownDicomTag");
  return tag;
}

const STEP = /^(.+)\[(\d+|\*)\]$/;

export function parsePath(text: string): TagPath {
  const parts = text.split(".");
  const last = parts.pop()!;
  const steps = parts.map((part) => {
    const m = STEP.exec(part);
    if (!m) throw new EditError("UnknownDicomTag");
    return { tag: tagOf(m[1]!), item: m[2] === "*" ? "*" as const : Number(m[2]) };
  });
  return { steps, tag: tagOf(last) };
}
