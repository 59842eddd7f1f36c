// The DICOMDIR of a media (PS3.10, PS3.3 F): one PATIENT, STUDY and SERIES record per resource
// and one IMAGE record per file, in the order Orthanc writes them (depth first), with the keys
// Orthanc copies from the files; `extended` adds the SeriesDescription as Orthanc's "Extended".
// Records point at each other by byte offsets from the start of the file, so every record is
// laid out once to learn its size, then written with the offsets filled in.
import { elementBytes, findElement, parseDicom } from "../dicom/parser.ts";
import { Tags } from "../dicom/tag.ts";
import { generateUid } from "../dicom/uid.ts";
import {
  PHAROS_IMPLEMENTATION_UID,
  PHAROS_IMPLEMENTATION_VERSION,
  SopClass,
  TransferSyntax,
} from "../dicom/uids.ts";
import {
  type ElementToWrite,
  EXPLICIT_VR_LITTLE_ENDIAN,
  Output,
  writeDataset,
  writeFileMeta,
  writeItem,
} from "../dicom/writer.ts";

type Key = readonly [tag: number, vr: string];

const CHARSET: Key = [Tags.SpecificCharacterSet, "CS"];
const KEYS = {
  PATIENT: [CHARSET, [0x00100010, "PN"], [0x00100020, "LO"]],
  STUDY: [
    CHARSET,
    [0x00080020, "DA"],
    [0x00080030, "TM"],
    [0x00080050, "SH"],
    [0x00081030, "LO"],
    [0x0020000d, "UI"],
    [0x00200010, "SH"],
  ],
  SERIES: [CHARSET, [0x00080060, "CS"], [0x0020000e, "UI"], [0x00200011, "IS"]],
  IMAGE: [CHARSET, [0x00200013, "IS"]],
} as const satisfies Record<string, readonly Key[]>;
const SERIES_DESCRIPTION: Key = [0x0008103e, "LO"];
/** SpecificCharacterSet, PatientID, StudyID, SeriesNumber. */
const OMITTED_WHEN_EMPTY = new Set([Tags.SpecificCharacterSet, 0x00100020, 0x00200010, 0x00200011]);

function now(vr: "DA" | "TM"): string {
  const iso = new Date().toISOString();
  return vr === "DA"
    ? iso.slice(0, 10).replace(/-/g, "")
    : `${iso.slice(11, 19).replace(/:/g, "")}.000000`;
}

const OffsetOfTheNextDirectoryRecord = 0x00041400;
const RecordInUseFlag = 0x00041410;
const OffsetOfReferencedLowerLevelDirectoryEntity = 0x00041420;
const DirectoryRecordType = 0x00041430;
const ReferencedFileId = 0x00041500;
const ReferencedSopClassUidInFile = 0x00041510;
const ReferencedSopInstanceUidInFile = 0x00041511;
const ReferencedTransferSyntaxUidInFile = 0x00041512;

interface DirectoryRecord {
  type: string;
  /** The record's own keys, in ascending tag order, after the 0004 group. */
  keys: ElementToWrite[];
  children: DirectoryRecord[];
  /** Filled when laid out: its offset from the start of the file. */
  offset: number;
}

const ascii = (s: string) => new TextEncoder().encode(s);

function ul(tag: number, value: number): ElementToWrite {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return { tag, vr: "UL", value: bytes };
}

function us(tag: number, value: number): ElementToWrite {
  const bytes = new Uint8Array(2);
  new DataView(bytes.buffer).setUint16(0, value, true);
  return { tag, vr: "US", value: bytes };
}

/** A text value without its padding (DCMTK writes record keys trimmed). */
function trimmed(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0)) end--;
  let start = 0;
  while (start < end && bytes[start] === 0x20) start++;
  return bytes.subarray(start, end);
}

/** Collects the records of the files added, in media order, then writes the DICOMDIR. */
export class DicomDirBuilder {
  private readonly roots: DirectoryRecord[] = [];
  private readonly byKey = new Map<string, DirectoryRecord>();

  constructor(private readonly extended = false) {}

  /**
   * One file of the media. As in Orthanc's DICOMDIR, records are found by their DICOM key
   * (PatientID, StudyInstanceUID, SeriesInstanceUID): a file whose series or study already has
   * a record goes under it, whatever patient it was stored under.
   * @param fileId its path in the media ("IMAGES/IM0")
   */
  add(fileId: string, file: Uint8Array): void {
    const parsed = parseDicom(file);
    const value = (tag: number): Uint8Array | undefined => {
      const element = findElement(parsed.dataset, tag);
      return element && trimmed(elementBytes(parsed.dataset, element)).slice();
    };
    const keysOf = (keys: readonly Key[]): ElementToWrite[] =>
      keys.flatMap(([tag, vr]) => {
        const v = value(tag);
        if (v === undefined || v.length === 0) {
          // As Orthanc's writer (DCMTK) does: a missing date or time is today's, and some
          // keys are left out rather than written empty.
          if (vr === "DA" || vr === "TM") return [{ tag, vr, value: ascii(now(vr)) }];
          if (OMITTED_WHEN_EMPTY.has(tag)) return [];
        }
        return [{ tag, vr, value: v ?? new Uint8Array(0) }];
      });
    const record = (
      parentList: DirectoryRecord[],
      type: keyof typeof KEYS,
      extra: readonly Key[] = [],
    ): DirectoryRecord => {
      const keys = keysOf([...KEYS[type], ...extra]).sort((a, b) => a.tag - b.tag);
      const r = { type, keys, children: [], offset: 0 };
      parentList.push(r);
      return r;
    };
    const key = (type: string, tag: number) =>
      `${type}:${new TextDecoder().decode(value(tag) ?? new Uint8Array(0))}`;
    const seriesKey = key("SERIES", Tags.SeriesInstanceUid);
    let series = this.byKey.get(seriesKey);
    if (!series) {
      const studyKey = key("STUDY", Tags.StudyInstanceUid);
      let study = this.byKey.get(studyKey);
      if (!study) {
        const patientKey = key("PATIENT", Tags.PatientId);
        let patient = this.byKey.get(patientKey);
        if (!patient) this.byKey.set(patientKey, patient = record(this.roots, "PATIENT"));
        this.byKey.set(studyKey, study = record(patient.children, "STUDY"));
      }
      const extra = this.extended ? [SERIES_DESCRIPTION] : [];
      this.byKey.set(seriesKey, series = record(study.children, "SERIES", extra));
    }
    const meta = (tag: number) => {
      const element = findElement(parsed.meta, tag);
      return element ? trimmed(elementBytes(parsed.meta, element)).slice() : new Uint8Array(0);
    };
    series.children.push({
      type: "IMAGE",
      keys: [
        { tag: ReferencedFileId, vr: "CS", value: ascii(fileId.replace(/\//g, "\\")) },
        {
          tag: ReferencedSopClassUidInFile,
          vr: "UI",
          value: value(Tags.SopClassUid) ?? meta(Tags.MediaStorageSopClassUid),
        },
        {
          tag: ReferencedSopInstanceUidInFile,
          vr: "UI",
          value: value(Tags.SopInstanceUid) ?? meta(Tags.MediaStorageSopInstanceUid),
        },
        { tag: ReferencedTransferSyntaxUidInFile, vr: "UI", value: ascii(parsed.transferSyntax) },
        ...keysOf(KEYS.IMAGE),
      ],
      children: [],
      offset: 0,
    });
  }

  /** The DICOMDIR file. */
  bytes(): Uint8Array {
    const meta = writeFileMeta([
      { tag: 0x00020001, vr: "OB", value: new Uint8Array([0, 1]) },
      { tag: Tags.MediaStorageSopClassUid, vr: "UI", value: ascii(SopClass.MediaStorageDirectory) },
      { tag: Tags.MediaStorageSopInstanceUid, vr: "UI", value: ascii(generateUid("instance")) },
      {
        tag: Tags.TransferSyntaxUid,
        vr: "UI",
        value: ascii(TransferSyntax.ExplicitVrLittleEndian),
      },
      { tag: 0x00020012, vr: "UI", value: ascii(PHAROS_IMPLEMENTATION_UID) },
      { tag: 0x00020013, vr: "SH", value: ascii(PHAROS_IMPLEMENTATION_VERSION) },
    ]);
    const head = (first: number, last: number) => [
      { tag: 0x00041130, vr: "CS", value: ascii("ORTHANC_MEDIA") },
      ul(0x00041200, first),
      ul(0x00041202, last),
      us(0x00041212, 0),
    ];
    // The sequence's header (explicit VR SQ: 12 bytes) follows the head.
    const start = meta.size + writeDataset(head(0, 0), EXPLICIT_VR_LITTLE_ENDIAN).size + 12;
    const ordered: DirectoryRecord[] = [];
    const walk = (list: DirectoryRecord[]) => {
      for (const r of list) {
        ordered.push(r);
        walk(r.children);
      }
    };
    walk(this.roots);
    const items = (final: boolean) => {
      const siblingsOf = new Map<DirectoryRecord, DirectoryRecord | undefined>();
      const link = (list: DirectoryRecord[]) =>
        list.forEach((r, i) => {
          siblingsOf.set(r, list[i + 1]);
          link(r.children);
        });
      link(this.roots);
      let offset = start;
      return ordered.map((r) => {
        const body = writeDataset([
          ul(OffsetOfTheNextDirectoryRecord, final ? siblingsOf.get(r)?.offset ?? 0 : 0),
          us(RecordInUseFlag, 0xffff),
          ul(OffsetOfReferencedLowerLevelDirectoryEntity, final ? r.children[0]?.offset ?? 0 : 0),
          { tag: DirectoryRecordType, vr: "CS", value: ascii(r.type) },
          ...r.keys,
        ], EXPLICIT_VR_LITTLE_ENDIAN);
        const item = writeItem(body, true, EXPLICIT_VR_LITTLE_ENDIAN);
        r.offset = offset;
        offset += item.size;
        return item;
      });
    };
    items(false);
    const written = items(true);
    const out = new Output();
    out.append(meta);
    out.append(writeDataset(
      [...head(this.roots[0]?.offset ?? 0, this.roots.at(-1)?.offset ?? 0), {
        tag: 0x00041220,
        items: [],
        undefinedLength: true,
      }],
      EXPLICIT_VR_LITTLE_ENDIAN,
    ));
    // The sequence's items go between its header and its delimiter (the last 8 bytes).
    const sequenceEnd = out.parts.pop()!;
    out.size -= sequenceEnd.length;
    for (const item of written) out.append(item);
    out.push(sequenceEnd);
    return out.bytes();
  }
}
