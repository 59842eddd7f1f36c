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
  TransferSyntax,
} from "./parser.ts";
import {
  elementHeader,
  type Encoding,
  Output,
  reencodeDataset,
  UnencodableError,
} from "./reencode.ts";
import { Tags } from "./tag.ts";

const ENCODINGS: ReadonlyMap<string, Encoding> = new Map([
  [TransferSyntax.ImplicitLittle, { explicitVr: false, littleEndian: true }],
  [TransferSyntax.ExplicitLittle, { explicitVr: true, littleEndian: true }],
  [TransferSyntax.Deflated, { explicitVr: true, littleEndian: true }],
  [TransferSyntax.ExplicitBig, { explicitVr: true, littleEndian: false }],
]);
const META_ENCODING: Encoding = { explicitVr: true, littleEndian: true };

/** A DICOMDIR's records point at each other by byte offsets, which re-encoding would break. */
const MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10";

/** The DICOM file re-encoded in `target`, or undefined when the built-in transcoder cannot do it (e.g. a compressed source or target). */
export function transcodeNative(file: Uint8Array, target: string): Uint8Array | undefined {
  const to = ENCODINGS.get(target);
  if (!to) return undefined;
  let parsed;
  try {
    parsed = parseDicom(file);
  } catch (e) {
    if (e instanceof DicomParseError) return undefined;
    throw e;
  }
  // A dataset without meta header has no meta elements to keep: it is no Part-10 file to rewrite.
  if (!ENCODINGS.has(parsed.transferSyntax) || parsed.meta.elements.length === 0) return undefined;
  if (parsed.transferSyntax === target) return file;
  if (uidOf(parsed.meta, Tags.MediaStorageSopClassUid) === MEDIA_STORAGE_DIRECTORY) {
    return undefined;
  }
  const meta = metaGroup(parsed.meta, target);
  if (!meta) return undefined;
  let dataset: Uint8Array;
  try {
    dataset = reencodeDataset(parsed.dataset, to).bytes();
  } catch (e) {
    if (e instanceof UnencodableError) return undefined;
    throw e;
  }
  const out = new Output();
  // The preamble is the application's: kept when there is one.
  out.push(hasPreamble(file) ? file.subarray(0, 128) : new Uint8Array(128));
  out.push(new Uint8Array([0x44, 0x49, 0x43, 0x4d]));
  out.append(meta);
  out.push(target === TransferSyntax.Deflated ? deflateRawSync(dataset) : dataset);
  return out.bytes();
}

function uidOf(dataset: DicomDataset, tag: number): string | undefined {
  const element = findElement(dataset, tag);
  return element && latin1(elementBytes(dataset, element)).replace(/[\0 ]+$/, "");
}

/** The meta elements as they are, with the new transfer syntax and a recomputed group length. */
function metaGroup(meta: DicomDataset, transferSyntax: string): Output | undefined {
  const body = new Output();
  for (const e of meta.elements) {
    if (e.items || e.fragments || e.undefinedLength) return undefined;
    if (e.tag === Tags.FileMetaGroupLength) continue;
    const value = e.tag === Tags.TransferSyntaxUid
      ? uidValue(transferSyntax)
      : elementBytes(meta, e);
    body.push(elementHeader(e.tag, e.vr, value.length, META_ENCODING));
    body.push(value);
  }
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, body.size, true);
  const out = new Output();
  out.push(elementHeader(Tags.FileMetaGroupLength, "UL", 4, META_ENCODING));
  out.push(length);
  out.append(body);
  return out;
}

/** A UID value, padded to an even length with a NUL (PS3.5 9.1). */
function uidValue(uid: string): Uint8Array {
  const out = new Uint8Array(uid.length + (uid.length % 2));
  for (let i = 0; i < uid.length; i++) out[i] = uid.charCodeAt(i);
  return out;
}
