// WADO-RS (PS3.18 10.4): instances, metadata, frames, bulk data and rendered images of the
// resources a study, series or instance UID names, as Orthanc's DICOMweb plugin answers them.
import {
  type BinaryElement,
  type BinaryMode,
  dicomJson,
  type DicomJsonDataset,
} from "../dicom/dicom-json.ts";
import { elementBytes, findElement } from "../dicom/parser.ts";
import { type Tag, Tags } from "../dicom/tag.ts";
import { TransferSyntax, UNCOMPRESSED_TRANSFER_SYNTAXES } from "../dicom/uids.ts";
import { frameCount, pixelModule } from "../imaging/image.ts";
import { rawFrameBytes } from "../imaging/raw-frame.ts";
import type { RestDependencies } from "../rest/context.ts";
import { renderedFrame } from "../rest/images.ts";
import { type InstanceData, readInstance } from "../rest/instance-data.ts";
import { OrthancError } from "../server/errors.ts";
import type { Resource } from "../server/model.ts";
import type { BinaryModes } from "./binary-modes.ts";
import { bulkDataUri, metadataJson } from "./metadata-json.ts";
import { mediaParameters, multipartResponse, type Part, splitOutsideQuotes } from "./multipart.ts";
import { type ResourceUids, retrieveUrl, type WebBase } from "./urls.ts";

/** The instances a WADO-RS path names, in the order Orthanc lists them; 404 when unknown. */
export function instancesOf(deps: RestDependencies, uids: ResourceUids): Resource[] {
  const resources = deps.core.resources;
  const byUid = (
    level: "Study" | "Series" | "Instance",
    tag: Tag,
    uid: string,
    parent?: Resource,
  ) =>
    resources.lookupIdentifier(uid).find((r) =>
      r.level === level && resources.mainTags(r.internalId).get(tag) === uid &&
      (parent === undefined || r.parentId === parent.internalId)
    );
  const study = byUid("Study", Tags.StudyInstanceUid, uids.study);
  if (!study) {
    throw new OrthancError("UnknownResource", `Accessing an inexistent study: ${uids.study}`);
  }
  if (uids.series === undefined) return leaves(deps, study);
  const series = byUid("Series", Tags.SeriesInstanceUid, uids.series, study);
  if (!series) {
    throw new OrthancError("UnknownResource", `Accessing an inexistent series: ${uids.series}`);
  }
  if (uids.instance === undefined) return leaves(deps, series);
  const instance = byUid("Instance", Tags.SopInstanceUid, uids.instance, series);
  if (!instance) {
    throw new OrthancError("UnknownResource", `Accessing an inexistent instance: ${uids.instance}`);
  }
  return [instance];
}

function leaves(deps: RestDependencies, r: Resource): Resource[] {
  if (r.level === "Instance") return [r];
  return deps.core.resources.children(r.internalId).flatMap((child) => leaves(deps, child));
}

/** The UIDs of a stored instance, read from the index. */
export function uidsOf(deps: RestDependencies, instance: Resource): Required<ResourceUids> {
  const resources = deps.core.resources;
  const series = resources.parent(instance)!;
  const study = resources.parent(series)!;
  return {
    study: resources.mainTags(study.internalId).get(Tags.StudyInstanceUid)!,
    series: resources.mainTags(series.internalId).get(Tags.SeriesInstanceUid)!,
    instance: resources.mainTags(instance.internalId).get(Tags.SopInstanceUid)!,
  };
}

/** The transfer syntaxes an Accept header allows for a part type, "*" for any. */
function acceptedSyntaxes(accept: string | undefined, partTypes: string[]): string[] | "none" {
  if (!accept || accept.trim() === "" || accept.includes("*/*")) {
    return [TransferSyntax.ExplicitVrLittleEndian];
  }
  const out: string[] = [];
  for (const entry of splitOutsideQuotes(accept, ",")) {
    const { type, params } = mediaParameters(entry);
    const partType = type === "multipart/related"
      ? (params.get("type") ?? "application/octet-stream").toLowerCase()
      : type;
    if (!partTypes.includes(partType) && !partType.endsWith("/*")) continue;
    out.push(params.get("transfer-syntax") ?? TransferSyntax.ExplicitVrLittleEndian);
  }
  return out.length > 0 ? out : "none";
}

/** Files in a syntax the client accepts ("*" keeps them as stored), as multipart/related. */
export async function retrieveInstances(
  deps: RestDependencies,
  instances: Resource[],
  accept: string | undefined,
): Promise<Response> {
  const syntaxes = acceptedSyntaxes(accept, ["application/dicom"]);
  if (syntaxes === "none") {
    throw new OrthancError("BadRequest", "This WADO-RS plugin only supports application/dicom");
  }
  const parts: Part[] = [];
  for (const instance of instances) {
    const bytes = await deps.core.dicomBytes(instance);
    const out = syntaxes.includes("*")
      ? bytes
      : await deps.codecs.transcoders.transcode(bytes, syntaxes);
    if (!out) throw new OrthancError("NotImplemented", "Cannot transcode image");
    parts.push({ contentType: "application/dicom", body: out });
  }
  return multipartResponse(parts, "application/dicom");
}

/** The DICOM JSON of one instance, its binary values as bulk data URIs below its URL. */
export async function instanceMetadata(
  data: InstanceData,
  instanceUrl: string,
  modes?: BinaryModes,
): Promise<DicomJsonDataset> {
  if (!modes || modes.empty) return metadataJson(data.parsed.dataset, data.decoding, instanceUrl);
  const uri = (element: BinaryElement) => bulkDataUri(instanceUrl, element);
  const byUri = (element: BinaryElement): BinaryMode => ({ kind: "uri", uri: uri(element) });
  // The plugins' choices may be asynchronous (an isolated plugin): asked first, then applied.
  const elements: BinaryElement[] = [];
  dicomJson(data.parsed.dataset, data.decoding, {
    binary: (element) => {
      elements.push(element);
      return byUri(element);
    },
  });
  const chosen = new Map<string, BinaryMode>();
  for (const element of elements) {
    const mode = await modes.choose(element, uri(element));
    if (mode) chosen.set(uri(element), mode);
  }
  return dicomJson(data.parsed.dataset, data.decoding, {
    binary: (element) => chosen.get(uri(element)) ?? byUri(element),
  });
}

const FRAME_TYPES: Record<string, string> = {
  [TransferSyntax.JpegBaseline]: "image/jpeg",
  [TransferSyntax.JpegExtended]: "image/jpeg",
  [TransferSyntax.JpegLosslessNonHierarchical]: "image/jpeg",
  [TransferSyntax.JpegLosslessFirstOrder]: "image/jpeg",
  [TransferSyntax.JpegLsLossless]: "image/jls",
  [TransferSyntax.JpegLsNearLossless]: "image/jls",
  [TransferSyntax.Jpeg2000Lossless]: "image/jp2",
  [TransferSyntax.Jpeg2000]: "image/jp2",
  [TransferSyntax.RleLossless]: "image/dicom-rle",
};

/** Frames (1-based, as PS3.18) of one instance, as stored or in an accepted uncompressed syntax. */
export async function retrieveFrames(
  deps: RestDependencies,
  instance: Resource,
  frameList: string,
  accept: string | undefined,
  base: WebBase,
): Promise<Response> {
  const numbers = frameList.split(",").map((text) => {
    if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
      throw new OrthancError("BadRequest", `Not a valid frame number: ${text}`);
    }
    return Number(text);
  });
  const data = await readInstance(deps, instance);
  const pm = pixelModule(data.parsed);
  if (!pm) throw new OrthancError("BadRequest", "This instance has no image");
  const frames = frameCount(data.parsed);
  const missing = numbers.find((n) => n > frames);
  if (missing !== undefined) {
    throw new OrthancError("BadRequest", `Frame ${missing} does not exist (${frames} frames)`);
  }
  const stored = data.parsed.transferSyntax;
  const syntaxes = acceptedSyntaxes(accept, [
    "application/octet-stream",
    ...new Set(Object.values(FRAME_TYPES)),
  ]);
  if (syntaxes === "none") throw new OrthancError("BadRequest", "Unsupported media type in Accept");
  const keep = syntaxes.includes("*") || syntaxes.includes(stored) ||
    (UNCOMPRESSED_TRANSFER_SYNTAXES.has(stored) &&
      syntaxes.some((s) => UNCOMPRESSED_TRANSFER_SYNTAXES.has(s)) &&
      stored !== TransferSyntax.ExplicitVrBigEndian);
  // A compressed frame asked uncompressed is decoded with the codecs there are (the built-in ones
  // and the plugins'); Orthanc without a decoding plugin answers 500 for every such frame.
  const decode = !keep && !UNCOMPRESSED_TRANSFER_SYNTAXES.has(stored) &&
    syntaxes.includes(TransferSyntax.ExplicitVrLittleEndian);
  if (!keep && !decode) throw new OrthancError("NotImplemented", "Cannot transcode image");
  // A little-endian file gives the same pixel bytes in either uncompressed little-endian syntax.
  const syntax = decode || UNCOMPRESSED_TRANSFER_SYNTAXES.has(stored)
    ? TransferSyntax.ExplicitVrLittleEndian
    : stored;
  const contentType = `${
    FRAME_TYPES[syntax] ?? "application/octet-stream"
  }; transfer-syntax=${syntax}`;
  const url = retrieveUrl(base, uidsOf(deps, instance));
  const parts: Part[] = [];
  for (const n of numbers) {
    const body = decode ? await decodedFrame(deps, data, n - 1) : storedFrame(data, pm, n - 1);
    parts.push({ contentType, body, location: `${url}/frames/${n}` });
  }
  return multipartResponse(parts, contentType);
}

function storedFrame(
  data: InstanceData,
  pm: NonNullable<ReturnType<typeof pixelModule>>,
  frame: number,
): Uint8Array {
  const raw = rawFrameBytes(data.parsed, pm, frame);
  if (!(raw instanceof Uint8Array)) throw new OrthancError(raw.failure, raw.details);
  return raw;
}

/** The frame's samples as Explicit VR Little Endian holds them (interleaved for color). */
async function decodedFrame(
  deps: RestDependencies,
  data: InstanceData,
  frame: number,
): Promise<Uint8Array> {
  const image = await deps.codecs.decoders.decode(data.bytes, data.parsed, frame);
  if (!image) throw new OrthancError("NotImplemented", "Cannot transcode image");
  const { pixels } = image;
  // Typed arrays hold the platform's byte order: little endian wherever Bun runs.
  return new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
}

/** The value of a binary attribute at `path` (tag, item, tag… as in a bulk data URI). */
export async function retrieveBulk(
  deps: RestDependencies,
  instance: Resource,
  path: string[],
): Promise<Response> {
  const data = await readInstance(deps, instance);
  let dataset = data.parsed.dataset;
  for (let i = 0; i < path.length; i += 2) {
    const tag = Number.parseInt(path[i]!, 16);
    const e = /^[0-9a-fA-F]{8}$/.test(path[i]!) ? findElement(dataset, tag) : undefined;
    if (!e) throw new OrthancError("UnknownResource", "Unknown bulk data");
    if (i + 1 === path.length) {
      if (e.items || e.fragments) throw new OrthancError("UnknownResource", "Not bulk data");
      return multipartResponse([{
        contentType: "application/octet-stream",
        body: elementBytes(dataset, e),
      }], "application/octet-stream");
    }
    const item = e.items?.[Number(path[i + 1]) - 1];
    if (!item) throw new OrthancError("UnknownResource", "Unknown bulk data");
    dataset = item;
  }
  throw new OrthancError("UnknownResource", "Unknown bulk data");
}

/** A rendered image of the instance's first (or chosen) frame, JPEG unless PNG is asked. */
export async function retrieveRendered(
  deps: RestDependencies,
  instance: Resource,
  frame: number,
  accept: string | undefined,
  quality: string | undefined,
): Promise<Response> {
  const data = await readInstance(deps, instance);
  const encoding = accept?.includes("image/png") && !accept.includes("image/jpeg") ? "png" : "jpeg";
  const answer = await renderedFrame(deps, data, frame, encoding, quality);
  if (!answer) throw new OrthancError("BadRequest", "Cannot render this frame");
  return answer;
}
