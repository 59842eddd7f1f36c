// Where a stored DICOM file may be cut for its WADO-RS metadata, from what the index knows of it
// (PixelDataOffset and TransferSyntax, written at ingest), and whether the bytes read say that
// its pixel data ends the file. Pure: the server's thread and the metadata workers (which read
// the files themselves) both use it.
import { TransferSyntax } from "../dicom/uids.ts";

/** The longest element header: tag, VR, reserved bytes and a 32-bit length. */
const ELEMENT_HEADER = 12;
const UNDEFINED = 0xffffffff;
/** The sequence delimiter (FFFE,E0DD) with a zero length, little endian: the end of fragments. */
const SEQUENCE_DELIMITER = [0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];

/** The bytes to read of a file (from its start), and how to check its pixel data ends it. */
export interface HeaderCut {
  /** Bytes to read: up to the pixel data's value. */
  length: number;
  pixelDataAt: number;
  /** Where the pixel data's value begins. */
  valueAt: number;
  littleEndian: boolean;
  /** The size of the whole file. */
  size: number;
}

/** The cut of an uncompressed stored file, or undefined where it must be read whole. */
export function headerCut(
  size: number,
  pixelDataOffset: string | undefined,
  syntax: string | undefined,
): HeaderCut | undefined {
  const offset = Number(pixelDataOffset);
  if (
    pixelDataOffset === undefined || !Number.isSafeInteger(offset) || syntax === undefined ||
    syntax === TransferSyntax.DeflatedExplicitVrLittleEndian
  ) {
    return undefined;
  }
  const length = offset + ELEMENT_HEADER;
  if (length >= size) return undefined;
  // Implicit VR: tag and a 32-bit length; explicit: tag, OB or OW, reserved bytes, length.
  const valueAt = offset + (syntax === TransferSyntax.ImplicitVrLittleEndian ? 8 : 12);
  const littleEndian = syntax !== TransferSyntax.ExplicitVrBigEndian;
  return { length, pixelDataAt: offset, valueAt, littleEndian, size };
}

/**
 * Whether the pixel data read ends the file: true, false, or "tail" for a value of undefined
 * length, which ends the file where its last 8 bytes are the sequence delimiter (endsInDelimiter).
 */
export function pixelDataEndsFile(bytes: Uint8Array, cut: HeaderCut): boolean | "tail" {
  if (bytes.length !== cut.length) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(cut.valueAt - 4, cut.littleEndian);
  if (length === UNDEFINED) return "tail";
  return cut.valueAt + length === cut.size;
}

export function endsInDelimiter(tail: Uint8Array): boolean {
  return tail.length === 8 && SEQUENCE_DELIMITER.every((byte, i) => tail[i] === byte);
}
