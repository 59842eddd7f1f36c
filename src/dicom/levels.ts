// Orthanc's resource levels and the main DICOM tags it indexes at each level (1.10 defaults).
import { makeTag, type Tag } from "./tag.ts";

export type Level = "Patient" | "Study" | "Series" | "Instance";
export const LEVELS: readonly Level[] = ["Patient", "Study", "Series", "Instance"];

/** URL segment of each level ("/patients", "/studies", ...). */
export const LEVEL_PATH: Record<Level, string> = {
  Patient: "patients",
  Study: "studies",
  Series: "series",
  Instance: "instances",
};

export const levelIndex = (level: Level): number => LEVELS.indexOf(level);
export const childLevel = (level: Level): Level | undefined => LEVELS[levelIndex(level) + 1];
export const parentLevel = (level: Level): Level | undefined => LEVELS[levelIndex(level) - 1];

const t = makeTag;

export const MAIN_TAGS: Record<Level, Tag[]> = {
  Patient: [t(0x0010, 0x0010), t(0x0010, 0x0020), t(0x0010, 0x0030), t(0x0010, 0x0040), t(0x0010, 0x1000)],
  Study: [
    t(0x0008, 0x0020), t(0x0008, 0x0030), t(0x0020, 0x0010), t(0x0008, 0x1030), t(0x0008, 0x0050),
    t(0x0020, 0x000d), t(0x0032, 0x1060), t(0x0008, 0x0080), t(0x0032, 0x1032), t(0x0008, 0x0090),
  ],
  Series: [
    t(0x0008, 0x0021), t(0x0008, 0x0031), t(0x0008, 0x0060), t(0x0008, 0x0070), t(0x0008, 0x1010),
    t(0x0008, 0x103e), t(0x0018, 0x0015), t(0x0018, 0x0024), t(0x0018, 0x1030), t(0x0020, 0x0011),
    t(0x0018, 0x1090), t(0x0020, 0x1002), t(0x0020, 0x0105), t(0x0054, 0x0081), t(0x0054, 0x0101),
    t(0x0020, 0x000e), t(0x0020, 0x0037), t(0x0054, 0x1000), t(0x0008, 0x1070), t(0x0040, 0x0254),
    t(0x0018, 0x1400), t(0x0018, 0x0010),
  ],
  Instance: [
    t(0x0008, 0x0012), t(0x0008, 0x0013), t(0x0020, 0x0012), t(0x0054, 0x1330), t(0x0020, 0x0013),
    t(0x0028, 0x0008), t(0x0020, 0x0100), t(0x0008, 0x0018), t(0x0020, 0x0032), t(0x0020, 0x4000),
    t(0x0020, 0x0037),
  ],
};

/** The tags of the patient module that Orthanc copies into study answers (PatientMainDicomTags). */
export const PATIENT_TAGS_IN_STUDY = MAIN_TAGS.Patient;
