// An attachment as the values of its row, in the column order both back-ends' INSERT statements
// name: resource_id, content_type, uuid, compressed_size, uncompressed_size, compression,
// uncompressed_md5, compressed_md5, revision.
import type { AttachmentInfo } from "../server/model.ts";

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
