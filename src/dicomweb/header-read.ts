// The part of a stored DICOM file that its WADO-RS metadata is made of: the bytes before the value
// of its pixel data, read as one range where the index knows where the pixel data starts (the
// PixelDataOffset metadata written at ingest). A 500-instance series of 170 KB images then reads
// 2 MB rather than 85 MB. The whole file is read instead wherever the cut could change the answer:
// a compressed file, a storage area that cannot read ranges, elements after the pixel data.
import { parseDicomHeader } from "../dicom/parser.ts";
import { Tags } from "../dicom/tag.ts";
import { decodingOf } from "../dicom/summary.ts";
import type { RestDependencies } from "../rest/context.ts";
import { type InstanceData, readInstance } from "../rest/instance-data.ts";
import { ContentType, Metadata, type Resource } from "../server/model.ts";

/** The longest element header: tag, VR, reserved bytes and a 32-bit length. */
const ELEMENT_HEADER = 12;
/** The sequence delimiter (FFFE,E0DD) with a zero length, little endian: the end of fragments. */
const SEQUENCE_DELIMITER = [0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];

/**
 * The instance parsed from the bytes before its pixel data's value, which must then not be
 * read (its binary values go out as bulk data URIs); the whole file where that cannot be done.
 */
export async function readUpToPixelData(
  deps: RestDependencies,
  instance: Resource,
): Promise<InstanceData> {
  return await headerOnly(deps, instance) ?? await readInstance(deps, instance);
}

async function headerOnly(
  deps: RestDependencies,
  instance: Resource,
): Promise<InstanceData | undefined> {
  const { core } = deps;
  const storage = core.storage;
  const file = core.resources.attachment(instance.internalId, ContentType.Dicom);
  const offset = Number(core.resources.metadata(instance.internalId).get(Metadata.PixelDataOffset));
  if (!file || file.compression !== 0 || !storage.readRange || !Number.isSafeInteger(offset)) {
    return undefined;
  }
  const size = file.uncompressedSize;
  const cut = offset + ELEMENT_HEADER;
  if (cut >= size) return undefined;
  try {
    const bytes = await storage.readRange(file.uuid, ContentType.Dicom, 0, cut);
    if (bytes.length !== cut) return undefined;
    const parsed = parseDicomHeader(bytes);
    const elements = parsed.dataset.elements;
    const pixels = elements[elements.length - 1];
    if (pixels?.tag !== Tags.PixelData || pixels.start !== offset) return undefined;
    // Nothing may follow the pixel data: its value must end the file.
    if (pixels.undefinedLength) {
      const end = await storage.readRange(file.uuid, ContentType.Dicom, size - 8, size);
      if (!SEQUENCE_DELIMITER.every((byte, i) => end[i] === byte)) return undefined;
    } else if (pixels.offset + pixels.length !== size) {
      return undefined;
    }
    return { bytes, parsed, decoding: decodingOf(parsed, core.defaultEncoding) };
  } catch {
    // Read whole, a file that cannot be read or parsed gets the usual error.
    return undefined;
  }
}
