// DICOM tags as 32-bit numbers (group << 16 | element) and Orthanc's "gggg,eeee" text form.

export type Tag = number;

export function makeTag(group: number, element: number): Tag {
  return ((group << 16) | element) >>> 0;
}

export const tagGroup = (tag: Tag): number => tag >>> 16;
export const tagElement = (tag: Tag): number => tag & 0xffff;

const hex4 = (n: number) => n.toString(16).padStart(4, "0");

/** Orthanc's key form: lower-case "0010,0010". */
export function formatTag(tag: Tag): string {
  return `${hex4(tagGroup(tag))},${hex4(tagElement(tag))}`;
}

/** Parses "0010,0010", "00100010" or "0010-0010"; undefined when malformed. */
export function parseTagText(text: string): Tag | undefined {
  const m = /^([0-9a-fA-F]{4})[,\-]?([0-9a-fA-F]{4})$/.exec(text);
  return m ? makeTag(parseInt(m[1]!, 16), parseInt(m[2]!, 16)) : undefined;
}

export const isPrivateGroup = (tag: Tag): boolean => (tagGroup(tag) & 1) === 1;

export const Tags = {
  FileMetaGroupLength: 0x00020000,
  MediaStorageSopClassUid: 0x00020002,
  MediaStorageSopInstanceUid: 0x00020003,
  TransferSyntaxUid: 0x00020010,
  SpecificCharacterSet: 0x00080005,
  SopClassUid: 0x00080016,
  SopInstanceUid: 0x00080018,
  PatientId: 0x00100020,
  StudyInstanceUid: 0x0020000d,
  SeriesInstanceUid: 0x0020000e,
  NumberOfFrames: 0x00280008,
  PixelData: 0x7fe00010,
  Item: 0xfffee000,
  ItemDelimitation: 0xfffee00d,
  SequenceDelimitation: 0xfffee0dd,
} as const;
