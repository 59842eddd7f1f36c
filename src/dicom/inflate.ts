// Inflating a dataset of the deflated transfer syntax (PS3.5 A.5) into one buffer that grows in
// place, as a stream. zlib's one-shot inflate gathers its output in pieces and copies them into a
// new buffer at the end, twice the inflated size at its peak; a 500 KB upload can inflate to
// gigabytes, so the pipeline that stores uploads inflates this way, about once the size.
import { DicomParseError } from "./parser.ts";

/** Past this, a dataset is refused rather than inflated: a DICOM value cannot exceed 4 GiB. */
const MAX_INFLATED = 2 ** 32;

export async function inflateDataset(deflated: Uint8Array): Promise<Uint8Array> {
  // A resizable buffer reserves its maximum and commits pages only as they are written.
  const buffer = new ArrayBuffer(0, { maxByteLength: MAX_INFLATED });
  let length = 0;
  const chunks = new Blob([deflated]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  try {
    for await (const chunk of chunks as unknown as AsyncIterable<Uint8Array>) {
      const needed = length + chunk.length;
      if (needed > MAX_INFLATED) throw new DicomParseError("a deflated dataset too large");
      if (needed > buffer.byteLength) {
        buffer.resize(Math.min(MAX_INFLATED, Math.max(needed, buffer.byteLength * 2, 1 << 16)));
      }
      new Uint8Array(buffer, length, chunk.length).set(chunk);
      length = needed;
    }
  } catch (error) {
    if (error instanceof DicomParseError) throw error;
    throw new DicomParseError("cannot inflate a deflated dataset");
  }
  return new Uint8Array(buffer, 0, length);
}
