// The association policy of the SCP, as Orthanc 1.10 applies it: which calling AETs are
// recognized, which commands each may issue (IsAllowedRequest), and which presentation contexts
// are accepted with which transfer syntax. Pure functions over plain data, so that the rules are
// tested without a network and read in one place.
import { SopClass, TransferSyntax } from "../dicom/uids.ts";
import { isStorageClass, QR_CLASSES } from "./policy.ts";
import {
  type AssociationAnswer,
  type AssociationInfo,
  type AssociationRequest,
  type DimseCommand,
} from "./types.ts";

/** The commands a `DicomAlwaysAllow*` option opens to every AET. */
export type AlwaysAllowedCommand = "Echo" | "Store" | "Find" | "FindWorklist" | "Move" | "Get";

/** What the policy needs of a modality: its AET, its host and its `Allow*` permissions. */
export type ModalityPermissions =
  & { AET: string; Host: string }
  & {
    [C in DimseCommand as `Allow${C}`]: boolean;
  };

export interface AssociationPolicy {
  /** DicomAet, compared with the called AET when `checkCalledAet`. */
  dicomAet: string;
  checkCalledAet: boolean;
  /** StrictAetComparison: AETs compared case-sensitively. */
  strictAetComparison: boolean;
  /** DicomCheckModalityHost: a modality is recognized by its AET and its host. */
  checkModalityHost: boolean;
  alwaysAllow: Record<AlwaysAllowedCommand, boolean>;
  /** Transfer syntaxes accepted for storage classes (AcceptedTransferSyntaxes and flags). */
  acceptedSyntaxes: ReadonlySet<string>;
  unknownSopClassAccepted: boolean;
  worklistsEnabled: boolean;
}

/** Query/retrieve, verification, worklists and storage commitment travel uncompressed only. */
const UNCOMPRESSED: readonly string[] = [
  TransferSyntax.ExplicitVrLittleEndian,
  TransferSyntax.ImplicitVrLittleEndian,
];

export function sameAet(a: string, b: string, strict: boolean): boolean {
  return strict ? a === b : a.toUpperCase() === b.toUpperCase();
}

/** The modalities an incoming association matches: same AET, and same host if checked. */
export function matchingModalities<M extends { AET: string; Host: string }>(
  modalities: Iterable<M>,
  aet: string,
  remoteIp: string,
  rules: Pick<AssociationPolicy, "strictAetComparison" | "checkModalityHost">,
): M[] {
  return [...modalities].filter((m) =>
    sameAet(m.AET, aet, rules.strictAetComparison) &&
    (!rules.checkModalityHost || m.Host === remoteIp)
  );
}

/** Orthanc's IsAllowedRequest: whether this association may issue this command. */
export function isAllowedRequest(
  policy: AssociationPolicy,
  modalities: Iterable<ModalityPermissions>,
  info: AssociationInfo,
  command: DimseCommand,
): boolean {
  if (command in policy.alwaysAllow && policy.alwaysAllow[command as AlwaysAllowedCommand]) {
    return true;
  }
  let matches = matchingModalities(modalities, info.callingAet, info.remoteIp, policy);
  // Several modalities with this AET: the one on the calling host decides.
  if (matches.length > 1) matches = matches.filter((m) => m.Host === info.remoteIp);
  return matches.some((m) => m[`Allow${command}`]);
}

/**
 * The answer to an association request: refused only for a wrong called AET or, when no
 * `DicomAlwaysAllow*` is set, an unknown calling AET; else each context accepted with explicit
 * VR little endian when proposed and acceptable, else the first acceptable syntax proposed.
 */
export function negotiate(
  policy: AssociationPolicy,
  modalities: Iterable<ModalityPermissions>,
  request: AssociationRequest,
): AssociationAnswer {
  if (
    policy.checkCalledAet &&
    !sameAet(request.calledAet, policy.dicomAet, policy.strictAetComparison)
  ) {
    return { kind: "reject", reason: "CalledAe" };
  }
  const anyAlways = Object.values(policy.alwaysAllow).some((allowed) => allowed);
  if (
    !anyAlways &&
    matchingModalities(modalities, request.callingAet, request.remoteIp, policy).length === 0
  ) {
    return { kind: "reject", reason: "CallingAe" };
  }
  const accepted = new Map<number, string>();
  const refusedAbstractSyntax = new Set<number>();
  for (const context of request.contexts) {
    const acceptable = acceptableSyntaxes(policy, context.abstractSyntax);
    if (!acceptable) {
      refusedAbstractSyntax.add(context.id);
      continue;
    }
    const proposed = context.transferSyntaxes.map((t) => t.replace(/\0/g, "").trim());
    const chosen = proposed.includes(TransferSyntax.ExplicitVrLittleEndian) &&
        acceptable(TransferSyntax.ExplicitVrLittleEndian)
      ? TransferSyntax.ExplicitVrLittleEndian
      : proposed.find(acceptable);
    if (chosen) accepted.set(context.id, chosen);
  }
  return { kind: "accept", accepted, refusedAbstractSyntax };
}

/** Which transfer syntaxes an abstract syntax is accepted with; undefined if it is refused. */
function acceptableSyntaxes(
  policy: AssociationPolicy,
  abstractSyntax: string,
): ((transferSyntax: string) => boolean) | undefined {
  if (
    abstractSyntax === SopClass.Verification || QR_CLASSES.has(abstractSyntax) ||
    abstractSyntax === SopClass.StorageCommitmentPushModel ||
    (abstractSyntax === SopClass.ModalityWorklistFind && policy.worklistsEnabled)
  ) {
    return (ts) => UNCOMPRESSED.includes(ts);
  }
  if (isStorageClass(abstractSyntax) || policy.unknownSopClassAccepted) {
    return (ts) => policy.acceptedSyntaxes.has(ts);
  }
  return undefined;
}
