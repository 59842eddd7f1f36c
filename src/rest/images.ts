// The frames of an instance: /instances/{id}/frames[/{n}[/preview|image-uint8|image-uint16|
// image-int16|rendered|matlab|numpy|raw|raw.gz]], the frame-0 shortcuts /instances/{id}/preview…,
// and a series' frames: /series/{id}/ordered-slices and /numpy. Decoding is the built-in
// decoders' or the plugins' (imaging/decode.ts).
import { type Context, Hono } from "hono";
import { gzipSync } from "node:zlib";
import { writeZip } from "../archive/zip-writer.ts";
import { findElement } from "../dicom/parser.ts";
import { Tags } from "../dicom/tag.ts";
import { TransferSyntax } from "../dicom/uids.ts";
import {
  CODEC_FAILURE,
  compressedFrame,
  decodeBuiltinFrame,
  type DecodeOutcome,
  isFailure,
} from "../imaging/decode.ts";
import {
  type DecodedImage,
  frameCount,
  pixelModule,
  rescaleOf,
  viewerWindow,
} from "../imaging/image.ts";
import { type CachedAnswer, RenderedAnswerCache } from "../imaging/answer-cache.ts";
import { toMatlab } from "../imaging/matlab.ts";
import type { RenderedOptions } from "../imaging/rendered.ts";
import { unsupportedImagePng } from "../imaging/unsupported.ts";
import { CodecError, codecPool } from "../imaging/wasm/pool.ts";
import { log } from "../log.ts";
import { rawFrameBytes } from "../imaging/raw-frame.ts";
import type { RawImage } from "../imaging/types.ts";
import { encodeNpy, type ImageMode, type NpyFrame, renderFrame } from "../imaging/render.ts";
import { BareStatusError, NotFoundWithoutBody, OrthancError } from "../server/errors.ts";
import { booleanQuery } from "./boolean-query.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { type InstanceData, readInstance } from "./instance-data.ts";
import { jsonResponse } from "./json.ts";
import { orderedSlices, orderedSlicesJson } from "./ordered-slices.ts";
import { route } from "./router.ts";
import { idParam } from "./params.ts";

const MODES: ImageMode[] = ["preview", "image-uint8", "image-uint16", "image-int16"];
/** The routes that answer an image: the modes, and /rendered (8-bit, like /preview). */
const IMAGE_ROUTES: string[] = [...MODES, "rendered"];
const FRAME_ROUTES = [
  "image-int16",
  "image-uint16",
  "image-uint8",
  "matlab",
  "numpy",
  "preview",
  "raw",
  "raw.gz",
  "rendered",
];

const binary = (body: Uint8Array, type: string) =>
  new Response(body, { headers: { "Content-Type": type } });

type ImageEncoding = "png" | "jpeg" | "pam";

const MIME: Record<ImageEncoding, string> = {
  png: "image/png",
  jpeg: "image/jpeg",
  pam: "image/x-portable-arbitrarymap",
};

/**
 * The encoding Orthanc picks from Accept: by q-value, then in the order listed; the wildcards
 * mean PNG; JPEG only for the 8-bit modes. Undefined when nothing acceptable fits (Orthanc's 404,
 * before any decoding).
 */
function negotiate(accept: string | undefined, mode: string): ImageEncoding | undefined {
  const eightBits = mode === "preview" || mode === "image-uint8" || mode === "rendered";
  if (!accept?.trim()) return "png";
  const entries = accept.split(",").map((part, index) => {
    const [type = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    return { type, q: q ? Number(q.slice(2)) : 1, index };
  }).filter((e) => e.q > 0).sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { type } of entries) {
    if (type === "image/png" || type === "image/*" || type === "*/*") return "png";
    if (type === "image/jpeg" && eightBits) return "jpeg";
    if (type === "image/x-portable-arbitrarymap") return "pam";
  }
  return undefined;
}

/** ?quality= of JPEG answers: 1 to 100, 90 by default; Orthanc answers 415 otherwise. */
function jpegQuality(text: string | undefined): number {
  if (text === undefined) return 90;
  const quality = Number(text);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new BareStatusError(415);
  return quality;
}

/** The answer, encoded in the codec workers. */
async function encodedImage(
  image: RawImage,
  encoding: ImageEncoding,
  quality: string | undefined,
): Promise<CachedAnswer> {
  const level = encoding === "jpeg" ? jpegQuality(quality) : 90;
  const job = { kind: "answer", encoding, image, quality: level } as const;
  return { body: (await codecPool.run(job)).bytes, type: MIME[encoding] };
}

async function encodeImage(image: RawImage, encoding: ImageEncoding, quality: string | undefined) {
  const { body, type } = await encodedImage(image, encoding, quality);
  return binary(body, type);
}

/** The arguments of /rendered, as given: they name a cached answer along with the frame. */
const RENDERED_ARGUMENTS = [
  "window-center",
  "window-width",
  "width",
  "height",
  "smooth",
  "quality",
];

/**
 * The frame asked for. Orthanc answers a number it cannot read with a bare 404, except /numpy
 * (400, which reads a leading "+"); the range is checked by the frame index or the decoders.
 */
function frameIndex(text: string | undefined, what: string): number {
  if (what === "numpy" && /^\+?\d+$/.test(text ?? "")) return Number(text);
  if (!text || !/^\d+$/.test(text)) {
    if (what !== "numpy") throw new NotFoundWithoutBody();
    throw new OrthancError(
      "ParameterOutOfRange",
      'Expected an unsigned integer for the "frame" argument',
    );
  }
  const frame = Number(text);
  return frame;
}

/**
 * A frame decoded, or why not. Past the last frame, the built-in decoders refuse it in Orthanc's
 * order; for a compressed syntax they lack, when a plugin decodes the instance, the answer is
 * the one of Orthanc's codecs, which fail on the missing frame.
 */
async function decodeFrame(
  deps: RestDependencies,
  data: InstanceData,
  frame: number,
): Promise<DecodeOutcome> {
  const { decoders, frames } = deps.codecs;
  if (frame < frameCount(data.parsed)) {
    return await frames.get(
      data.bytes,
      frame,
      () => decoders.decodeOutcome(data.bytes, data.parsed, frame),
    );
  }
  const builtin = decodeBuiltinFrame(data.parsed, frame);
  const encapsulated = findElement(data.parsed.dataset, Tags.PixelData)?.fragments;
  if (!isFailure(builtin) || builtin.failure !== "NotImplemented" || !encapsulated) return builtin;
  const first = await decoders.decodeOutcome(data.bytes, data.parsed, 0);
  return isFailure(first) ? first : CODEC_FAILURE;
}

/** Orthanc's images answer a bare 415 when the frame does not decode, a bare 404 when absent. */
async function imageOf(deps: RestDependencies, data: InstanceData, frame: number) {
  const outcome = await decodeFrame(deps, data, frame);
  if (!isFailure(outcome)) return outcome;
  throw outcome.failure === "ParameterOutOfRange"
    ? new NotFoundWithoutBody()
    : new BareStatusError(415);
}

/** /numpy says why a frame does not decode, with Orthanc's error. */
async function npyFrame(
  deps: RestDependencies,
  data: InstanceData,
  frame: number,
  rescale: boolean,
): Promise<NpyFrame> {
  const outcome = await decodeFrame(deps, data, frame);
  if (isFailure(outcome)) throw new OrthancError(outcome.failure, outcome.details);
  return { image: outcome, rescale: rescale ? rescaleOf(data.parsed, frame) : undefined };
}

const sameLayout = (a: DecodedImage, b: DecodedImage) =>
  a.format === b.format && a.width === b.width && a.height === b.height;

/**
 * /numpy: one frame, or frames stacked (every frame of an instance, of a series); `?compress`
 * wraps it in a .npz (a ZIP whose member Orthanc names "arr_0").
 */
async function numpy(
  c: Context<AppEnv>,
  deps: RestDependencies,
  wanted: { data: InstanceData; frame: number }[],
  stacked: boolean,
) {
  const rescale = booleanQuery(c, "rescale", true);
  const compress = booleanQuery(c, "compress", false);
  const frames: NpyFrame[] = [];
  for (const { data, frame } of wanted) frames.push(await npyFrame(deps, data, frame, rescale));
  if (frames.length === 0 || !frames.every((f) => sameLayout(f.image, frames[0]!.image))) {
    throw new OrthancError("NotImplemented");
  }
  const npy = encodeNpy(frames, stacked);
  const body = compress ? writeZip([{ name: "arr_0", data: npy }], "Created by Orthanc") : npy;
  return binary(body, "application/octet-stream");
}

const everyFrame = (data: InstanceData) =>
  [...Array(frameCount(data.parsed)).keys()].map((frame) => ({ data, frame }));

/** What Orthanc labels a raw frame with: the codestream's type for JPEG and JPEG 2000. */
function rawContentType(transferSyntax: string): string {
  switch (transferSyntax) {
    case TransferSyntax.JpegBaseline:
      return "image/jpeg";
    case TransferSyntax.Jpeg2000Lossless:
    case TransferSyntax.Jpeg2000:
      return "image/jp2";
    default:
      return "application/octet-stream";
  }
}

/** A number argument of /rendered; Orthanc answers a bare 404 for one it cannot read. */
function numberQuery(c: Context<AppEnv>, name: string, integer: boolean): number | undefined {
  const text = c.req.query(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || (integer && !/^\d+$/.test(text))) {
    throw new NotFoundWithoutBody();
  }
  return value;
}

/** /rendered's arguments: the window, size and smoothing asked for, over the file's defaults. */
function viewerOptions(c: Context<AppEnv>, data: InstanceData, frame: number): RenderedOptions {
  const fileWindow = viewerWindow(data.parsed, frame);
  return {
    rescale: rescaleOf(data.parsed, frame),
    window: {
      center: numberQuery(c, "window-center", false) ?? fileWindow.center,
      width: numberQuery(c, "window-width", false) ?? fileWindow.width,
    },
    invert: pixelModule(data.parsed)?.photometric === "MONOCHROME1",
    width: numberQuery(c, "width", true) ?? 0,
    height: numberQuery(c, "height", true) ?? 0,
    smooth: booleanQuery(c, "smooth", false),
  };
}

/**
 * The /rendered answer, windowed, fitted and encoded in the codec workers. A compressed frame
 * that is not cached yet, when no plugin has a decoder to try, is decoded in the same job: its
 * samples never come back to this thread, and one job rather than two answers it (first
 * /rendered of a JPEG 2000 256×1024 frame: the server's thread spent 0.9-1.0 ms rather than
 * 1.6-2.1). Such a frame is not cached then: a later route decodes it again.
 */
async function renderedAnswer(
  c: Context<AppEnv>,
  deps: RestDependencies,
  data: InstanceData,
  frame: number,
  encoding: ImageEncoding,
): Promise<CachedAnswer> {
  const compressed = deps.codecs.decoders.builtinOnly &&
      !deps.codecs.frames.has(data.bytes, frame)
    ? compressedFrame(data.parsed, frame)
    : undefined;
  if (!compressed) return renderedImage(c, data, await imageOf(deps, data, frame), frame, encoding);
  // The arguments are read after the frame is decoded, so Orthanc's 415 comes before their 404.
  let options, quality;
  try {
    options = viewerOptions(c, data, frame);
    quality = encoding === "jpeg" ? jpegQuality(c.req.query("quality")) : 90;
  } catch (error) {
    await imageOf(deps, data, frame);
    throw error;
  }
  if (compressed.codestream.length === 0) throw new BareStatusError(415);
  const job = { kind: "rendered", encoding, frame: { compressed }, options, quality } as const;
  let output;
  try {
    output = await codecPool.run(job, [compressed.codestream.buffer as ArrayBuffer]);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    log.warning(`Cannot decode a ${compressed.transferSyntax} frame: ${error.message}`);
    throw new BareStatusError(415);
  }
  if (output.bytes.length === 0) throw new BareStatusError(415);
  return { body: output.bytes, type: MIME[encoding] };
}

/** /rendered of a decoded frame, windowed, fitted and encoded in the codec workers. */
async function renderedImage(
  c: Context<AppEnv>,
  data: InstanceData,
  image: DecodedImage,
  frame: number,
  encoding: ImageEncoding,
): Promise<CachedAnswer> {
  const options = viewerOptions(c, data, frame);
  const quality = encoding === "jpeg" ? jpegQuality(c.req.query("quality")) : 90;
  // The frame stays cached: the worker gets a copy, moved rather than cloned.
  const pixels = image.pixels.slice();
  const job = {
    kind: "rendered",
    encoding,
    frame: { image: { ...image, pixels } },
    options,
    quality,
  } as const;
  const output = await codecPool.run(job, [pixels.buffer as ArrayBuffer]);
  return { body: output.bytes, type: MIME[encoding] };
}

/** The stored bytes of a frame (Orthanc's /raw does not decode compressed ones). */
function rawFrame(data: InstanceData, frame: number): Uint8Array {
  const pm = pixelModule(data.parsed);
  if (!pm) throw new OrthancError("NotImplemented");
  const raw = rawFrameBytes(data.parsed, pm, frame);
  if (raw instanceof Uint8Array) return raw;
  throw new OrthancError(raw.failure, raw.details);
}

/** A frame rendered as /preview renders it, in JPEG or PNG (DICOMweb's rendered resources). */
export async function renderedFrame(
  deps: RestDependencies,
  data: InstanceData,
  frame: number,
  encoding: "jpeg" | "png",
  quality?: string,
): Promise<Response | undefined> {
  if (!pixelModule(data.parsed) || frame >= frameCount(data.parsed)) return undefined;
  const image = await imageOf(deps, data, frame);
  const monochrome1 = pixelModule(data.parsed)?.photometric === "MONOCHROME1";
  const rendered = renderFrame(image, "preview", monochrome1);
  return rendered ? encodeImage(rendered, encoding, quality) : undefined;
}

export function imageRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const load = (c: Context<AppEnv>) =>
    readInstance(deps, deps.core.resource(idParam(c), "Instance"));

  /** With `returnUnsupportedImage`, a frame the image routes cannot show is a placeholder. */
  const answer = async (c: Context<AppEnv>, what: string, frameText: string | undefined) => {
    try {
      return await answerFrame(c, what, frameText);
    } catch (error) {
      const unsupported = error instanceof BareStatusError && error.status === 415;
      if (!unsupported || c.req.query("returnUnsupportedImage") === undefined) throw error;
      return binary(unsupportedImagePng(), MIME.png);
    }
  };

  const answerFrame = async (c: Context<AppEnv>, what: string, frameText: string | undefined) => {
    const data = await load(c);
    // Orthanc reports an instance without an image before a frame number out of range, and
    // fails to decode a compressed frame out of range rather than not finding it.
    const numeric = /^\d+$/.test(frameText ?? "");
    if (!pixelModule(data.parsed)) {
      if (what.startsWith("raw") && numeric) throw new OrthancError("NotImplemented");
      if (IMAGE_ROUTES.includes(what) && numeric) throw new BareStatusError(415);
    }
    const encapsulated = findElement(data.parsed.dataset, Tags.PixelData)?.fragments;
    if (
      encapsulated && IMAGE_ROUTES.includes(what) && numeric &&
      Number(frameText) >= frameCount(data.parsed)
    ) {
      throw new BareStatusError(415);
    }
    const frame = frameIndex(frameText, what);
    if (what === "raw" || what === "raw.gz") {
      const raw = rawFrame(data, frame);
      return what === "raw"
        ? binary(raw, rawContentType(data.parsed.transferSyntax))
        : binary(gzipSync(raw), "application/gzip");
    }
    if (what === "numpy") return numpy(c, deps, [{ data, frame }], false);
    if (what === "matlab") {
      // Like /numpy, /matlab says why a frame does not decode.
      const { image } = await npyFrame(deps, data, frame, false);
      return new Response(toMatlab(image), { headers: { "Content-Type": "text/plain" } });
    }
    const encoding = negotiate(c.req.header("Accept"), what);
    if (!encoding) throw new NotFoundWithoutBody();
    if (what === "rendered") {
      // Only answers are cached, so a hit had arguments that parsed and a frame that decoded.
      const given = RENDERED_ARGUMENTS.map((name) => c.req.query(name) ?? null);
      const key = RenderedAnswerCache.key(data.bytes, JSON.stringify([frame, encoding, given]));
      const { body, type } = await deps.codecs.rendered.get(
        key,
        () => renderedAnswer(c, deps, data, frame, encoding),
      );
      return binary(body, type);
    }
    const image = await imageOf(deps, data, frame);
    const monochrome1 = pixelModule(data.parsed)?.photometric === "MONOCHROME1";
    const rendered = renderFrame(image, what as ImageMode, monochrome1);
    if (!rendered) throw new BareStatusError(415);
    return encodeImage(rendered, encoding, c.req.query("quality"));
  };

  route(app, "/instances/:id/frames", {
    GET: async (c) => {
      const data = await load(c);
      return jsonResponse([...Array(frameCount(data.parsed)).keys()]);
    },
  });
  // Orthanc lists the routes below a frame without looking at the instance or the frame.
  route(app, "/instances/:id/frames/:frame", { GET: () => jsonResponse(FRAME_ROUTES) });
  for (const what of FRAME_ROUTES) {
    route(app, `/instances/:id/frames/:frame/${what}`, {
      GET: (c) => answer(c, what, c.req.param("frame")),
    });
  }
  for (const what of [...IMAGE_ROUTES, "matlab"]) {
    route(app, `/instances/:id/${what}`, { GET: (c) => answer(c, what, "0") });
  }
  route(app, "/instances/:id/numpy", {
    GET: async (c) => numpy(c, deps, everyFrame(await load(c)), true),
  });
  const series = (c: Context<AppEnv>) =>
    orderedSlices(deps, deps.core.resource(idParam(c), "Series"));
  route(app, "/series/:id/ordered-slices", {
    GET: async (c) => jsonResponse(orderedSlicesJson(await series(c))),
  });
  route(app, "/series/:id/numpy", {
    GET: async (c) => {
      const { instances } = await series(c);
      return numpy(c, deps, instances.flatMap((i) => everyFrame(i.data)), true);
    },
  });
  return app;
}
