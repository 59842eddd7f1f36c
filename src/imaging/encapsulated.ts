// The bytes of one frame of encapsulated pixel data, as DCMTK's codecs find them: one fragment
// per frame, else all fragments for a single frame, else by the basic offset table.
import type { DicomElement, ParsedDicom } from "../dicom/parser.ts";

/** The bytes of one frame of encapsulated pixel data (PS3.5 A.4). */
export function encapsulatedFrame(
  parsed: ParsedDicom,
  pixels: DicomElement,
  frame: number,
  frames: number,
): Uint8Array | undefined {
  const { bytes, view } = parsed.dataset.source;
  const [table, ...fragments] = pixels.fragments ?? [];
  if (!table || fragments.length === 0) return undefined;
  const slice = (list: typeof fragments) =>
    new Uint8Array(
      Bun.concatArrayBuffers(list.map((f) => bytes.subarray(f.offset, f.offset + f.length))),
    );
  if (fragments.length === frames) return slice([fragments[frame]!]);
  if (frames === 1) return slice(fragments);
  if (table.length < 4 * frames) return undefined;
  // The basic offset table gives each frame's first fragment, relative to the first fragment.
  const first = fragments[0]!.offset - 8;
  const startOf = (n: number) => first + view.getUint32(table.offset + 4 * n, true);
  const start = startOf(frame);
  const end = frame + 1 < frames ? startOf(frame + 1) : Infinity;
  return slice(fragments.filter((f) => f.offset - 8 >= start && f.offset - 8 < end));
}
