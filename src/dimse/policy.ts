// What the SCP accepts at association time: SOP classes and transfer syntaxes, from Orthanc's
// options (AcceptedTransferSyntaxes with wildcards, the *TransferSyntaxAccepted flags,
// UnknownSopClassAccepted).
import {
  OtherStorageSopClass,
  SopClass,
  STORAGE_SOP_CLASS_ARC,
  StorageSopClass,
  TransferSyntax as TS,
} from "../dicom/uids.ts";

/** Query/retrieve SOP classes the SCP serves (patient root and study root). */
export const QR_CLASSES: ReadonlySet<string> = new Set([
  SopClass.PatientRootQueryRetrieveFind,
  SopClass.PatientRootQueryRetrieveMove,
  SopClass.PatientRootQueryRetrieveGet,
  SopClass.StudyRootQueryRetrieveFind,
  SopClass.StudyRootQueryRetrieveMove,
  SopClass.StudyRootQueryRetrieveGet,
]);

export const FIND_CLASSES = {
  Patient: SopClass.PatientRootQueryRetrieveFind,
  Study: SopClass.StudyRootQueryRetrieveFind,
} as const;

export const MOVE_CLASSES = {
  Patient: SopClass.PatientRootQueryRetrieveMove,
  Study: SopClass.StudyRootQueryRetrieveMove,
} as const;

export const GET_CLASSES = {
  Patient: SopClass.PatientRootQueryRetrieveGet,
  Study: SopClass.StudyRootQueryRetrieveGet,
} as const;

/** Storage SOP classes a C-GET SCU proposes (with the SCP role) for its sub-operations. */
export const COMMON_STORAGE_CLASSES: string[] = Object.values(StorageSopClass);

const OTHER_STORAGE: ReadonlySet<string> = new Set(Object.values(OtherStorageSopClass));

/** A standard storage SOP class (all live under 1.2.840.10008.5.1.4.1.1, with a few others). */
export function isStorageClass(uid: string): boolean {
  return uid.startsWith(STORAGE_SOP_CLASS_ARC) || OTHER_STORAGE.has(uid);
}

/** Orthanc's options that turn a group of transfer syntaxes off. */
export type TransferSyntaxFlag =
  | "DeflatedTransferSyntaxAccepted"
  | "JpegTransferSyntaxAccepted"
  | "JpegLosslessTransferSyntaxAccepted"
  | "Jpeg2000TransferSyntaxAccepted"
  | "JpipTransferSyntaxAccepted"
  | "Mpeg2TransferSyntaxAccepted"
  | "Mpeg4TransferSyntaxAccepted"
  | "H265TransferSyntaxAccepted"
  | "RleTransferSyntaxAccepted";

/** The transfer syntaxes Pharos knows, grouped as Orthanc's legacy flags group them. */
export const KNOWN_TRANSFER_SYNTAXES: Record<string, TransferSyntaxFlag | undefined> = {
  [TS.ImplicitVrLittleEndian]: undefined,
  [TS.ExplicitVrLittleEndian]: undefined,
  [TS.ExplicitVrBigEndian]: undefined,
  [TS.DeflatedExplicitVrLittleEndian]: "DeflatedTransferSyntaxAccepted",
  [TS.JpegBaseline]: "JpegTransferSyntaxAccepted",
  [TS.JpegExtended]: "JpegTransferSyntaxAccepted",
  [TS.JpegExtended35]: "JpegTransferSyntaxAccepted",
  [TS.JpegSpectralSelectionNonHierarchical68]: "JpegTransferSyntaxAccepted",
  [TS.JpegSpectralSelectionNonHierarchical79]: "JpegTransferSyntaxAccepted",
  [TS.JpegFullProgressionNonHierarchical1012]: "JpegTransferSyntaxAccepted",
  [TS.JpegFullProgressionNonHierarchical1113]: "JpegTransferSyntaxAccepted",
  [TS.JpegLosslessNonHierarchical]: "JpegTransferSyntaxAccepted",
  [TS.JpegLosslessNonHierarchical15]: "JpegTransferSyntaxAccepted",
  [TS.JpegExtendedHierarchical1618]: "JpegTransferSyntaxAccepted",
  [TS.JpegExtendedHierarchical1719]: "JpegTransferSyntaxAccepted",
  [TS.JpegSpectralSelectionHierarchical2022]: "JpegTransferSyntaxAccepted",
  [TS.JpegSpectralSelectionHierarchical2123]: "JpegTransferSyntaxAccepted",
  [TS.JpegFullProgressionHierarchical2426]: "JpegTransferSyntaxAccepted",
  [TS.JpegFullProgressionHierarchical2527]: "JpegTransferSyntaxAccepted",
  [TS.JpegLosslessHierarchical28]: "JpegTransferSyntaxAccepted",
  [TS.JpegLosslessHierarchical29]: "JpegTransferSyntaxAccepted",
  [TS.JpegLosslessFirstOrder]: "JpegTransferSyntaxAccepted",
  [TS.JpegLsLossless]: "JpegLosslessTransferSyntaxAccepted",
  [TS.JpegLsNearLossless]: "JpegLosslessTransferSyntaxAccepted",
  [TS.Jpeg2000Lossless]: "Jpeg2000TransferSyntaxAccepted",
  [TS.Jpeg2000]: "Jpeg2000TransferSyntaxAccepted",
  [TS.Jpeg2000Part2Lossless]: "Jpeg2000TransferSyntaxAccepted",
  [TS.Jpeg2000Part2]: "Jpeg2000TransferSyntaxAccepted",
  [TS.Jpip]: "JpipTransferSyntaxAccepted",
  [TS.JpipDeflate]: "JpipTransferSyntaxAccepted",
  [TS.Mpeg2MainProfile]: "Mpeg2TransferSyntaxAccepted",
  [TS.Mpeg2HighProfile]: "Mpeg2TransferSyntaxAccepted",
  [TS.Mpeg4HighProfile]: "Mpeg4TransferSyntaxAccepted",
  [TS.Mpeg4BdCompatibleHighProfile]: "Mpeg4TransferSyntaxAccepted",
  [TS.Mpeg4HighProfile2dVideo]: "Mpeg4TransferSyntaxAccepted",
  [TS.Mpeg4HighProfile3dVideo]: "Mpeg4TransferSyntaxAccepted",
  [TS.Mpeg4StereoHighProfile]: "Mpeg4TransferSyntaxAccepted",
  [TS.HevcMainProfile]: "H265TransferSyntaxAccepted",
  [TS.HevcMain10Profile]: "H265TransferSyntaxAccepted",
  [TS.RleLossless]: "RleTransferSyntaxAccepted",
  [TS.Rfc2557MimeEncapsulation]: undefined,
  [TS.XmlEncoding]: undefined,
};

function wildcard(pattern: string): RegExp {
  const body = pattern.trim().replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** Expands patterns ("1.2.840.10008.1.*") against the known transfer syntaxes. */
export function expandTransferSyntaxes(patterns: string | string[]): Set<string> {
  const list = (Array.isArray(patterns) ? patterns : [patterns]).map(wildcard);
  return new Set(
    Object.keys(KNOWN_TRANSFER_SYNTAXES).filter((ts) => list.some((re) => re.test(ts))),
  );
}

/** The C-STORE transfer syntaxes: AcceptedTransferSyntaxes minus those a flag turns off. */
export function acceptedTransferSyntaxes(
  patterns: string | string[],
  flags: Record<TransferSyntaxFlag, boolean>,
): Set<string> {
  const out = expandTransferSyntaxes(patterns);
  for (const ts of [...out]) {
    const flag = KNOWN_TRANSFER_SYNTAXES[ts];
    if (flag && !flags[flag]) out.delete(ts);
  }
  return out;
}
