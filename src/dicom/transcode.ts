// The built-in transcoder between the uncompressed transfer syntaxes: the file meta group is
// kept but for its transfer syntax, and the dataset is re-encoded from the original bytes.
import { deflateRawSync } from "node:zlib";
import {
  type DicomDataset,
  DicomParseError,
  elementBytes,
  findElement,
  hasPreamble,
  latin1,
  parseDicom,
} from "./parser.ts";
import { reencodeDataset, UnencodableError } from "./reencode.ts";
import { Tags } from "./tag.ts";
import { SopClass, TransferSyntax, UNCOMPRESSED_TRANSFER_SYNTAXES } from "./uids.ts";
import { encodingOf, type ValueElement, writeFileMeta } from "./writer.ts";

/** The DICOM file re-encoded in `target`, or undefined when the built-in transcoder cannot do it (e.g. a compressed source or target). */
export function transcodeNative(file: Uint8Array, target: string): Uint8Array | undefined {
  if (!UNCOMPRESSED_TRANSFER_SYNTAXES.has(target)) return undefined;
  let parsed;
  try {
    parsed = parseDicom(file);
  } catch (e) {
    if (e instanceof DicomParseError) return undefined;
    throw e;
  }
  // A dataset without meta header has no meta elements to keep: it is no Part-10 file to rewrite.
  if (
    !UNCOMPRESSED_TRANSFER_SYNTAXES.has(parsed.transferSyntax) || parsed.meta.elements.length === 0
  ) {
    return undefined;
  }
  if (parsed.transferSyntax === target) return file;
  // A DICOMDIR's records point at each other by byte offsets, which re-encoding would break.
  if (uidOf(parsed.meta, Tags.MediaStorageSopClassUid) === SopClass.MediaStorageDirectory) {
    return undefined;
  }
  const meta = metaElements(parsed.meta, target);
  if (!meta) return undefined;
  let dataset: Uint8Array;
  try {
    dataset = reencodeDataset(parsed.dataset, encodingOf(target)).bytes();
  } catch (e) {
    if (e instanceof UnencodableError) return undefined;
    throw e;
  }
  // The preamble is the application's: kept when there is one.
  const out = writeFileMeta(meta, hasPreamble(file) ? file.subarray(0, 128) : undefined);
  out.push(
    target === TransferSyntax.DeflatedExplicitVrLittleEndian ? deflateRawSync(dataset) : dataset,
  );
  return out.bytes();
}

function uidOf(dataset: DicomDataset, tag: number): string | undefined {
  const element = findElement(dataset, tag);
  return element && latin1(elementBytes(dataset, element)).replace(/[\0 ]+$/, "");
}

/** The meta elements as they are, but for the transfer syntax (the group length is rewritten). */
export function metaElements(
  meta: DicomDataset,
  transferSyntax: string,
): ValueElement[] | undefined {
  const elements: ValueElement[] = [];
  for (const e of meta.elements) {
    if (e.items || e.fragments || e.undefinedLength) return undefined;
    if (e.tag === Tags.FileMetaGroupLength) continue;
    const value = e.tag === Tags.TransferSyntaxUid
      ? Uint8Array.from(transferSyntax, (c) => c.charCodeAt(0))
      : elementBytes(meta, e);
    elements.push({ tag: e.tag, vr: e.vr, value });
  }
  return elements;
}
