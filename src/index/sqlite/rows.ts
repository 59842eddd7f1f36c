// Rows of the SQLite tables as bun:sqlite returns them, and their conversion to the domain model.
import type { AttachmentInfo } from "../../server/model.ts";

/** A row of the `attachments` table. */
export interface AttachmentRow {
  content_type: number;
  uuid: string;
  compressed_size: number;
  uncompressed_size: number;
  compression: number;
  uncompressed_md5: string;
  compressed_md5: string;
  revision: number;
}

export const toAttachment = (row: AttachmentRow): AttachmentInfo => ({
  contentType: row.content_type,
  uuid: row.uuid,
  compressedSize: row.compressed_size,
  uncompressedSize: row.uncompressed_size,
  compression: row.compression,
  uncompressedMd5: row.uncompressed_md5,
  compressedMd5: row.compressed_md5,
  revision: row.revision,
});
