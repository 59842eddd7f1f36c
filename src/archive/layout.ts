// Where each instance goes in an archive or a DICOMDIR media, in Orthanc's order: patients,
// their studies and their series sorted by Orthanc identifier, and the instances of a series in
// the order they were found (the index's order, as Orthanc lists a series' children).
import { folderName, instanceFileName, UniqueNames } from "./names.ts";

/** What an archive holds, as a tree of the resources asked for and the main tags named after. */
export interface ArchiveNode<Child> {
  id: string;
  /** The main tags of the resource (tag numbers as in src/dicom/tag.ts). */
  tags: ReadonlyMap<number, string>;
  children: Child[];
}
export type ArchiveInstance = { id: string };
export type ArchiveSeries = ArchiveNode<ArchiveInstance>;
export type ArchiveStudy = ArchiveNode<ArchiveSeries>;
export type ArchivePatient = ArchiveNode<ArchiveStudy>;

export interface PlacedInstance {
  /** The instance's Orthanc identifier. */
  id: string;
  /** Its path in the ZIP archive. */
  path: string;
}

const PatientId = 0x00100020;
const PatientName = 0x00100010;
const AccessionNumber = 0x00080050;
const StudyDescription = 0x00081030;
const Modality = 0x00080060;
const SeriesDescription = 0x0008103e;

const byId = <T extends { id: string }>(list: readonly T[]): T[] =>
  [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

const tag = (node: ArchiveNode<unknown>, t: number) => node.tags.get(t) ?? "";

/** The instances in archive order, each at its path ("PATIENT/STUDY/SERIES/MR000000.dcm"). */
export function archiveLayout(patients: readonly ArchivePatient[]): PlacedInstance[] {
  const out: PlacedInstance[] = [];
  const patientNames = new UniqueNames();
  for (const patient of byId(patients)) {
    const p = patientNames.claim(
      folderName(tag(patient, PatientId), tag(patient, PatientName), "Unknown Patient"),
    );
    const studyNames = new UniqueNames();
    for (const study of byId(patient.children)) {
      const s = studyNames.claim(
        folderName(tag(study, AccessionNumber), tag(study, StudyDescription), "Unknown Study"),
      );
      const seriesNames = new UniqueNames();
      for (const series of byId(study.children)) {
        const modality = tag(series, Modality);
        const folder = seriesNames.claim(
          folderName(modality, tag(series, SeriesDescription), "Unknown Series"),
        );
        series.children.forEach((instance, i) =>
          out.push({
            id: instance.id,
            path: `${p}/${s}/${folder}/${instanceFileName(modality, i)}`,
          })
        );
      }
    }
  }
  return out;
}

/** The same order for a DICOMDIR media: "IMAGES/IM0", "IMAGES/IM1"… (the DICOMDIR comes last). */
export function mediaLayout(patients: readonly ArchivePatient[]): PlacedInstance[] {
  return archiveLayout(patients).map(({ id }, i) => ({ id, path: `IMAGES/IM${i}` }));
}
