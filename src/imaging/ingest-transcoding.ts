// IngestTranscoding: received instances are transcoded to one transfer syntax before they are
// stored, the uncompressed ones and the compressed ones each if their option says so; an
// instance no transcoder can convert is stored as received, as Orthanc does.
import { DicomParseError, parseDicom } from "../dicom/parser.ts";
import { UNCOMPRESSED_TRANSFER_SYNTAXES } from "../dicom/uids.ts";
import { log } from "../log.ts";
import type { Transcoders } from "./transcoders.ts";

export interface IngestTranscoding {
  target: string;
  ofUncompressed: boolean;
  ofCompressed: boolean;
}

export function ingestTranscoder(
  transcoders: Transcoders,
  { target, ofUncompressed, ofCompressed }: IngestTranscoding,
): (bytes: Uint8Array) => Promise<Uint8Array> {
  return async (bytes) => {
    let syntax: string;
    try {
      syntax = parseDicom(bytes).transferSyntax;
    } catch (error) {
      // The store pipeline answers a file that is not DICOM as it answers any other.
      if (error instanceof DicomParseError) return bytes;
      throw error;
    }
    const wanted = UNCOMPRESSED_TRANSFER_SYNTAXES.has(syntax) ? ofUncompressed : ofCompressed;
    if (!wanted || syntax === target) return bytes;
    const out = await transcoders.transcode(bytes, [target], true);
    if (!out) log.warning(`Cannot transcode an instance from ${syntax} to ${target}: stored as is`);
    return out ?? bytes;
  };
}
