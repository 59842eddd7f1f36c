// The DICOM identifiers /tools/lookup searches, each with the level (0..3) whose resources own it.
export const IDENTIFIERS: readonly (readonly [tag: number, level: number])[] = [
  [0x00100020, 0], // PatientID, held by patients (studies only keep a copy)
  [0x0020000d, 1], // StudyInstanceUID
  [0x0020000e, 2], // SeriesInstanceUID
  [0x00080018, 3], // SOPInstanceUID
];
