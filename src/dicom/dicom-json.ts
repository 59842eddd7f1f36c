// The DICOM JSON Model (PS3.18 Annex F) of a dataset, as Orthanc 1.10.1 writes it (its
// DicomWebJsonVisitor over the dataset DCMTK read): what it leaves out, how it types values, and
// how it lays out the items of a sequence.
import type { TextDecoding } from "./charsets.ts";
import type { DicomDataset, DicomElement } from "./parser.ts";
import { type Tag, tagElement } from "./tag.ts";
import {
  attributeValue,
  type BinaryValue,
  type DicomJsonAttribute,
  type DicomJsonDataset,
  type LeafValue,
} from "./dicom-json-values.ts";

export type {
  DicomJsonAttribute,
  DicomJsonDataset,
  DicomJsonValue,
  PersonNameJson,
} from "./dicom-json-values.ts";

/** Where a binary value lies: the sequences and item indexes above it, then its tag and VR. */
export interface BinaryElement {
  path: { tag: Tag; item: number }[];
  tag: Tag;
  vr: string;
}

/** How a binary value is written: inline (base64), as a bulk data URI, or not at all. */
export type BinaryMode = { kind: "inline" } | { kind: "uri"; uri: string } | { kind: "omit" };

export interface DicomJsonOptions {
  /** Orthanc's /instances/{id}/file writes every binary value inline. */
  binary?: (element: BinaryElement) => BinaryMode;
}

/**
 * A dataset Orthanc cannot write: in a sequence, an item without attributes comes before the
 * second item that has some (Orthanc fails, and its /file route then answers the file itself).
 */
export class DicomJsonError extends Error {}

/** Keys already written: a large series' metadata writes the same few hundred again and again. */
const jsonTags = new Map<Tag, string>();

/** 8 hex digits in upper case, the key of an attribute. */
export function jsonTag(tag: Tag): string {
  let key = jsonTags.get(tag);
  if (key === undefined) {
    key = (tag >>> 0).toString(16).toUpperCase().padStart(8, "0");
    // Bounded: private tags of odd files must not grow it without end.
    if (jsonTags.size < 65_536) jsonTags.set(tag, key);
  }
  return key;
}

interface Context {
  decoding: TextDecoding;
  binary: (element: BinaryElement) => BinaryMode;
}

const inline = (): BinaryMode => ({ kind: "inline" });

/**
 * The dataset in DICOM JSON. Text is decoded with `decoding` at every depth (Orthanc decodes a
 * whole file with the character set of its main dataset).
 */
export function dicomJson(
  dataset: DicomDataset,
  decoding: TextDecoding,
  options: DicomJsonOptions = {},
): DicomJsonDataset {
  return datasetJson(dataset, { decoding, binary: options.binary ?? inline }, []);
}

function datasetJson(
  dataset: DicomDataset,
  ctx: Context,
  path: BinaryElement["path"],
): DicomJsonDataset {
  const out: DicomJsonDataset = {};
  for (const e of dataset.elements) {
    // Group lengths are left out, at every depth.
    if (tagElement(e.tag) === 0) continue;
    const attribute = e.items
      ? sequenceJson(e, e.items, ctx, path)
      : leafJson(attributeValue(dataset, e, ctx.decoding), e, ctx, path);
    if (attribute) out[jsonTag(e.tag)] = attribute;
  }
  return out;
}

function sequenceJson(
  e: DicomElement,
  items: DicomDataset[],
  ctx: Context,
  path: BinaryElement["path"],
): DicomJsonAttribute | undefined {
  if (items.length === 0) return { vr: "SQ" };
  const values: DicomJsonDataset[] = [];
  items.forEach((item, index) => {
    const json = datasetJson(item, ctx, [...path, { tag: e.tag, item: index }]);
    // Orthanc creates an item when it writes its first attribute: an item without any is
    // skipped, the first one written takes the first place, and each next one must come right
    // after the last.
    if (Object.keys(json).length === 0) return;
    if (values.length > 0 && index !== values.length) {
      throw new DicomJsonError(`item ${index} of ${jsonTag(e.tag)} comes after an empty item`);
    }
    values.push(json);
  });
  // A sequence whose items are all empty is left out.
  return values.length > 0 ? { vr: "SQ", Value: values } : undefined;
}

function leafJson(
  value: LeafValue | undefined,
  e: DicomElement,
  ctx: Context,
  path: BinaryElement["path"],
): DicomJsonAttribute | undefined {
  if (!value) return undefined;
  if (value.kind === "list") {
    return value.values === undefined ? { vr: value.vr } : { vr: value.vr, Value: value.values };
  }
  return binaryJson(value, e, ctx, path);
}

function binaryJson(
  value: BinaryValue,
  e: DicomElement,
  ctx: Context,
  path: BinaryElement["path"],
): DicomJsonAttribute | undefined {
  const mode = ctx.binary({ path, tag: e.tag, vr: value.vr });
  switch (mode.kind) {
    case "omit":
      return undefined;
    case "uri":
      return { vr: value.vr, BulkDataURI: mode.uri };
    case "inline":
      return { vr: value.vr, InlineBinary: Buffer.from(value.bytes()).toString("base64") };
  }
}
