// Rows as the values both back-ends' INSERT statements take, in the order of their columns.
import { LEVELS } from "../dicom/levels.ts";
import type { AttachmentInfo, ExportedResource } from "../server/model.ts";

/** resource_id, content_type, uuid, compressed_size, uncompressed_size, compression,
 * uncompressed_md5, compressed_md5, revision. */
export function attachmentRow(
  internalId: number,
  a: AttachmentInfo,
): [number, number, string, number, number, number, string, string, number] {
  return [
    internalId,
    a.contentType,
    a.uuid,
    a.compressedSize,
    a.uncompressedSize,
    a.compression,
    a.uncompressedMd5,
    a.compressedMd5,
    a.revision,
  ];
}

/** level, public_id, remote_modality, patient_id, study_instance_uid, series_instance_uid,
 * sop_instance_uid, date. */
export function exportRow(
  e: Omit<ExportedResource, "seq">,
): [number, string, string, string, string, string, string, string] {
  return [
    LEVELS.indexOf(e.level),
    e.publicId,
    e.remoteModality,
    e.patientId,
    e.studyInstanceUid,
    e.seriesInstanceUid,
    e.sopInstanceUid,
    e.date,
  ];
}
