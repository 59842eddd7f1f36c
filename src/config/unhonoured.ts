// The Orthanc options Pharos does not honour (yet), each with Orthanc 1.10.1's default and why.
// Set to Orthanc's default, such an option changes nothing Pharos does differently, so it passes
// in silence (a configuration file copied from Orthanc holds most of them). Set to another value,
// the start logs a warning naming it, so that nobody believes an option works when it does not.
// No security option is among them: HTTPS, DICOM TLS and the access rules are honoured, and a
// security option that could not be would have to stop the start rather than be listed here.
import { isDeepStrictEqual } from "node:util";

interface Unhonoured {
  orthancDefault: unknown;
  why: string;
}

const LATER = "it comes with a later release";
const OUTGOING_HTTP = "Pharos's HTTP client (Orthanc peers) does not support it yet";
const NO_POOL = "Pharos serves from one event loop and has no such thread pool";
const TRANSCODING =
  "a C-STORE send is transcoded when the peer needs it, to explicit then implicit VR little endian (AllowTranscoding per modality)";

export const UNHONOURED_OPTIONS: Readonly<Record<string, Unhonoured>> = {
  MaximumStorageCacheSize: { orthancDefault: 128, why: "Pharos keeps no storage cache" },
  DicomAssociationCloseDelay: { orthancDefault: 5, why: LATER },
  HttpsClientCertificate: { orthancDefault: undefined, why: OUTGOING_HTTP },
  TcpNoDelay: { orthancDefault: true, why: "Bun's HTTP server has no such setting" },
  HttpThreadsCount: { orthancDefault: 50, why: NO_POOL },
  DicomThreadsCount: { orthancDefault: 4, why: NO_POOL },
  ZipLoaderThreads: { orthancDefault: 0, why: NO_POOL },
  MallocArenaMax: { orthancDefault: 5, why: "it tunes glibc's allocator, which Bun does not use" },
  StoreDicom: {
    orthancDefault: true,
    why: "Pharos always stores the DICOM files (no index-only mode)",
  },
  LoadPrivateDictionary: {
    orthancDefault: true,
    why: "the private dictionary is always loaded",
  },
  StorageAccessOnFind: { orthancDefault: "Always", why: LATER },
  SynchronousCMove: { orthancDefault: true, why: LATER },
  LimitJobs: {
    orthancDefault: undefined,
    why: "Orthanc 1.10 ignores it too: ConcurrentJobs sets how many jobs run at once",
  },
  DeidentifyLogs: { orthancDefault: true, why: "Pharos never logs the content of DICOM queries" },
  DeidentifyLogsDicomVersion: {
    orthancDefault: "2021b",
    why: "Pharos never logs the content of DICOM queries",
  },
  CheckModalityHost: { orthancDefault: undefined, why: "the option is DicomCheckModalityHost" },
  DicomEchoChecksFind: { orthancDefault: false, why: LATER },
  TranscodeDicomProtocol: { orthancDefault: true, why: TRANSCODING },
  DicomScuPreferredTransferSyntax: { orthancDefault: "1.2.840.10008.1.2.1", why: TRANSCODING },
  ExtraMainDicomTags: { orthancDefault: undefined, why: LATER },
  Warnings: { orthancDefault: undefined, why: LATER },
  StorageCommitmentReportsSize: {
    orthancDefault: 100,
    why: "Pharos keeps the last 100 storage commitment reports",
  },
  DefaultPrivateCreator: { orthancDefault: "", why: LATER },
  SynchronousZipStream: { orthancDefault: true, why: LATER },
};

export function isUnhonoured(name: string): boolean {
  return Object.hasOwn(UNHONOURED_OPTIONS, name);
}

/** Warns about every unhonoured option set to something else than Orthanc's default. */
export function checkUnhonoured(
  raw: Record<string, unknown>,
  warn: (message: string) => void,
): void {
  for (const [name, value] of Object.entries(raw)) {
    const option = UNHONOURED_OPTIONS[name];
    if (!option || isDeepStrictEqual(value, option.orthancDefault)) continue;
    warn(`Configuration option "${name}" is not honoured (${option.why}): its value is ignored`);
  }
}
