// The decoded frame every imaging module exchanges, and the attributes that describe the pixels.
import { type DicomDataset, findElement, type ParsedDicom } from "../dicom/parser.ts";
import { makeTag, Tags } from "../dicom/tag.ts";
import type { DecodedImage } from "./types.ts";

export type { DecodedImage };

/** Samples per pixel of each format. */
export const CHANNELS: Record<DecodedImage["format"], number> = {
  Grayscale8: 1,
  Grayscale16: 1,
  SignedGrayscale16: 1,
  RGB24: 3,
  RGBA32: 4,
};

export interface PixelModule {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  planar: boolean;
  photometric: string;
  frames: number;
}

const T = {
  SamplesPerPixel: makeTag(0x0028, 0x0002),
  Photometric: makeTag(0x0028, 0x0004),
  PlanarConfiguration: makeTag(0x0028, 0x0006),
  Rows: makeTag(0x0028, 0x0010),
  Columns: makeTag(0x0028, 0x0011),
  BitsAllocated: makeTag(0x0028, 0x0100),
  BitsStored: makeTag(0x0028, 0x0101),
  HighBit: makeTag(0x0028, 0x0102),
  PixelRepresentation: makeTag(0x0028, 0x0103),
};

function text(parsed: ParsedDicom, tag: number): string | undefined {
  const e = findElement(parsed.dataset, tag);
  if (!e) return undefined;
  const bytes = parsed.dataset.source.bytes.subarray(e.offset, e.offset + e.length);
  return String.fromCharCode(...bytes).replace(/[\0 ]+$/, "").trim();
}

function us(parsed: ParsedDicom, tag: number): number | undefined {
  const e = findElement(parsed.dataset, tag);
  if (!e || e.length < 2) return undefined;
  const { view, littleEndian } = parsed.dataset.source;
  return view.getUint16(e.offset, littleEndian);
}

/** The image pixel module, or undefined when the instance has no image. */
export function pixelModule(parsed: ParsedDicom): PixelModule | undefined {
  const rows = us(parsed, T.Rows);
  const columns = us(parsed, T.Columns);
  const bitsAllocated = us(parsed, T.BitsAllocated);
  if (!rows || !columns || !bitsAllocated) return undefined;
  const bitsStored = us(parsed, T.BitsStored) ?? bitsAllocated;
  const frames = Number.parseInt(text(parsed, Tags.NumberOfFrames) ?? "1", 10);
  return {
    rows,
    columns,
    samplesPerPixel: us(parsed, T.SamplesPerPixel) ?? 1,
    bitsAllocated,
    bitsStored,
    highBit: us(parsed, T.HighBit) ?? bitsStored - 1,
    signed: us(parsed, T.PixelRepresentation) === 1,
    planar: us(parsed, T.PlanarConfiguration) === 1,
    photometric: (text(parsed, T.Photometric) ?? "MONOCHROME2").toUpperCase(),
    frames: Number.isFinite(frames) && frames > 0 ? frames : 1,
  };
}

/** The number of frames Orthanc lists: NumberOfFrames, else 1. */
export function frameCount(parsed: ParsedDicom): number {
  const n = Number.parseInt(text(parsed, Tags.NumberOfFrames) ?? "1", 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

const RESCALE = {
  Intercept: makeTag(0x0028, 0x1052),
  Slope: makeTag(0x0028, 0x1053),
  PerFrameGroups: makeTag(0x5200, 0x9230),
  PixelValueTransformation: makeTag(0x0028, 0x9145),
};

function decimal(dataset: DicomDataset, tag: number): number | undefined {
  const e = findElement(dataset, tag);
  if (!e) return undefined;
  const value = Number.parseFloat(
    String.fromCharCode(...dataset.source.bytes.subarray(e.offset, e.offset + e.length)),
  );
  return Number.isFinite(value) ? value : undefined;
}

const WINDOW = { Center: makeTag(0x0028, 0x1050), Width: makeTag(0x0028, 0x1051) };

/** The file's first window (WindowCenter, WindowWidth), if it has one. */
export function windowOf(parsed: ParsedDicom): { center: number; width: number } | undefined {
  const center = decimal(parsed.dataset, WINDOW.Center);
  const width = decimal(parsed.dataset, WINDOW.Width);
  return center === undefined || width === undefined ? undefined : { center, width };
}

const FRAME_VOI_LUT = makeTag(0x0028, 0x9132);

/**
 * The window /rendered uses when none is asked for, as Orthanc picks it: the file's first, else
 * the frame's (Frame VOI LUT), else the whole range of BitsStored (8 when absent).
 */
export function viewerWindow(
  parsed: ParsedDicom,
  frame: number,
): { center: number; width: number } {
  const own = windowOf(parsed);
  if (own) return own;
  const voi = item(item(parsed.dataset, RESCALE.PerFrameGroups, frame), FRAME_VOI_LUT);
  const center = voi && decimal(voi, WINDOW.Center);
  const width = voi && decimal(voi, WINDOW.Width);
  if (center !== undefined && width !== undefined) return { center, width };
  // Orthanc 1.10.1 leaves the rescale out of this range (later versions scale and shift it).
  const range = 2 ** (us(parsed, T.BitsStored) || 8);
  return { center: range / 2, width: range };
}

/** The first item of a sequence of a dataset, if any. */
function item(dataset: DicomDataset | undefined, tag: number, index = 0): DicomDataset | undefined {
  return dataset && findElement(dataset, tag)?.items?.[index];
}

const RT_DOSE_STORAGE = "1.2.840.10008.5.1.4.1.1.481.2";

/**
 * The modality rescale of a frame (slope, intercept) as Orthanc 1.10.1 applies it to /rendered
 * and /numpy: the top-level pair, else the frame's functional group, each only when both values
 * are there. It leaves the shared functional group out, and RT Dose unscaled (its dose grid
 * scaling is not a modality rescale).
 */
export function rescaleOf(
  parsed: ParsedDicom,
  frame: number,
): { slope: number; intercept: number } {
  if (text(parsed, Tags.SopClassUid) === RT_DOSE_STORAGE) return { slope: 1, intercept: 0 };
  const candidates = [
    parsed.dataset,
    item(item(parsed.dataset, RESCALE.PerFrameGroups, frame), RESCALE.PixelValueTransformation),
  ];
  for (const dataset of candidates) {
    if (!dataset) continue;
    const slope = decimal(dataset, RESCALE.Slope);
    const intercept = decimal(dataset, RESCALE.Intercept);
    if (slope !== undefined && intercept !== undefined) return { slope, intercept };
  }
  return { slope: 1, intercept: 0 };
}
