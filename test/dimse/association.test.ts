// The association policy alone: called/calling AET checks, IsAllowedRequest, negotiation.
import { expect, test } from "bun:test";
import {
  type AssociationPolicy,
  isAllowedRequest,
  matchingModalities,
  type ModalityPermissions,
  negotiate,
  sameAet,
} from "../../src/dimse/association.ts";
import type { AssociationRequest } from "../../src/dimse/types.ts";

const CT = "1.2.840.10008.5.1.4.1.1.2";
const STUDY_FIND = "1.2.840.10008.5.1.4.1.2.2.1";
const WORKLIST = "1.2.840.10008.5.1.4.31";
const IMPLICIT = "1.2.840.10008.1.2";
const EXPLICIT = "1.2.840.10008.1.2.1";
const JPEG = "1.2.840.10008.1.2.4.50";

function policy(overrides: Partial<AssociationPolicy> = {}): AssociationPolicy {
  return {
    dicomAet: "PHAROS",
    checkCalledAet: false,
    strictAetComparison: false,
    checkModalityHost: false,
    alwaysAllow: {
      Echo: false,
      Store: false,
      Find: false,
      FindWorklist: false,
      Move: false,
      Get: false,
    },
    acceptedSyntaxes: new Set([IMPLICIT, EXPLICIT, JPEG]),
    unknownSopClassAccepted: false,
    worklistsEnabled: false,
    ...overrides,
  };
}

function modality(aet: string, host: string, denied: string[] = []): ModalityPermissions {
  const allow = (c: string) => !denied.includes(c);
  return {
    AET: aet,
    Host: host,
    AllowEcho: allow("Echo"),
    AllowStore: allow("Store"),
    AllowFind: allow("Find"),
    AllowFindWorklist: allow("FindWorklist"),
    AllowMove: allow("Move"),
    AllowGet: allow("Get"),
    AllowNAction: allow("NAction"),
    AllowEventReport: allow("EventReport"),
  };
}

function request(overrides: Partial<AssociationRequest> = {}): AssociationRequest {
  return {
    callingAet: "MODALITY",
    calledAet: "PHAROS",
    remoteIp: "10.0.0.1",
    contexts: [],
    ...overrides,
  };
}

test("AETs compare case-insensitively unless StrictAetComparison", () => {
  expect(sameAet("pharos", "PHAROS", false)).toBe(true);
  expect(sameAet("pharos", "PHAROS", true)).toBe(false);
  expect(sameAet("PHAROS", "PHAROS", true)).toBe(true);
});

test("a modality matches by AET, and by host with DicomCheckModalityHost", () => {
  const known = [modality("A", "10.0.0.1"), modality("a", "10.0.0.2")];
  const rules = { strictAetComparison: false, checkModalityHost: false };
  expect(matchingModalities(known, "A", "10.0.0.9", rules)).toHaveLength(2);
  expect(matchingModalities(known, "A", "10.0.0.9", { ...rules, strictAetComparison: true }))
    .toEqual([known[0]!]);
  expect(matchingModalities(known, "A", "10.0.0.2", { ...rules, checkModalityHost: true }))
    .toEqual([known[1]!]);
});

test("the called AET is checked only with DicomCheckCalledAet", () => {
  const known = [modality("MODALITY", "10.0.0.1")];
  const wrong = request({ calledAet: "OTHER" });
  expect(negotiate(policy(), known, wrong).kind).toBe("accept");
  expect(negotiate(policy({ checkCalledAet: true }), known, wrong))
    .toEqual({ kind: "reject", reason: "CalledAe" });
  expect(negotiate(policy({ checkCalledAet: true }), known, request({ calledAet: "pharos" })).kind)
    .toBe("accept");
});

test("an unknown calling AET is refused unless some DicomAlwaysAllow* is set", () => {
  const stranger = request({ callingAet: "STRANGER" });
  expect(negotiate(policy(), [], stranger)).toEqual({ kind: "reject", reason: "CallingAe" });
  const echo = policy({ alwaysAllow: { ...policy().alwaysAllow, Echo: true } });
  expect(negotiate(echo, [], stranger).kind).toBe("accept");
});

test("contexts: explicit VR preferred, uncompressed only for query classes", () => {
  const answer = negotiate(
    policy({ worklistsEnabled: true }),
    [modality("MODALITY", "")],
    request({
      contexts: [
        { id: 1, abstractSyntax: CT, transferSyntaxes: [JPEG, IMPLICIT, EXPLICIT] },
        { id: 3, abstractSyntax: CT, transferSyntaxes: [JPEG] },
        { id: 5, abstractSyntax: STUDY_FIND, transferSyntaxes: [JPEG] },
        { id: 7, abstractSyntax: STUDY_FIND, transferSyntaxes: [`${IMPLICIT}\0`] },
        { id: 9, abstractSyntax: "1.2.3.4", transferSyntaxes: [IMPLICIT] },
        { id: 11, abstractSyntax: WORKLIST, transferSyntaxes: [IMPLICIT] },
      ],
    }),
  );
  expect(answer).toEqual({
    kind: "accept",
    accepted: new Map([[1, EXPLICIT], [3, JPEG], [7, IMPLICIT], [11, IMPLICIT]]),
    refusedAbstractSyntax: new Set([9]),
  });
});

test("worklists and unknown SOP classes follow their options", () => {
  const contexts = [
    { id: 1, abstractSyntax: WORKLIST, transferSyntaxes: [IMPLICIT] },
    { id: 3, abstractSyntax: "1.2.3.4", transferSyntaxes: [IMPLICIT] },
  ];
  const known = [modality("MODALITY", "")];
  expect(negotiate(policy(), known, request({ contexts }))).toEqual({
    kind: "accept",
    accepted: new Map(),
    refusedAbstractSyntax: new Set([1, 3]),
  });
  // UnknownSopClassAccepted takes any class with the C-STORE syntaxes, the worklist one too.
  expect(negotiate(policy({ unknownSopClassAccepted: true }), known, request({ contexts })))
    .toEqual({
      kind: "accept",
      accepted: new Map([[1, IMPLICIT], [3, IMPLICIT]]),
      refusedAbstractSyntax: new Set(),
    });
});

test("IsAllowedRequest: DicomAlwaysAllow*, then the permissions of the matching modality", () => {
  const info = { callingAet: "MODALITY", calledAet: "PHAROS", remoteIp: "10.0.0.1" };
  const known = [modality("MODALITY", "10.0.0.1", ["Move"])];
  expect(isAllowedRequest(policy(), known, info, "Find")).toBe(true);
  expect(isAllowedRequest(policy(), known, info, "Move")).toBe(false);
  const move = policy({ alwaysAllow: { ...policy().alwaysAllow, Move: true } });
  expect(isAllowedRequest(move, known, info, "Move")).toBe(true);
  expect(isAllowedRequest(policy(), [], info, "Echo")).toBe(false);
  // No DicomAlwaysAllow* for the DIMSE-N commands: only a modality's permission.
  expect(isAllowedRequest(policy(), known, info, "NAction")).toBe(true);
  expect(isAllowedRequest(policy(), [], info, "EventReport")).toBe(false);
});

test("several modalities with the AET: the one on the calling host decides", () => {
  const info = { callingAet: "MODALITY", calledAet: "PHAROS", remoteIp: "10.0.0.2" };
  const known = [modality("MODALITY", "10.0.0.1"), modality("MODALITY", "10.0.0.2", ["Store"])];
  expect(isAllowedRequest(policy(), known, info, "Store")).toBe(false);
  expect(isAllowedRequest(policy(), known, { ...info, remoteIp: "10.0.0.1" }, "Store")).toBe(true);
  // On neither host: none decides, so the command is refused.
  expect(isAllowedRequest(policy(), known, { ...info, remoteIp: "10.0.0.3" }, "Store")).toBe(false);
});
