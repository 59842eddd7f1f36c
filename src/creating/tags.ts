// The tags of a new instance as a request gives them in JSON ({"PatientName": "A", "0010,0020":
// "B", "ReferencedImageSequence": [{...}]}), read into a list of tags and values with Orthanc's
// refusals: unknown tags, values that are neither text, null nor a list of items, PixelData.
import { resolveTag } from "../dicom/dictionary.ts";
import { formatTag, type Tag, Tags } from "../dicom/tag.ts";
import type { JsonValue } from "../dicom/tags-json.ts";
import type { EditItem, EditValue } from "../editing/editor.ts";
import { CreateError } from "./errors.ts";

export interface NewTag {
  tag: Tag;
  /** The key as the request spells it, for Orthanc's messages. */
  name: string;
  value: EditValue;
}

const isObject = (v: JsonValue): v is { [key: string]: JsonValue } =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function tagOf(key: string): Tag {
  const tag = resolveTag(key);
  if (tag === undefined) throw new CreateError("UnknownDicomTag");
  return tag;
}

function valueOf(tag: Tag, value: JsonValue): EditValue {
  if (typeof value === "string") return value;
  if (value === null) return "";
  const bad = () =>
    new CreateError("BadParameterType", `Bad Parameter type for tag ${formatTag(tag)}`);
  if (!Array.isArray(value)) throw bad();
  return value.map((item): EditItem => {
    if (!isObject(item)) throw bad();
    return Object.entries(item).map(([key, v]) => {
      const inner = tagOf(key);
      return { tag: inner, value: valueOf(inner, v) };
    });
  });
}

/** The tags of a JSON object, in its order; PixelData is refused (it comes from Content). */
export function readTags(json: JsonValue): NewTag[] {
  if (!isObject(json)) throw new CreateError("BadRequest");
  return Object.entries(json).map(([name, value]) => {
    const tag = tagOf(name);
    if (tag === Tags.PixelData) throw new CreateError("CreateDicomUseContent");
    return { tag, name, value: valueOf(tag, value) };
  });
}
