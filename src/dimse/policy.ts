// What the SCP accepts at association time: SOP classes and transfer syntaxes, from Orthanc's
// options (AcceptedTransferSyntaxes with wildcards, the *TransferSyntaxAccepted flags,
// UnknownSopClassAccepted).

export const VERIFICATION = "1.2.840.10008.1.1";

/** Modality Worklist Information Model FIND. */
export const WORKLIST_FIND = "1.2.840.10008.5.1.4.31";

export const IMPLICIT_LE = "1.2.840.10008.1.2";
export const EXPLICIT_LE = "1.2.840.10008.1.2.1";

/** Query/retrieve SOP classes the SCP serves (patient root and study root). */
export const QR_CLASSES = new Set([
  "1.2.840.10008.5.1.4.1.2.1.1", // Patient Root FIND
  "1.2.840.10008.5.1.4.1.2.1.2", // Patient Root MOVE
  "1.2.840.10008.5.1.4.1.2.1.3", // Patient Root GET
  "1.2.840.10008.5.1.4.1.2.2.1", // Study Root FIND
  "1.2.840.10008.5.1.4.1.2.2.2", // Study Root MOVE
  "1.2.840.10008.5.1.4.1.2.2.3", // Study Root GET
]);

export const FIND_CLASSES = {
  Patient: "1.2.840.10008.5.1.4.1.2.1.1",
  Study: "1.2.840.10008.5.1.4.1.2.2.1",
} as const;

export const MOVE_CLASSES = {
  Patient: "1.2.840.10008.5.1.4.1.2.1.2",
  Study: "1.2.840.10008.5.1.4.1.2.2.2",
} as const;

export const GET_CLASSES = {
  Patient: "1.2.840.10008.5.1.4.1.2.1.3",
  Study: "1.2.840.10008.5.1.4.1.2.2.3",
} as const;

/** Storage SOP classes a C-GET SCU proposes (with the SCP role) for its sub-operations. */
export const COMMON_STORAGE_CLASSES = [
  "1.2.840.10008.5.1.4.1.1.1", // CR
  "1.2.840.10008.5.1.4.1.1.1.1", // Digital X-Ray, presentation
  "1.2.840.10008.5.1.4.1.1.1.1.1", // Digital X-Ray, processing
  "1.2.840.10008.5.1.4.1.1.1.2", // Mammography, presentation
  "1.2.840.10008.5.1.4.1.1.1.2.1", // Mammography, processing
  "1.2.840.10008.5.1.4.1.1.1.3", // Intra-oral X-Ray
  "1.2.840.10008.5.1.4.1.1.2", // CT
  "1.2.840.10008.5.1.4.1.1.2.1", // Enhanced CT
  "1.2.840.10008.5.1.4.1.1.3.1", // US multi-frame
  "1.2.840.10008.5.1.4.1.1.4", // MR
  "1.2.840.10008.5.1.4.1.1.4.1", // Enhanced MR
  "1.2.840.10008.5.1.4.1.1.4.2", // MR spectroscopy
  "1.2.840.10008.5.1.4.1.1.6.1", // US
  "1.2.840.10008.5.1.4.1.1.7", // Secondary capture
  "1.2.840.10008.5.1.4.1.1.7.1", // Multi-frame single bit SC
  "1.2.840.10008.5.1.4.1.1.7.2", // Multi-frame grayscale byte SC
  "1.2.840.10008.5.1.4.1.1.7.3", // Multi-frame grayscale word SC
  "1.2.840.10008.5.1.4.1.1.7.4", // Multi-frame true color SC
  "1.2.840.10008.5.1.4.1.1.11.1", // Grayscale softcopy presentation state
  "1.2.840.10008.5.1.4.1.1.12.1", // X-Ray angiographic
  "1.2.840.10008.5.1.4.1.1.12.2", // X-Ray radiofluoroscopic
  "1.2.840.10008.5.1.4.1.1.13.1.3", // Breast tomosynthesis
  "1.2.840.10008.5.1.4.1.1.20", // NM
  "1.2.840.10008.5.1.4.1.1.66", // Raw data
  "1.2.840.10008.5.1.4.1.1.66.4", // Segmentation
  "1.2.840.10008.5.1.4.1.1.77.1.4", // VL photographic
  "1.2.840.10008.5.1.4.1.1.88.11", // Basic text SR
  "1.2.840.10008.5.1.4.1.1.88.22", // Enhanced SR
  "1.2.840.10008.5.1.4.1.1.88.33", // Comprehensive SR
  "1.2.840.10008.5.1.4.1.1.88.59", // Key object selection
  "1.2.840.10008.5.1.4.1.1.104.1", // Encapsulated PDF
  "1.2.840.10008.5.1.4.1.1.128", // PET
  "1.2.840.10008.5.1.4.1.1.130", // Enhanced PET
  "1.2.840.10008.5.1.4.1.1.481.1", // RT image
  "1.2.840.10008.5.1.4.1.1.481.2", // RT dose
  "1.2.840.10008.5.1.4.1.1.481.3", // RT structure set
  "1.2.840.10008.5.1.4.1.1.481.5", // RT plan
];

/** Storage SOP classes outside the 1.2.840.10008.5.1.4.1.1 arc. */
const OTHER_STORAGE = new Set([
  "1.2.840.10008.5.1.4.34.7", // RT Beams Delivery Instruction
  "1.2.840.10008.5.1.4.34.10", // RT Brachy Application Setup Delivery Instruction
  "1.2.840.10008.5.1.4.38.1", // Hanging Protocol
  "1.2.840.10008.5.1.4.39.1", // Color Palette
  "1.2.840.10008.5.1.4.43.1", // Generic Implant Template
  "1.2.840.10008.5.1.4.44.1", // Implant Assembly Template
  "1.2.840.10008.5.1.4.45.1", // Implant Template Group
]);

/** A standard storage SOP class (all live under 1.2.840.10008.5.1.4.1.1, with a few others). */
export function isStorageClass(uid: string): boolean {
  return uid.startsWith("1.2.840.10008.5.1.4.1.1.") || OTHER_STORAGE.has(uid);
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
  "1.2.840.10008.1.2": undefined,
  "1.2.840.10008.1.2.1": undefined,
  "1.2.840.10008.1.2.2": undefined,
  "1.2.840.10008.1.2.1.99": "DeflatedTransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.50": "JpegTransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.51": "JpegTransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.57": "JpegTransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.70": "JpegTransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.80": "JpegLosslessTransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.81": "JpegLosslessTransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.90": "Jpeg2000TransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.91": "Jpeg2000TransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.92": "Jpeg2000TransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.93": "Jpeg2000TransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.94": "JpipTransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.95": "JpipTransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.100": "Mpeg2TransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.101": "Mpeg2TransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.102": "Mpeg4TransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.103": "Mpeg4TransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.104": "Mpeg4TransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.105": "Mpeg4TransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.106": "Mpeg4TransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.107": "H265TransferSyntaxAccepted",
  "1.2.840.10008.1.2.4.108": "H265TransferSyntaxAccepted",
  "1.2.840.10008.1.2.5": "RleTransferSyntaxAccepted",
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
