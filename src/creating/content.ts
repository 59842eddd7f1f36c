// The payload of a new instance, given as a data URI (RFC 2397, base64): a PDF to encapsulate,
// or a PNG or JPEG image whose pixels are stored uncompressed, as Orthanc 1.10.1 decodes them; a
// baseline JPEG is kept as it is when asked to (Encapsulate, Orthanc 1.12.7).
import {
  decodeJpeg,
  JpegDecodeError,
  type JpegHeader,
  readJpegHeader,
} from "../imaging/jpeg-decode.ts";
import { decodePng, PngDecodeError } from "../imaging/png-decode.ts";
import type { RawImage } from "../imaging/types.ts";
import { CreateError } from "./errors.ts";

export type Payload =
  | { kind: "pdf"; bytes: Uint8Array }
  | { kind: "image"; image: RawImage }
  | { kind: "jpeg"; bytes: Uint8Array; header: JpegHeader };

const DATA_URI = /^data:([^;,]*)(?:;[^,]*)?;base64,([A-Za-z0-9+/=\s]*)$/;

/** A data URI's MIME type and decoded bytes, or undefined when the text is not one. */
export function decodeDataUri(text: string): { mime: string; bytes: Uint8Array } | undefined {
  const m = DATA_URI.exec(text);
  if (!m) return undefined;
  return { mime: m[1]!, bytes: new Uint8Array(Buffer.from(m[2]!, "base64")) };
}

const PDF_MAGIC = "%PDF-";

function pdf(bytes: Uint8Array): Payload {
  const head = String.fromCharCode(...bytes.subarray(0, PDF_MAGIC.length));
  if (head !== PDF_MAGIC) throw new CreateError("BadFileFormat", "Not a PDF file");
  return { kind: "pdf", bytes };
}

function image(decode: () => RawImage, errorKind: (e: unknown) => string | undefined): Payload {
  try {
    return { kind: "image", image: decode() };
  } catch (e) {
    const kind = errorKind(e);
    if (kind === "NotImplemented" || kind === "BadFileFormat") throw new CreateError(kind);
    throw e;
  }
}

/**
 * A JPEG kept compressed: only a baseline one of gray or three-component samples can be, in the
 * JPEG Baseline transfer syntax.
 */
function encapsulatedJpeg(bytes: Uint8Array): Payload {
  let header: JpegHeader;
  try {
    header = readJpegHeader(bytes);
  } catch {
    throw new CreateError("BadFileFormat");
  }
  if (!header.baseline || (header.components !== 1 && header.components !== 3)) {
    throw new CreateError(
      "NotImplemented",
      "Only baseline JPEG images of 8 bits per sample can be encapsulated",
    );
  }
  return { kind: "jpeg", bytes, header };
}

/** The payload of a Content data URI, with Orthanc's refusals. */
export function readPayload(text: string, encapsulate = false): Payload {
  const uri = decodeDataUri(text);
  if (!uri) throw new CreateError("BadFileFormat");
  switch (uri.mime) {
    case "application/pdf":
      return pdf(uri.bytes);
    case "image/png":
      return image(
        () => decodePng(uri.bytes),
        (e) => e instanceof PngDecodeError ? e.kind : undefined,
      );
    case "image/jpeg":
      if (encapsulate) return encapsulatedJpeg(uri.bytes);
      return image(
        () => decodeJpeg(uri.bytes),
        (e) => e instanceof JpegDecodeError ? e.kind : undefined,
      );
    default:
      throw new CreateError(
        "NotImplemented",
        `Unsupported MIME type for the content of a new DICOM file: ${uri.mime}`,
      );
  }
}
