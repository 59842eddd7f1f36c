// The keys of the C-FIND queries Pharos sends, as Orthanc 1.10.1 chooses them: the tags a
// normalized query keeps at each level (the DICOM modules Orthanc lists for it), the
// identifiers every query carries, and the templates of the deprecated /modalities/{id}/find-*.
import type { Level } from "../dicom/levels.ts";
import { type Tag, Tags } from "../dicom/tag.ts";

/** Orthanc's patient module (PS3.3 C.7-1, with the Issuer of Patient ID macro). */
const PATIENT_MODULE: Tag[] = [
  0x00100010,
  0x00100020,
  0x00100030,
  0x00100040,
  0x00081120,
  0x00100032,
  0x00101000,
  0x00101002,
  0x00101001,
  0x00102160,
  0x00104000,
  0x00102201,
  0x00102202,
  0x00102292,
  0x00102293,
  0x00102294,
  0x00102297,
  0x00102298,
  0x00102299,
  0x00120062,
  0x00120063,
  0x00120064,
  0x00100021,
  0x00100024,
];

/** Orthanc's general study module (PS3.3 C.7-3). */
const STUDY_MODULE: Tag[] = [
  0x0020000d,
  0x00080020,
  0x00080030,
  0x00080090,
  0x00080096,
  0x00200010,
  0x00080050,
  0x00080051,
  0x00081030,
  0x00081048,
  0x00081049,
  0x00081060,
  0x00081062,
  0x00321034,
  0x00081110,
  0x00081032,
  0x00401012,
];

/** Orthanc's general series module (PS3.3 C.7-5, with the performed procedure step macro). */
const SERIES_MODULE: Tag[] = [
  0x00080060,
  0x0020000e,
  0x00200011,
  0x00200060,
  0x00080021,
  0x00080031,
  0x00081050,
  0x00081052,
  0x00181030,
  0x0008103e,
  0x0008103f,
  0x00081070,
  0x00081072,
  0x00081111,
  0x00081250,
  0x00180015,
  0x00185100,
  0x00280108,
  0x00290109,
  0x00400275,
  0x00102210,
  0x00400253,
  0x00400244,
  0x00400245,
  0x00400254,
  0x00400260,
  0x00400280,
];

/** Orthanc's SOP common module (PS3.3 C.12-1, with the digital signatures macro). */
const INSTANCE_MODULE: Tag[] = [
  0x00080016,
  0x00080018,
  0x00080005,
  0x00080012,
  0x00080013,
  0x00080014,
  0x0008001a,
  0x0008001b,
  0x00080110,
  0x00080201,
  0x0018a001,
  0x00200013,
  0x01000410,
  0x01000420,
  0x01000424,
  0x01000426,
  0x04000500,
  0x04000561,
  0x0040a390,
  0x00280303,
  0x4ffe0001,
  0xfffafffa,
];

/** The counts and summaries a query may ask for at each level. */
const LEVEL_EXTRAS: Record<Level, Tag[]> = {
  Patient: [0x00201200, 0x00201202, 0x00201204],
  Study: [0x00080061, 0x00201206, 0x00201208, 0x00080062],
  Series: [0x00201209],
  Instance: [],
};

function allowedAt(level: Level): Set<Tag> {
  const modules: Record<Level, Tag[][]> = {
    Patient: [PATIENT_MODULE],
    Study: [STUDY_MODULE, PATIENT_MODULE],
    Series: [SERIES_MODULE, STUDY_MODULE, PATIENT_MODULE],
    Instance: [INSTANCE_MODULE, SERIES_MODULE, STUDY_MODULE, PATIENT_MODULE],
  };
  return new Set([...modules[level].flat(), ...LEVEL_EXTRAS[level], Tags.SpecificCharacterSet]);
}

/** The tags a normalized query keeps at each level; Orthanc drops the others. */
export const ALLOWED_QUERY_TAGS: Record<Level, ReadonlySet<Tag>> = {
  Patient: allowedAt("Patient"),
  Study: allowedAt("Study"),
  Series: allowedAt("Series"),
  Instance: allowedAt("Instance"),
};

const ACCESSION_NUMBER = 0x00080050;

/** The identifiers every query carries, added (universal) when the query lacks them. */
export const EXPECTED_QUERY_KEYS: Record<Level, Tag[]> = {
  Patient: [Tags.PatientId],
  Study: [ACCESSION_NUMBER, Tags.StudyInstanceUid, Tags.PatientId],
  Series: [Tags.SeriesInstanceUid, ACCESSION_NUMBER, Tags.StudyInstanceUid, Tags.PatientId],
  Instance: [
    Tags.SopInstanceUid,
    Tags.SeriesInstanceUid,
    ACCESSION_NUMBER,
    Tags.StudyInstanceUid,
    Tags.PatientId,
  ],
};

/**
 * The deprecated /modalities/{id}/find-*: the tags each asks for (empty unless the body gives
 * a value) and the keys of the body it keeps; the others are dropped.
 */
export const FIND_TEMPLATES: Record<Level, Tag[]> = {
  Patient: [0x00100010, Tags.PatientId, 0x00100030, 0x00100040, 0x00101000],
  Study: [
    0x00080020,
    0x00080030,
    ACCESSION_NUMBER,
    0x00080090,
    0x00081030,
    Tags.PatientId,
    Tags.StudyInstanceUid,
    0x00200010,
  ],
  Series: [
    0x00080021,
    0x00080031,
    ACCESSION_NUMBER,
    0x00080060,
    0x0008103e,
    0x00081070,
    Tags.PatientId,
    0x00180015,
    0x00181030,
    Tags.StudyInstanceUid,
    Tags.SeriesInstanceUid,
    0x00200011,
    0x00400254,
  ],
  Instance: [
    0x00080012,
    0x00080013,
    Tags.SopInstanceUid,
    ACCESSION_NUMBER,
    Tags.PatientId,
    Tags.StudyInstanceUid,
    Tags.SeriesInstanceUid,
    0x00200013,
  ],
};

/** Keys find-* keeps from the body though its template does not ask for them. */
export const FIND_OPTIONAL_KEYS: Record<Level, Tag[]> = {
  Patient: [],
  Study: [0x00080061],
  Series: [],
  Instance: [],
};

/** The keys find-* requires (more than two characters), or it answers 400 with no body. */
export const FIND_REQUIRED: Record<Level, Tag[][]> = {
  Patient: [],
  Study: [[ACCESSION_NUMBER, Tags.PatientId]],
  Series: [[ACCESSION_NUMBER, Tags.PatientId], [Tags.StudyInstanceUid]],
  Instance: [[ACCESSION_NUMBER, Tags.PatientId], [Tags.StudyInstanceUid], [Tags.SeriesInstanceUid]],
};
