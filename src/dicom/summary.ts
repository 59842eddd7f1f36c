// What the index needs from a parsed instance: UIDs, Orthanc ids and main tags per level.
import { type Encoding, type TextDecoding, textDecoding } from "./charsets.ts";
import { type OrthancIds, orthancIds } from "./identifiers.ts";
import { type Level, LEVELS, MAIN_TAGS } from "./levels.ts";
import { elementBytes, findElement, latin1, type ParsedDicom } from "./parser.ts";
import { pixelDataOffset } from "./pixel-data-offset.ts";
import { makeTag, type Tag, Tags } from "./tag.ts";
import { elementText, isTooLong } from "./values.ts";

export interface InstanceSummary {
  ids: OrthancIds;
  /** Main DICOM tags present in the file, per level, decoded to Unicode. */
  mainTags: Record<Level, Map<Tag, string>>;
  sopClassUid: string;
  transferSyntax: string;
  /** False when the meta header does not name it (Orthanc then records no TransferSyntax). */
  transferSyntaxDeclared: boolean;
  /** Offset of the pixel data element in the file, where Orthanc finds one (pixel-data-offset.ts). */
  pixelDataOffset?: number;
  /** InstanceNumber, else ImageIndex, as written in the file (Orthanc keeps the text). */
  indexInSeries?: string;
}

export class MissingTagError extends Error {}

/** An identifier Orthanc cannot read as text, being over its 256-byte limit ("TooLong"). */
export class TooLongIdentifierError extends Error {}

export function decodingOf(parsed: ParsedDicom, fallback: Encoding): TextDecoding {
  const cs = findElement(parsed.dataset, Tags.SpecificCharacterSet);
  const terms = cs ? latin1(elementBytes(parsed.dataset, cs)).split("\\") : undefined;
  return textDecoding(terms, fallback);
}

export function summarize(parsed: ParsedDicom, fallback: Encoding): InstanceSummary {
  const decoding = decodingOf(parsed, fallback);
  const d = parsed.dataset;
  const text = (tag: Tag): string | undefined => {
    const e = findElement(d, tag);
    return e ? elementText(d, e, decoding) : undefined;
  };
  const identifier = (tag: Tag): string | undefined => {
    const e = findElement(d, tag);
    if (e && isTooLong(d, e, decoding)) throw new TooLongIdentifierError();
    return e ? elementText(d, e, decoding) : undefined;
  };
  const required = (tag: Tag): string => {
    const value = identifier(tag);
    // Orthanc refuses instances without these UIDs ("Inexistent tag").
    if (value === undefined || (tag !== Tags.PatientId && value === "")) {
      throw new MissingTagError();
    }
    return value;
  };
  const ids = orthancIds({
    patientId: identifier(Tags.PatientId) ?? "",
    studyInstanceUid: required(Tags.StudyInstanceUid),
    seriesInstanceUid: required(Tags.SeriesInstanceUid),
    sopInstanceUid: required(Tags.SopInstanceUid),
  });
  const mainTags = {} as Record<Level, Map<Tag, string>>;
  for (const level of LEVELS) {
    const map = new Map<Tag, string>();
    for (const tag of MAIN_TAGS[level]) {
      const value = text(tag);
      if (value !== undefined) map.set(tag, value);
    }
    mainTags[level] = map;
  }
  const index = text(makeTag(0x0020, 0x0013)) ?? text(makeTag(0x0054, 0x1330));
  const summary: InstanceSummary = {
    ids,
    mainTags,
    sopClassUid: text(Tags.SopClassUid) ?? "",
    transferSyntax: parsed.transferSyntax,
    transferSyntaxDeclared: !parsed.metaWithoutTransferSyntax,
  };
  // The meta header's source is the file as received, whatever the dataset's encoding.
  const offset = pixelDataOffset(parsed.meta.source.bytes);
  if (offset !== undefined) summary.pixelDataOffset = offset;
  if (index !== undefined) summary.indexInSeries = index;
  return summary;
}
