// The DICOM attachment of a synthetic instance, for the benchmarks that fill an index directly.
import { ContentType } from "../../src/server/model.ts";

export function syntheticAttachment() {
  return {
    contentType: ContentType.Dicom,
    uuid: crypto.randomUUID(),
    compressedSize: 500_000,
    uncompressedSize: 500_000,
    compression: 0,
    uncompressedMd5: "",
    compressedMd5: "",
    revision: 0,
  };
}
