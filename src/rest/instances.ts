// Instance routes: upload (DICOM, ZIP, multipart) and what only instances have.
import { type Context, Hono } from "hono";
import { isZip, readZip, ZipFormatError } from "../archive/zip-reader.ts";
import {
  type DicomDataset,
  type DicomElement,
  elementBytes,
  findElement,
} from "../dicom/parser.ts";
import { formatTag, parseTagText, Tags } from "../dicom/tag.ts";
import { datasetToJson, type JsonObject } from "../dicom/tags-json.ts";
import { elementText } from "../dicom/values.ts";
import { isBinaryVr } from "../dicom/vr.ts";
import type { Resource } from "../server/model.ts";
import { NotFoundWithoutBody, OrthancError } from "../server/errors.ts";
import type { RequestOrigin } from "../server/events.ts";
import type { StoreResult } from "../server/store.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { inflateUpload } from "./gzip-body.ts";
import { readInstance, tagsFormat } from "./instance-data.ts";
import { jsonResponse } from "./json.ts";
import type { Handler } from "./router.ts";
import { route } from "./router.ts";
import { idParam } from "./params.ts";

/** GET /instances/{id}/file?transcode=: the stored file in another transfer syntax. */
async function transcoded(
  deps: RestDependencies,
  resource: Resource,
  syntax: string,
): Promise<Uint8Array> {
  if (!/^[0-9]+(\.[0-9]+)*$/.test(syntax)) {
    throw new OrthancError("ParameterOutOfRange", `Unknown transfer syntax: ${syntax}`);
  }
  const out = await deps.codecs.transcoders.transcode(await deps.core.dicomBytes(resource), [
    syntax,
  ]);
  if (!out) throw new OrthancError("NotImplemented", `Cannot transcode to ${syntax}`);
  return out;
}

function storeAnswer(result: StoreResult): JsonObject {
  return {
    ID: result.ids.instance,
    ParentPatient: result.ids.patient,
    ParentSeries: result.ids.series,
    ParentStudy: result.ids.study,
    Path: `/instances/${result.ids.instance}`,
    Status: result.status,
  };
}

function originOf(c: Context<AppEnv>): RequestOrigin {
  const origin: RequestOrigin = { kind: "RestApi" };
  if (c.env?.remoteAddress) origin.remoteIp = c.env.remoteAddress;
  const user = c.get("username");
  if (user) origin.httpUsername = user;
  return origin;
}

export function uploadHandler(deps: RestDependencies): Handler {
  return async (c) => {
    const origin = originOf(c);
    const contentType = c.req.header("content-type") ?? "";
    if (contentType.startsWith("multipart/")) {
      let form: FormData;
      try {
        form = await c.req.raw.formData();
      } catch {
        throw new OrthancError("BadRequest", "Cannot parse the multipart body");
      }
      for (const value of form.values() as Iterable<FormDataEntryValue>) {
        if (typeof value === "string") continue;
        await deps.core.store(new Uint8Array(await value.arrayBuffer()), origin);
      }
      // Orthanc 1.10 stores the parts and answers an empty 200.
      return new Response(null, { status: 200 });
    }
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length === 0) throw new OrthancError("BadFileFormat", "Received an empty DICOM file");
    if (isZip(body)) {
      let entries;
      try {
        entries = readZip(body);
      } catch (error) {
        if (error instanceof ZipFormatError) {
          throw new OrthancError("BadFileFormat", "Cannot read the ZIP archive");
        }
        throw error;
      }
      const answers: JsonObject[] = [];
      for (const entry of entries) {
        const result = await deps.core.store(entry.read(), origin).catch((error) => {
          // Orthanc skips the entries of an archive that are not DICOM files.
          if (
            error instanceof OrthancError &&
            (error.kind === "BadFileFormat" || error.kind === "InexistentTag")
          ) {
            return undefined;
          }
          throw error;
        });
        if (result) answers.push(storeAnswer(result));
      }
      return jsonResponse(answers);
    }
    // Orthanc inflates a gzip-encoded DICOM file, not a ZIP archive, on this route only.
    const gzip = c.req.header("content-encoding")?.toLowerCase() === "gzip";
    const dicom = gzip ? inflateUpload(body) : body;
    return jsonResponse(storeAnswer(await deps.core.store(dicom, origin)));
  };
}

/** Orthanc counts one frame even in an instance without pixel data. */
function frameCount(dataset: DicomDataset, text: (e: DicomElement) => string | undefined): number {
  const frames = findElement(dataset, Tags.NumberOfFrames);
  const n = frames ? parseInt(text(frames) ?? "", 10) : 1;
  return Number.isFinite(n) && n > 0 ? n : 1;
}

function tagList(dataset: DicomDataset): Response {
  return jsonResponse(dataset.elements.map((e) => formatTag(e.tag).replace(",", "-")));
}

function raw(bytes: Uint8Array): Response {
  return new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } });
}

/**
 * /instances/{id}/content/...: walks tags and sequence items and answers raw value bytes;
 * below the pixel data, the index of a fragment (or 0 for native pixel data).
 */
function contentAnswer(dataset: DicomDataset, path: string[]): Response {
  let current = dataset;
  for (let i = 0; i < path.length; i++) {
    const tag = parseTagText(path[i]!);
    if (tag === undefined) throw new OrthancError("UnknownDicomTag");
    const element = findElement(current, tag);
    if (!element) throw new NotFoundWithoutBody();
    const next = path[i + 1];
    if (element.items) {
      if (next === undefined) return jsonResponse(element.items.map((_, k) => String(k)));
      const item = /^\d+$/.test(next) ? element.items[Number(next)] : undefined;
      if (!item) throw new NotFoundWithoutBody();
      i++;
      if (i === path.length - 1) return tagList(item);
      current = item;
      continue;
    }
    if (tag === Tags.PixelData && next !== undefined) {
      const k = /^\d+$/.test(next) ? Number(next) : -1;
      const fragments = element.fragments?.slice(1) ??
        [{ offset: element.offset, length: element.length }];
      const fragment = fragments[k];
      if (!fragment || i + 2 !== path.length) throw new NotFoundWithoutBody();
      return raw(current.source.bytes.subarray(fragment.offset, fragment.offset + fragment.length));
    }
    if (next !== undefined) throw new NotFoundWithoutBody();
    return raw(elementBytes(current, element));
  }
  return tagList(dataset);
}

export function instanceRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const instance = (c: Context<AppEnv>) => deps.core.resource(idParam(c), "Instance");

  route(app, "/instances/:id/file", {
    GET: async (c) => {
      const target = c.req.query("transcode");
      const { body, uuid } = target === undefined
        ? await deps.core.dicomDownload(instance(c))
        : { body: await transcoded(deps, instance(c), target), uuid: instance(c).publicId };
      const filename = c.req.query("filename") ?? `${uuid}.dcm`;
      return new Response(body, {
        headers: {
          "Content-Type": "application/dicom",
          "Content-Disposition": `filename="${filename.replace(/["\\\r\n]/g, "_")}"`,
        },
      });
    },
  });
  route(app, "/instances/:id/tags", {
    GET: async (c) => {
      const { parsed, decoding } = await readInstance(deps, instance(c));
      return jsonResponse(
        datasetToJson(parsed.dataset, decoding, tagsFormat((n) => c.req.query(n))),
      );
    },
  });
  route(app, "/instances/:id/simplified-tags", {
    GET: async (c) => {
      const { parsed, decoding } = await readInstance(deps, instance(c));
      return jsonResponse(datasetToJson(parsed.dataset, decoding, "simplify"));
    },
  });
  route(app, "/instances/:id/header", {
    GET: async (c) => {
      const { parsed, decoding } = await readInstance(deps, instance(c));
      // Orthanc leaves the binary elements (FileMetaInformationVersion) out of the header.
      const textual = (e: DicomElement) => !isBinaryVr(e.vr);
      return jsonResponse(
        datasetToJson(parsed.meta, decoding, tagsFormat((n) => c.req.query(n)), textual),
      );
    },
  });
  route(app, "/instances/:id/frames", {
    GET: async (c) => {
      const { parsed, decoding } = await readInstance(deps, instance(c));
      const n = frameCount(parsed.dataset, (e) => elementText(parsed.dataset, e, decoding));
      return jsonResponse(Array.from({ length: n }, (_, i) => i));
    },
  });
  const content: Handler = async (c) => {
    const { parsed } = await readInstance(deps, instance(c));
    const rest = c.req.path.split("/content")[1] ?? "";
    return contentAnswer(parsed.dataset, rest.split("/").filter((s) => s !== ""));
  };
  route(app, "/instances/:id/content", { GET: content });
  route(app, "/instances/:id/content/*", { GET: content });
  return app;
}
