// What the main thread asks of the codec workers, and what they answer. Frames travel as bytes:
// native frames are little endian, interleaved when `planar` is false.
import type { RenderedOptions } from "../rendered.ts";
import type { PixelModule } from "../image.ts";
import type { DecodedImage, RawImage } from "../types.ts";

/** The pixel module of one frame, as the codecs need it. */
export interface FrameLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  planar: boolean;
  photometric: string;
}

export interface DecodeJob {
  kind: "decode";
  transferSyntax: string;
  layout: FrameLayout;
  codestream: Uint8Array;
}

export interface EncodeJob {
  kind: "encode";
  transferSyntax: string;
  layout: FrameLayout;
  native: Uint8Array;
  /** JPEG baseline's quality, 1 to 100. */
  quality: number;
}

/** An image answer of the REST API to encode (PAM is a header on the samples). */
export interface AnswerJob {
  kind: "answer";
  encoding: "png" | "jpeg" | "pam";
  image: RawImage;
  quality: number;
}

/** A frame for the worker to decode first, with the pixel module that reads its samples. */
export interface CompressedFrame {
  transferSyntax: string;
  pixelModule: PixelModule;
  codestream: Uint8Array;
}

/**
 * A /rendered answer: the frame windowed and fitted (rendered.ts), then encoded. A compressed
 * frame is decoded in the same job, so that its pixels never travel between threads: the answer
 * has no bytes when the frame does not decode to an image Orthanc shows.
 */
export interface RenderedJob {
  kind: "rendered";
  encoding: AnswerJob["encoding"];
  frame: { image: DecodedImage } | { compressed: CompressedFrame };
  options: RenderedOptions;
  quality: number;
}

export type CodecJob = DecodeJob | EncodeJob | AnswerJob | RenderedJob;

/** The frame the job produced, with the photometric interpretation and planarity it is now in. */
export interface CodecOutput {
  bytes: Uint8Array;
  photometric: string;
  planar: boolean;
}

/**
 * `retire`: the worker's codecs hold more memory than the pool allows after a large frame; it
 * answers, then the pool replaces it, which gives the memory back.
 */
export type CodecAnswer =
  | { id: number; output: CodecOutput; retire?: boolean }
  | { id: number; error: string };

export type CodecRequest = { id: number; job: CodecJob };

/** What a codec worker is started with. */
export interface CodecWorkerData {
  /** Whether it warms its codecs up (warm-up.ts): not a worker that replaces a retired one. */
  warmUp: boolean;
  /** How many bytes its codecs' memories may grow before it asks to be replaced after a job. */
  memoryLimit: number;
}
