// The stored bytes of one frame, undecoded (Orthanc's DicomFrameIndex, behind /frames/{n}/raw):
// a slice of native pixel data (or of Elscint's decompressed samples), or the fragments of an
// encapsulated frame, found by Orthanc's rules.
import {
  type DicomElement,
  findElement,
  type Fragment,
  type ParsedDicom,
} from "../dicom/parser.ts";
import { Tags } from "../dicom/tag.ts";
import type { DecodeFailure } from "./decode.ts";
import type { PixelModule } from "./image.ts";
import { isBitmap, nativeFrameSize } from "./native.ts";
import { pmsctPixels } from "./pmsct.ts";

const badFile = (details?: string): DecodeFailure =>
  details === undefined ? { failure: "BadFileFormat" } : { failure: "BadFileFormat", details };

const OUT_OF_RANGE: DecodeFailure = { failure: "ParameterOutOfRange" };

/**
 * The fragments of each frame: one each when they match the frames, else as the basic offset
 * table groups them (an empty table meaning one frame over every fragment); anything else is a
 * bad file.
 */
function fragmentsOfFrame(
  parsed: ParsedDicom,
  pixels: DicomElement,
  frames: number,
  frame: number,
): Fragment[] | undefined {
  const [table, ...fragments] = pixels.fragments ?? [];
  if (!table || fragments.length < frames) return undefined;
  if (fragments.length === frames) return [fragments[frame]!];
  if (table.length % 4 !== 0) return undefined;
  const { view } = parsed.dataset.source;
  const offsets = table.length === 0 ? [0] : Array.from(
    { length: table.length / 4 },
    (_, i) => view.getUint32(table.offset + 4 * i, true),
  );
  if (offsets.length !== frames || offsets[0] !== 0) return undefined;
  const byFrame: Fragment[][] = Array.from({ length: frames }, () => []);
  let offset = 0;
  let current = 0;
  for (const fragment of fragments) {
    if (current + 1 < frames && offset === offsets[current + 1]) current++;
    byFrame[current]!.push(fragment);
    offset += fragment.length + 8;
  }
  return current + 1 === frames ? byFrame[frame] : undefined;
}

/**
 * Frame `frame` of an instance with an image. As Orthanc builds its index of the frames before
 * it looks at the number, a bad file is reported before a frame out of range.
 */
export function rawFrameBytes(
  parsed: ParsedDicom,
  pm: PixelModule,
  frame: number,
): Uint8Array | DecodeFailure {
  if (isBitmap(pm) && pm.columns % 8 !== 0) {
    return badFile("Bad number of columns for a black-and-white image");
  }
  const { bytes } = parsed.dataset.source;
  const pixels = findElement(parsed.dataset, Tags.PixelData);
  if (pixels?.fragments) {
    if (!fragmentsOfFrame(parsed, pixels, pm.frames, 0)) return badFile();
    if (frame >= pm.frames) return OUT_OF_RANGE;
    const list = fragmentsOfFrame(parsed, pixels, pm.frames, frame)!;
    return new Uint8Array(
      Bun.concatArrayBuffers(list.map((f) => bytes.subarray(f.offset, f.offset + f.length))),
    );
  }
  const buffer = pixels && pixels.length > 0
    ? bytes.subarray(pixels.offset, pixels.offset + pixels.length)
    : pmsctPixels(parsed);
  const size = nativeFrameSize(pm);
  if (buffer && (!Number.isInteger(size) || buffer.length < size * pm.frames)) return badFile();
  if (frame >= pm.frames) return OUT_OF_RANGE;
  if (!buffer) return badFile("Cannot access a raw frame");
  return buffer.subarray(frame * size, (frame + 1) * size);
}
