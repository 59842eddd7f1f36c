// The de-identification profiles of PS3.15 Table E.1-1 as Orthanc 1.10.1 applies them, one per
// DicomVersion. profiles.json is recorded from Orthanc's own answers by
// test/editing/record-profiles.ts: which attributes it removes, empties or gives new UIDs.
import { parseTagText, type Tag } from "../dicom/tag.ts";
import { EditError } from "./errors.ts";
import recorded from "./profiles.json";

export interface AnonymizationProfile {
  /** DeidentificationMethod (0012,0063) written in the anonymized files. */
  method: string;
  remove: ReadonlySet<Tag>;
  clear: ReadonlySet<Tag>;
  uid: ReadonlySet<Tag>;
}

/** Orthanc 1.10.1's default DicomVersion. */
export const DEFAULT_DICOM_VERSION = "2021b";

const tags = (list: string[]) => new Set(list.map((t) => parseTagText(t)!));

const profiles = new Map<string, AnonymizationProfile>(
  Object.entries(recorded).map(([version, p]) => [version, {
    method: p.method,
    remove: tags(p.remove),
    clear: tags(p.clear),
    uid: tags(p.uid),
  }]),
);

export function profileOf(version: string): AnonymizationProfile {
  const profile = profiles.get(version);
  if (!profile) {
    throw new EditError(
      "ParameterOutOfRange",
      `Unknown specific version of the DICOM standard: ${version}`,
    );
  }
  return profile;
}
