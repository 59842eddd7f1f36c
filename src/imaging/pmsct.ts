// Elscint's PMSCT_RLE1 (Philips CT): no PixelData, but a private element (07a1,100a) holding
// 16-bit samples compressed twice: runs escaped by 0xa5 (count, value), then deltas from the
// previous sample, or 0x5a followed by an absolute little-endian sample. Orthanc 1.10.1 decodes
// it when DCMTK hands the element over as bytes, i.e. explicit VR OB or UN.
import { findElement, type ParsedDicom } from "../dicom/parser.ts";
import { makeTag } from "../dicom/tag.ts";

const COMPRESSION_TYPE = makeTag(0x07a1, 0x1011);
const CONTENT = makeTag(0x07a1, 0x100a);

function isPmsctRle1(parsed: ParsedDicom): boolean {
  const e = findElement(parsed.dataset, COMPRESSION_TYPE);
  if (!e) return false;
  const bytes = parsed.dataset.source.bytes.subarray(e.offset, e.offset + e.length);
  return String.fromCharCode(...bytes).replace(/[\0 ]+$/, "") === "PMSCT_RLE1";
}

/** The decompressed samples (native little-endian bytes), or undefined if there are none. */
export function pmsctPixels(parsed: ParsedDicom): Uint8Array | undefined {
  const content = findElement(parsed.dataset, CONTENT);
  if (
    !content || content.length === 0 || !isPmsctRle1(parsed) || !parsed.dataset.explicitVr ||
    (content.vr !== "OB" && content.vr !== "UN")
  ) return undefined;
  const input = parsed.dataset.source.bytes.subarray(
    content.offset,
    content.offset + content.length,
  );
  const runs: number[] = [];
  for (let i = 0; i < input.length; i++) {
    if (input[i] === 0xa5 && i + 2 < input.length) {
      for (let n = input[i + 1]!; n >= 0; n--) runs.push(input[i + 2]!);
      i += 2;
    } else runs.push(input[i]!);
  }
  const out = new Uint8Array(runs.length * 2);
  let size = 0;
  let previous = 0;
  for (let i = 0; i < runs.length; i++) {
    let value: number;
    if (runs[i] === 0x5a && i + 2 < runs.length) {
      value = runs[i + 1]! | (runs[i + 2]! << 8);
      i += 2;
    } else value = (previous + ((runs[i]! << 24) >> 24)) & 0xffff;
    out[size++] = value & 0xff;
    out[size++] = value >> 8;
    previous = value;
  }
  return out.subarray(0, size);
}
