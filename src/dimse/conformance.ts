// The DICOM conformance statement of Pharos (/tools/dicom-conformance): what the SCP and the SCU
// offer, written from the tables the association policy itself uses, so that it cannot drift from
// what the server does. Its text is Pharos's own; only its place in the REST API is Orthanc's.
import {
  compareUids,
  OtherStorageSopClass,
  SopClass,
  STORAGE_SOP_CLASS_ARC,
  StorageSopClass,
  TransferSyntax,
} from "../dicom/uids.ts";
import { QR_CLASSES } from "./policy.ts";

export interface ConformanceSettings {
  /** The transfer syntaxes the SCP accepts for storage, as configured now. */
  acceptedSyntaxes: ReadonlySet<string>;
  unknownSopClassAccepted: boolean;
  worklistsEnabled: boolean;
}

const NAMES = new Map<string, string>(
  [SopClass, StorageSopClass, OtherStorageSopClass, TransferSyntax].flatMap((table) =>
    Object.entries(table).map(([name, uid]): [string, string] => [uid, name])
  ),
);

function section(title: string, lines: string[]): string {
  const rule = "-".repeat(title.length);
  return `${rule}\n${title}\n${rule}\n\n${lines.join("\n")}\n`;
}

function table(uids: Iterable<string>): string[] {
  const sorted = [...uids].sort(compareUids);
  const width = Math.max(...sorted.map((uid) => (NAMES.get(uid) ?? uid).length));
  return sorted.map((uid) => `  ${(NAMES.get(uid) ?? "").padEnd(width)} | ${uid}`);
}

const UNCOMPRESSED = [TransferSyntax.ImplicitVrLittleEndian, TransferSyntax.ExplicitVrLittleEndian];

export function conformanceStatement(settings: ConformanceSettings): string {
  const title = "DICOM Conformance Statement of Pharos";
  const rule = "=".repeat(title.length);
  const storage = [
    "Pharos accepts as an SCP for C-STORE every storage SOP class of the standard (those under",
    `${STORAGE_SOP_CLASS_ARC}*, and the ones listed below outside that arc)` +
    (settings.unknownSopClassAccepted
      ? ", and any other SOP class (UnknownSopClassAccepted)."
      : "."),
    "The ones it names, and proposes as a C-GET SCU:",
    "",
    ...table([...Object.values(StorageSopClass), ...Object.values(OtherStorageSopClass)]),
  ];
  return [
    `${rule}\n${title}\n${rule}\n`,
    section("Verification", [
      "As an SCP and as an SCU (C-ECHO):",
      "",
      ...table([SopClass.Verification]),
    ]),
    section("Storage", storage),
    section("Query/Retrieve", [
      "As an SCP and as an SCU (C-FIND, C-MOVE, C-GET), patient and study roots:",
      "",
      ...table(QR_CLASSES),
    ]),
    section("Modality Worklist", [
      settings.worklistsEnabled
        ? "As an SCP (Worklists enabled) and as an SCU:"
        : "As an SCU; as an SCP once the Worklists option enables it:",
      "",
      ...table([SopClass.ModalityWorklistFind]),
    ]),
    section("Storage Commitment", [
      "Push Model, as an SCP and as an SCU (N-ACTION, N-EVENT-REPORT):",
      "",
      ...table([SopClass.StorageCommitmentPushModel]),
    ]),
    section("Transfer Syntaxes", [
      "Accepted for storage (AcceptedTransferSyntaxes and the *TransferSyntaxAccepted options):",
      "",
      ...table(settings.acceptedSyntaxes),
      "",
      "Verification, query/retrieve, worklists and storage commitment travel uncompressed:",
      "",
      ...table(UNCOMPRESSED),
    ]),
  ].join("\n");
}
