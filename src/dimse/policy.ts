// What the SCP accepts at association time: SOP classes and transfer syntaxes, from Orthanc's
// options (AcceptedTransferSyntaxes with wildcards, the *TransferSyntaxAccepted flags,
// UnknownSopClassAccepted).

export const VERIFICATION = "1.2.840.10008.1.1";

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

/** The transfer syntaxes Pharos knows, grouped as Orthanc's legacy flags group them. */
export const KNOWN_TRANSFER_SYNTAXES: Record<string, string | undefined> = {
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
  raw: Record<string, unknown>,
): Set<string> {
  const out = expandTransferSyntaxes(patterns);
  for (const ts of [...out]) {
    const flag = KNOWN_TRANSFER_SYNTAXES[ts];
    if (flag && raw[flag] === false) out.delete(ts);
  }
  return out;
}
