// Orthanc's modification and anonymization of one instance (DicomModification): which elements
// go, which are emptied, which get new values or new UIDs, and what must be forced. The
// specification is plain data, read from a request by the front end; the file goes through
// editor.ts, so that everything the modification does not touch keeps its bytes.
import { type Tag, Tags } from "../dicom/tag.ts";
import { generateUid } from "../dicom/uid.ts";
import {
  DicomEditor,
  type EditorOptions,
  type EditValue,
  type TagPath,
  topLevel,
} from "./editor.ts";
import { EditError } from "./errors.ts";
import { type AnonymizationProfile, profileOf } from "./profiles.ts";

export type ResourceLevel = "Patient" | "Study" | "Series" | "Instance";

export interface Modification {
  level: ResourceLevel;
  replace: { path: TagPath; name: string; value: EditValue }[];
  remove: { path: TagPath; name: string }[];
  keep: { path: TagPath; name: string }[];
  removePrivateTags: boolean;
  force: boolean;
  /** Present for an anonymization. */
  anonymization?: {
    version: string;
    keepPrivateTags: boolean;
    /**
     * The PatientName of the anonymized patient (Orthanc's "Anonymized<N>"); unused when the
     * request keeps or replaces it (see `namesPatient`).
     */
    patientName: string;
  };
}

/** New UIDs by old one, shared by every instance of one modified resource. */
export type UidMap = Map<string, string>;

const IDENTIFIERS: readonly [Tag, string, ResourceLevel][] = [
  [Tags.PatientId, "PatientID", "Patient"],
  [Tags.StudyInstanceUid, "StudyInstanceUID", "Study"],
  [Tags.SeriesInstanceUid, "SeriesInstanceUID", "Series"],
  [Tags.SopInstanceUid, "SOPInstanceUID", "Instance"],
];

const DEPTH: Record<ResourceLevel, number> = { Patient: 0, Study: 1, Series: 2, Instance: 3 };

const isTopLevel = (path: TagPath, tag: Tag) => path.steps.length === 0 && path.tag === tag;

/**
 * Refuses, as Orthanc does, to replace, remove or keep an identifier without Force (a modified
 * resource must not collide with its source), and a patient modified without a new PatientID.
 */
export function checkModification(m: Modification): void {
  if (
    m.level === "Patient" && !m.anonymization &&
    !m.replace.some((r) => isTopLevel(r.path, Tags.PatientId))
  ) {
    throw new EditError(
      "BadRequest",
      "When modifying a patient, her PatientID is required to be modified",
    );
  }
  if (m.force) return;
  const marks: [string, { path: TagPath }[]][] = [
    ["replaced", m.replace],
    ["removed", m.remove],
    ["kept", m.keep],
  ];
  for (const [tag, name] of IDENTIFIERS) {
    for (const [verb, list] of marks) {
      if (list.some((e) => isTopLevel(e.path, tag))) {
        throw new EditError(
          "BadRequest",
          `Marking tag "${name}" as to be ${verb} requires the "Force" option to be set to true`,
        );
      }
    }
  }
}

const PATIENT_NAME: Tag = 0x00100010;

/** Whether an anonymization gives the patient a new name (neither kept nor replaced). */
export function namesPatient(m: Pick<Modification, "keep" | "replace">): boolean {
  return !m.keep.some((k) => isTopLevel(k.path, PATIENT_NAME)) &&
    !m.replace.some((r) => isTopLevel(r.path, PATIENT_NAME));
}

const PATIENT_IDENTITY_REMOVED: Tag = 0x00120062;
const DEIDENTIFICATION_METHOD: Tag = 0x00120063;

/** The modified file; `uids` carries the UIDs mapped so far across a resource's instances. */
export function applyModification(
  bytes: Uint8Array,
  m: Modification,
  uids: UidMap = new Map(),
  options: EditorOptions = {},
): Uint8Array {
  const editor = new DicomEditor(bytes, options);
  const kept = (tag: Tag) => m.keep.some((k) => isTopLevel(k.path, tag));
  const touched = (tag: Tag) =>
    kept(tag) || m.replace.some((r) => isTopLevel(r.path, tag)) ||
    m.remove.some((r) => isTopLevel(r.path, tag));
  const profile = m.anonymization ? profileOf(m.anonymization.version) : undefined;

  // A modification removes the private tags of the dataset itself, an anonymization those of
  // its sequences' items too.
  if (m.anonymization && !m.anonymization.keepPrivateTags) editor.removePrivateTags(kept, true);
  else if (m.removePrivateTags) editor.removePrivateTags(kept, false);
  if (profile) applyProfile(editor, profile, touched, uids);
  for (const { path } of m.remove) editor.remove(path);
  if (m.anonymization && profile) {
    const patientId = uids.get(`patient:${editor.text(Tags.PatientId) ?? ""}`) ??
      crypto.randomUUID();
    uids.set(`patient:${editor.text(Tags.PatientId) ?? ""}`, patientId);
    // Orthanc gives a new PatientID only to a file that has one.
    if (!touched(Tags.PatientId)) editor.replace(topLevel(Tags.PatientId), patientId, true);
    if (!touched(PATIENT_NAME)) editor.replace(topLevel(PATIENT_NAME), m.anonymization.patientName);
    editor.replace(topLevel(PATIENT_IDENTITY_REMOVED), "YES");
    // A profile the request changed is no longer the standard's: Orthanc names no method then.
    const customized = m.anonymization.keepPrivateTags || m.keep.length > 0 ||
      m.replace.length > 0 || m.remove.length > 0;
    if (!customized) editor.replace(topLevel(DEIDENTIFICATION_METHOD), profile.method);
  } else {
    for (const [tag, , level] of IDENTIFIERS) {
      if (level === "Patient" || DEPTH[level] < DEPTH[m.level] || touched(tag)) continue;
      const old = editor.text(tag);
      if (old !== undefined) editor.replace(topLevel(tag), mapUid(uids, old, level));
    }
  }
  for (const { path, value } of m.replace) editor.replace(path, value);
  return editor.write();
}

function mapUid(uids: UidMap, old: string, level: ResourceLevel): string {
  let mapped = uids.get(old);
  if (mapped === undefined) {
    mapped = generateUid(
      level === "Instance" ? "instance" : level === "Series" ? "series" : "study",
    );
    uids.set(old, mapped);
  }
  return mapped;
}

/** PS3.15's profile: removals and emptied values at every depth, UIDs mapped consistently. */
function applyProfile(
  editor: DicomEditor,
  profile: AnonymizationProfile,
  touched: (tag: Tag) => boolean,
  uids: UidMap,
): void {
  editor.removeWhere((tag, depth) => profile.remove.has(tag) && (depth > 0 || !touched(tag)));
  editor.emptySequences((tag, depth) => profile.clear.has(tag) && (depth > 0 || !touched(tag)));
  editor.visitValues((tag, depth, text) => {
    if (depth === 0 && touched(tag)) return undefined;
    if (profile.clear.has(tag)) return "";
    if (profile.uid.has(tag) && text !== undefined && text !== "") {
      return mapUid(uids, text, "Instance");
    }
    return undefined;
  });
}
