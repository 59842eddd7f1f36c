// The WADO-RS metadata of one instance as PS3.18 Annex F JSON text, its binary values as bulk
// data URIs below the instance's URL: written from the bytes (metadata-writer.ts) where it can
// be, else through the parser and the DICOM JSON model. The metadata workers compute it too: it
// imports nothing but src/dicom and the JSON writers.
import type { BinaryElement } from "../dicom/dicom-json.ts";
import { dicomJson, type DicomJsonDataset } from "../dicom/dicom-json.ts";
import type { Encoding, TextDecoding } from "../dicom/charsets.ts";
import {
  type DicomDataset,
  type ParsedDicom,
  parseDicom,
  parseDicomHeader,
} from "../dicom/parser.ts";
import { decodingOf } from "../dicom/summary.ts";
import { type Tag, Tags } from "../dicom/tag.ts";
import { datasetText } from "./json.ts";
import { writeMetadata } from "./metadata-writer.ts";

const hex = (tag: Tag) => (tag >>> 0).toString(16).padStart(8, "0");

/** Where the value of a binary element is retrieved (tag, item, tag… below /bulk). */
export function bulkDataUri(instanceUrl: string, element: BinaryElement): string {
  const steps = element.path.flatMap((p) => [hex(p.tag), String(p.item + 1)]);
  return `${instanceUrl}/bulk/${[...steps, hex(element.tag)].join("/")}`;
}

export function metadataJson(
  dataset: DicomDataset,
  decoding: TextDecoding,
  instanceUrl: string,
): DicomJsonDataset {
  return dicomJson(dataset, decoding, {
    binary: (element) => ({ kind: "uri", uri: bulkDataUri(instanceUrl, element) }),
  });
}

export function metadataText(
  dataset: DicomDataset,
  decoding: TextDecoding,
  instanceUrl: string,
): string {
  return datasetText(metadataJson(dataset, decoding, instanceUrl));
}

/** The bytes an instance's metadata is made of: its whole file, or the file cut in its pixel data. */
export interface MetadataBytes {
  bytes: Uint8Array;
  /** Where the pixel data element starts, for a cut file: its value is not there. */
  pixelDataAt?: number;
}

/**
 * The metadata text of an instance, or undefined when its bytes do not parse, or when a cut file
 * does not parse as the index located its pixel data (the whole file is then read again).
 */
export function metadataOf(
  source: MetadataBytes,
  fallback: Encoding,
  instanceUrl: string,
): string | undefined {
  return writeMetadata(source.bytes, source.pixelDataAt, fallback, instanceUrl) ??
    generalMetadataOf(source, fallback, instanceUrl);
}

/** metadataOf through the parser and the DICOM JSON model, for the files the writer leaves. */
export function generalMetadataOf(
  source: MetadataBytes,
  fallback: Encoding,
  instanceUrl: string,
): string | undefined {
  let parsed: ParsedDicom;
  try {
    parsed = source.pixelDataAt === undefined
      ? parseDicom(source.bytes)
      : parseDicomHeader(source.bytes);
  } catch {
    return undefined;
  }
  if (source.pixelDataAt !== undefined) {
    const elements = parsed.dataset.elements;
    const last = elements[elements.length - 1];
    if (last?.tag !== Tags.PixelData || last.start !== source.pixelDataAt) return undefined;
  }
  return metadataText(parsed.dataset, decodingOf(parsed, fallback), instanceUrl);
}
