// The frames of an instance: /instances/{id}/frames[/{n}[/preview|image-uint8|image-uint16|
// image-int16|numpy|raw|raw.gz]], and the frame-0 shortcuts /instances/{id}/preview… Decoding is
// the built-in decoders' or the plugins' (imaging/decode.ts).
import { type Context, Hono } from "hono";
import { gzipSync } from "node:zlib";
import { findElement } from "../dicom/parser.ts";
import { UNCOMPRESSED_TRANSFER_SYNTAXES } from "../dicom/uids.ts";
import { Tags } from "../dicom/tag.ts";
import { nativeFrame } from "../imaging/decode.ts";
import { frameCount, pixelModule, rescaleOf } from "../imaging/image.ts";
import { encodeJpeg } from "../imaging/jpeg.ts";
import { encodePam } from "../imaging/pam.ts";
import { encodePng } from "../imaging/png.ts";
import type { RawImage } from "../imaging/types.ts";
import { encodeNpy, type ImageMode, renderFrame } from "../imaging/render.ts";
import { BareStatusError, NotFoundWithoutBody, OrthancError } from "../server/errors.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { type InstanceData, readInstance } from "./instance-data.ts";
import { jsonResponse } from "./json.ts";
import { route } from "./router.ts";
import { idParam } from "./params.ts";

const MODES: ImageMode[] = ["preview", "image-uint8", "image-uint16", "image-int16"];
const FRAME_ROUTES = [
  "image-int16",
  "image-uint16",
  "image-uint8",
  "numpy",
  "preview",
  "raw",
  "raw.gz",
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
function negotiate(accept: string | undefined, mode: ImageMode): ImageEncoding | undefined {
  const eightBits = mode === "preview" || mode === "image-uint8";
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

function encodeImage(image: RawImage, encoding: ImageEncoding, quality: string | undefined) {
  const body = encoding === "png"
    ? encodePng(image)
    : encoding === "jpeg"
    ? encodeJpeg(image, jpegQuality(quality))
    : encodePam(image);
  return binary(body, MIME[encoding]);
}

/**
 * The frame asked for. Orthanc answers a bad number with a bare 404, except /numpy (400) and an
 * out-of-range /raw (400).
 */
function frameIndex(text: string | undefined, data: InstanceData, what: string): number {
  const outOfRange = () => new OrthancError("ParameterOutOfRange");
  if (!text || !/^\d+$/.test(text)) {
    throw what === "numpy" ? outOfRange() : new NotFoundWithoutBody();
  }
  const frame = Number(text);
  if (frame >= frameCount(data.parsed)) {
    throw what === "numpy" || what.startsWith("raw") ? outOfRange() : new NotFoundWithoutBody();
  }
  return frame;
}

async function decoded(
  deps: RestDependencies,
  data: InstanceData,
  frame: number,
  what: string,
) {
  const image = await deps.codecs.decoders.decode(data.bytes, data.parsed, frame);
  if (image) return image;
  // Orthanc's images answer a bare 415; /numpy says why.
  if (what !== "numpy") throw new BareStatusError(415);
  if (!pixelModule(data.parsed)) throw new OrthancError("NotImplemented");
  if (!findElement(data.parsed.dataset, Tags.PixelData)) throw new OrthancError("BadFileFormat");
  throw new BareStatusError(415);
}

/** The stored bytes of a native frame (Orthanc's /raw does not decode compressed ones). */
function rawFrame(data: InstanceData, frame: number): Uint8Array {
  const { parsed } = data;
  const pixels = findElement(parsed.dataset, Tags.PixelData);
  const pm = pixelModule(parsed);
  if (!pm) throw new OrthancError("NotImplemented");
  if (!pixels) throw new OrthancError("BadFileFormat", "Cannot access a raw frame");
  if (pixels.fragments) {
    const fragments = pixels.fragments.slice(1);
    if (fragments.length !== pm.frames) {
      throw new OrthancError("BadFileFormat", "Cannot access a raw frame");
    }
    const f = fragments[frame]!;
    return parsed.dataset.source.bytes.subarray(f.offset, f.offset + f.length);
  }
  const bytes = UNCOMPRESSED_TRANSFER_SYNTAXES.has(parsed.transferSyntax)
    ? nativeFrame(parsed, pm, pixels, frame)
    : undefined;
  if (!bytes) throw new OrthancError("BadFileFormat", "Cannot access a raw frame");
  return bytes;
}

export function imageRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const load = (c: Context<AppEnv>) =>
    readInstance(deps, deps.core.resource(idParam(c), "Instance"));

  const answer = async (c: Context<AppEnv>, what: string, frameText: string | undefined) => {
    const data = await load(c);
    // Orthanc reports an instance without an image before a frame number out of range, and
    // fails to decode a compressed frame out of range rather than not finding it.
    const numeric = /^\d+$/.test(frameText ?? "");
    if (!pixelModule(data.parsed)) {
      if (what === "numpy" || (what.startsWith("raw") && numeric)) {
        throw new OrthancError("NotImplemented");
      }
      if (MODES.includes(what as ImageMode) && numeric) throw new BareStatusError(415);
    }
    const encapsulated = findElement(data.parsed.dataset, Tags.PixelData)?.fragments;
    if (
      encapsulated && MODES.includes(what as ImageMode) && numeric &&
      Number(frameText) >= frameCount(data.parsed)
    ) {
      throw new BareStatusError(415);
    }
    const frame = frameIndex(frameText, data, what);
    if (what === "raw" || what === "raw.gz") {
      const raw = rawFrame(data, frame);
      return what === "raw"
        ? binary(raw, "application/octet-stream")
        : binary(gzipSync(raw), "application/gzip");
    }
    const encoding = what === "numpy"
      ? undefined
      : negotiate(c.req.header("Accept"), what as ImageMode);
    if (what !== "numpy" && !encoding) throw new NotFoundWithoutBody();
    const image = await decoded(deps, data, frame, what);
    if (!encoding) {
      const rescale = c.req.query("rescale") === "false"
        ? undefined
        : rescaleOf(data.parsed, frame);
      return binary(encodeNpy(image, rescale), "application/octet-stream");
    }
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
  for (const what of [...MODES, "numpy"]) {
    route(app, `/instances/:id/${what}`, { GET: (c) => answer(c, what, "0") });
  }
  return app;
}
