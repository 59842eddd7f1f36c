// GET /instances/{id}/content/...: a path of tags and item indexes into the dataset, answered
// as Orthanc 1.10 walks it (ParsedDicomFile::SendPathValue): a dataset lists its tags, a
// sequence its item indexes, any other element its raw value; the pixel data, named alone at
// the top, lists its blocks (the fragments of encapsulated data, offset table first, or one
// block for native data) and answers one by its index.
import { resolveTag } from "../dicom/dictionary.ts";
import {
  type DicomDataset,
  type DicomElement,
  elementBytes,
  findElement,
} from "../dicom/parser.ts";
import { formatTag, type Tag, Tags } from "../dicom/tag.ts";
import { swapUnit } from "../dicom/vr.ts";
import { NotFoundWithoutBody, OrthancError } from "../server/errors.ts";
import { jsonResponse } from "./json.ts";

/** The components of the path after /content: decoded, a trailing slash ignored. */
export function contentPath(rest: string): string[] {
  const parts = rest.split("/").slice(1);
  if (parts.at(-1) === "") parts.pop();
  return parts.map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
}

/** A tag of the path; an unknown name is Orthanc's 500 "Unknown DICOM tag". */
function tagOf(text: string): Tag {
  const tag = resolveTag(text);
  if (tag === undefined) throw new OrthancError("UnknownDicomTag");
  return tag;
}

/**
 * An index as boost::lexical_cast reads an unsigned integer of `bits` bits: digits with an
 * optional sign, a minus wrapping around; undefined when it is no number or does not fit.
 */
function unsignedIndex(text: string, bits: 32 | 64): bigint | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const magnitude = BigInt(text.replace(/^[+-]/, ""));
  if (magnitude >= 1n << BigInt(bits)) return undefined;
  return text.startsWith("-") ? BigInt.asUintN(bits, -magnitude) : magnitude;
}

/**
 * An element's value as DCMTK hands it over: numbers in the machine's (little-endian) byte
 * order, so those of a big-endian file come swapped.
 */
function valueBytes(dataset: DicomDataset, element: DicomElement): Uint8Array {
  const bytes = elementBytes(dataset, element);
  const unit = swapUnit(element.vr);
  if (dataset.source.littleEndian || unit === 1) return bytes;
  const out = bytes.slice();
  for (let pos = 0; pos + unit <= bytes.length; pos += unit) {
    for (let i = 0; i < unit; i++) out[pos + i] = bytes[pos + unit - 1 - i]!;
  }
  return out;
}

function raw(bytes: Uint8Array): Response {
  return new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } });
}

function tagList(dataset: DicomDataset): Response {
  return jsonResponse(dataset.elements.map((e) => formatTag(e.tag).replace(",", "-")));
}

function pixelData(dataset: DicomDataset, block: string | undefined): Response {
  const element = findElement(dataset, Tags.PixelData);
  if (!element) throw new NotFoundWithoutBody();
  const fragments = element.fragments;
  const count = fragments?.length ?? 1;
  if (block === undefined) return jsonResponse(Array.from({ length: count }, (_, i) => String(i)));
  const index = unsignedIndex(block, 32);
  if (index === undefined || index >= count) throw new NotFoundWithoutBody();
  const fragment = fragments?.[Number(index)];
  return raw(
    fragment
      ? dataset.source.bytes.subarray(fragment.offset, fragment.offset + fragment.length)
      : valueBytes(dataset, element),
  );
}

export function contentAnswer(dataset: DicomDataset, path: string[]): Response {
  if ((path.length === 1 || path.length === 2) && tagOf(path[0]!) === Tags.PixelData) {
    return pixelData(dataset, path[1]);
  }
  let current = dataset;
  for (let i = 0; i + 1 < path.length; i += 2) {
    // The index is read before the tag: a bad index ends the walk before a bad tag is noticed.
    const index = unsignedIndex(path[i + 1]!, 64);
    if (index === undefined) throw new NotFoundWithoutBody();
    const items = findElement(current, tagOf(path[i]!))?.items;
    // DCMTK takes the index as signed: -1 (2^64 - 1) is the last item.
    const signed = BigInt.asIntN(64, index);
    const item = items?.[signed === -1n ? items.length - 1 : Number(signed)];
    if (!item) throw new NotFoundWithoutBody();
    current = item;
  }
  if (path.length % 2 === 0) return tagList(current);
  const element = findElement(current, tagOf(path.at(-1)!));
  if (!element) throw new NotFoundWithoutBody();
  if (element.items) return jsonResponse(element.items.map((_, k) => String(k)));
  return raw(valueBytes(current, element));
}
