// A new codec worker's warm-up. JavaScriptCore runs a WASM function in its interpreter until it
// has run often enough to be compiled: a fresh worker's first JPEG 2000 frame of 256×1024 took
// 320-420 ms, then 130, 120… before 15-20. Encoding and decoding a small frame with each codec
// the worker has not used yet, between its first jobs, compiles them before a request needs them:
// after a JPEG /rendered started the pool, the first four JPEG 2000 ones took 33-93 ms each
// rather than 113-482, while the three JPEG ones that came along took 20-72 ms rather than 9-27.
// The pool starts with the first image request, not with the server: a worker holds 40-50 MiB.
import { NativeCodecs } from "dcmjs-codecs";
import { TransferSyntax } from "../../dicom/uids.ts";
import { context, runJob } from "./codestreams.ts";
import type { FrameLayout } from "./jobs.ts";
import { type Family, HTJ2K_LOSSLESS } from "./syntaxes.ts";

const SIDE = 64;

/** A 12-bit gray frame with texture, so that the codecs take their usual paths. */
function grayFrame(): { layout: FrameLayout; native: Uint8Array } {
  const samples = new Uint16Array(SIDE * SIDE).map((_, i) => ((i * 37) ^ (i >> 5)) & 0xfff);
  return {
    layout: {
      rows: SIDE,
      columns: SIDE,
      samplesPerPixel: 1,
      bitsAllocated: 16,
      bitsStored: 12,
      signed: false,
      planar: false,
      photometric: "MONOCHROME2",
    },
    native: new Uint8Array(samples.buffer),
  };
}

function rgbFrame(): { layout: FrameLayout; native: Uint8Array } {
  return {
    layout: {
      rows: SIDE,
      columns: SIDE,
      samplesPerPixel: 3,
      bitsAllocated: 8,
      bitsStored: 8,
      signed: false,
      planar: false,
      photometric: "RGB",
    },
    native: new Uint8Array(SIDE * SIDE * 3).map((_, i) => (i * 13) ^ (i >> 4)),
  };
}

/** One codec's round trip: its encoder, then its decoder on what the encoder gave. */
function roundTrip(transferSyntax: string, frame: { layout: FrameLayout; native: Uint8Array }) {
  return () => {
    const { layout, native } = frame;
    const encoded = runJob({ kind: "encode", transferSyntax, layout, native, quality: 90 });
    const decodedLayout = { ...layout, photometric: encoded.photometric };
    runJob({ kind: "decode", transferSyntax, layout: decodedLayout, codestream: encoded.bytes });
  };
}

/**
 * The decoder on a lossy JPEG 2000 frame, whose irreversible wavelet transform the lossless round
 * trip leaves cold: a worker's first 6 or 7 frames of CT 512×512 took 25-35 ms, the next ones 4.6
 * to 7.5, before 3.0; after this step, 5.5 from the first. No encoder of Pharos writes lossy
 * JPEG 2000: dcmjs-codecs' is called here alone.
 */
function lossyJpeg2000(frame: { layout: FrameLayout; native: Uint8Array }) {
  return () => {
    const { layout, native } = frame;
    const encoded = NativeCodecs.encodeJpeg2000(context(layout, { decodedBuffer: native }), {
      lossy: true,
    });
    const codestream = encoded.getEncodedBuffer();
    if (!codestream) throw new Error("OpenJPEG produced no codestream");
    runJob({ kind: "decode", transferSyntax: TransferSyntax.Jpeg2000, layout, codestream });
  };
}

/**
 * The steps of the warm-up, one codec family each, most used first: 0.1 s of CPU in all in a
 * fresh worker, most of it JPEG 2000's.
 */
export function warmUpSteps(): [Family, () => void][] {
  const gray = grayFrame();
  return [
    ["jpeg2000", roundTrip(TransferSyntax.Jpeg2000Lossless, gray)],
    ["jpeg2000", lossyJpeg2000(gray)],
    ["jpeg-ls", roundTrip(TransferSyntax.JpegLsLossless, gray)],
    ["jpeg", roundTrip(TransferSyntax.JpegLosslessFirstOrder, gray)],
    ["jpeg", roundTrip(TransferSyntax.JpegBaseline, rgbFrame())],
    ["htj2k", roundTrip(HTJ2K_LOSSLESS, gray)],
  ];
}
