// The part of a stored DICOM file that its WADO-RS metadata is made of: the bytes before the value
// of its pixel data, read as one range where the index knows where the pixel data starts (the
// PixelDataOffset metadata written at ingest) and in which transfer syntax. A 500-instance series
// of 170 KB images then reads 2 MB rather than 85 MB. The whole file is read instead wherever the
// cut could change the answer: a compressed or deflated file, a storage area that cannot read
// ranges, elements after the pixel data.
import { TransferSyntax } from "../dicom/uids.ts";
import type { RestDependencies } from "../rest/context.ts";
import { type AttachmentInfo, ContentType, Metadata, type Resource } from "../server/model.ts";
import type { MetadataBytes } from "./metadata-json.ts";

/** The longest element header: tag, VR, reserved bytes and a 32-bit length. */
const ELEMENT_HEADER = 12;
const UNDEFINED = 0xffffffff;
/** The sequence delimiter (FFFE,E0DD) with a zero length, little endian: the end of fragments. */
const SEQUENCE_DELIMITER = [0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];

/** The instance's file, cut in its pixel data where nothing else is lost by that. */
export async function metadataBytes(
  deps: RestDependencies,
  instance: Resource,
  file: AttachmentInfo | undefined,
): Promise<MetadataBytes> {
  const cut = file && await upToPixelData(deps, instance, file);
  return cut ?? { bytes: await deps.core.dicomBytes(instance) };
}

async function upToPixelData(
  deps: RestDependencies,
  instance: Resource,
  file: AttachmentInfo,
): Promise<MetadataBytes | undefined> {
  const storage = deps.core.storage;
  const metadata = deps.core.resources.metadata(instance.internalId);
  const offset = Number(metadata.get(Metadata.PixelDataOffset));
  const syntax = metadata.get(Metadata.TransferSyntax);
  if (
    file.compression !== 0 || !storage.readRange || !Number.isSafeInteger(offset) ||
    syntax === undefined || syntax === TransferSyntax.DeflatedExplicitVrLittleEndian
  ) {
    return undefined;
  }
  const size = file.uncompressedSize;
  const cut = offset + ELEMENT_HEADER;
  if (cut >= size) return undefined;
  try {
    const bytes = await storage.readRange(file.uuid, ContentType.Dicom, 0, cut);
    if (bytes.length !== cut) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const littleEndian = syntax !== TransferSyntax.ExplicitVrBigEndian;
    // Implicit VR: tag and a 32-bit length; explicit: tag, OB or OW, reserved bytes, length.
    const valueAt = syntax === TransferSyntax.ImplicitVrLittleEndian ? 8 : 12;
    const length = view.getUint32(offset + valueAt - 4, littleEndian);
    // Nothing may follow the pixel data: its value must end the file.
    if (length === UNDEFINED) {
      const end = await storage.readRange(file.uuid, ContentType.Dicom, size - 8, size);
      if (!SEQUENCE_DELIMITER.every((byte, i) => end[i] === byte)) return undefined;
    } else if (offset + valueAt + length !== size) {
      return undefined;
    }
    return { bytes, pixelDataAt: offset };
  } catch {
    // Read whole, a file that cannot be read gets the usual error.
    return undefined;
  }
}
