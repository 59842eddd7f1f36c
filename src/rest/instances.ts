// Instance routes: upload (DICOM, ZIP, multipart) and what only instances have.
import { type Context, Hono } from "hono";
import { isZip, readZip, type ZipEntry, ZipFormatError } from "../archive/zip-reader.ts";
import { mayBeDicom, SNIFF_LENGTH } from "../dicom/sniff.ts";
import { dicomJson, DicomJsonError } from "../dicom/dicom-json.ts";
import { dicomXml } from "../dicom/dicom-xml.ts";
import { type DicomDataset, type DicomElement, findElement } from "../dicom/parser.ts";
import { Tags } from "../dicom/tag.ts";
import { datasetToJson, type JsonObject } from "../dicom/tags-json.ts";
import { elementText } from "../dicom/values.ts";
import { isBinaryVr } from "../dicom/vr.ts";
import type { Resource } from "../server/model.ts";
import { OrthancError } from "../server/errors.ts";
import type { RequestOrigin } from "../server/events.ts";
import type { StoreResult } from "../server/store.ts";
import { contentAnswer, contentPath } from "./content.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { announcedSize, inflatedHead, inflateUpload } from "./gzip-body.ts";
import { readInstance, tagsFormat } from "./instance-data.ts";
import { jsonResponse } from "./json.ts";
import type { Handler } from "./router.ts";
import { route } from "./router.ts";
import { idParam } from "./params.ts";
import { styledJson } from "./styled-json.ts";

/** GET /instances/{id}/file?transcode=: the stored file in another transfer syntax. */
async function transcoded(
  deps: RestDependencies,
  resource: Resource,
  syntax: string,
  lossyQuality: string | undefined,
): Promise<Uint8Array> {
  if (!/^[0-9]+(\.[0-9]+)*$/.test(syntax)) {
    throw new OrthancError("ParameterOutOfRange", `Unknown transfer syntax: ${syntax}`);
  }
  const quality = lossyQuality === undefined ? undefined : Number(lossyQuality);
  if (quality !== undefined && !(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw new OrthancError("ParameterOutOfRange", `Bad value for lossy-quality: ${lossyQuality}`);
  }
  const file = await deps.core.dicomBytes(resource);
  const out = await deps.codecs.transcoders.transcode(file, [syntax], false, quality);
  if (!out) throw new OrthancError("NotImplemented", `Cannot transcode to ${syntax}`);
  return out;
}

const DICOM_JSON = "application/dicom+json";
const DICOM_XML = "application/dicom+xml";

/**
 * GET /instances/{id}/file in DICOM JSON or XML, for an Accept header of exactly one of their
 * types (Orthanc matches the whole header: no list, parameter or other case). Undefined when the
 * instance cannot be written so: Orthanc then answers the file itself.
 */
async function dicomWebFile(
  deps: RestDependencies,
  resource: Resource,
  accept: string,
): Promise<Response | undefined> {
  let json;
  try {
    const { parsed, decoding } = await readInstance(deps, resource);
    json = dicomJson(parsed.dataset, decoding);
  } catch (error) {
    if (error instanceof DicomJsonError || error instanceof OrthancError) return undefined;
    throw error;
  }
  const body = accept === DICOM_JSON ? styledJson(json) : dicomXml(json);
  return new Response(body, { headers: { "Content-Type": accept } });
}

export function storeAnswer(result: StoreResult): JsonObject {
  return {
    ID: result.ids.instance,
    ParentPatient: result.ids.patient,
    ParentSeries: result.ids.series,
    ParentStudy: result.ids.study,
    Path: `/instances/${result.ids.instance}`,
    Status: result.status,
  };
}

export function originOf(c: Context<AppEnv>): RequestOrigin {
  if (c.env?.origin === "Lua") return { kind: "Lua" };
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
      const answers: JsonObject[] = [];
      // Entries are stored as they are read: a bad entry is a 400 that leaves the ones before it
      // stored, as in Orthanc.
      for (const entry of zipEntries(body)) {
        // Orthanc skips the entries that are not DICOM files; these are not even inflated.
        if (!mayBeDicom(zipRead(() => entry.head(SNIFF_LENGTH)))) continue;
        const result = await deps.core.store(zipRead(() => entry.read()), origin).catch((error) => {
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
    if (gzip && !mayBeDicom(inflatedHead(body, SNIFF_LENGTH))) {
      // What Orthanc answers once it has inflated such a body, told without inflating it.
      throw new OrthancError(
        "BadFileFormat",
        `Cannot parse an invalid DICOM file (size: ${announcedSize(body)} bytes)`,
      );
    }
    const dicom = gzip ? inflateUpload(body) : body;
    return jsonResponse(storeAnswer(await deps.core.store(dicom, origin)));
  };
}

/** The entries of an uploaded archive, or Orthanc's error for one it cannot open. */
function zipEntries(body: Uint8Array): ZipEntry[] {
  try {
    return readZip(body);
  } catch (error) {
    if (error instanceof ZipFormatError) {
      throw new OrthancError("BadFileFormat", "Cannot open ZIP archive from memory buffer");
    }
    throw error;
  }
}

/** Reads from an archive entry, or Orthanc's error for one it cannot read. */
function zipRead(read: () => Uint8Array): Uint8Array {
  try {
    return read();
  } catch (error) {
    if (error instanceof ZipFormatError) {
      throw new OrthancError(
        "BadFileFormat",
        "Invalid file or unsupported compression method (e.g. Deflate64)",
      );
    }
    throw error;
  }
}

/** Orthanc counts one frame even in an instance without pixel data. */
function frameCount(dataset: DicomDataset, text: (e: DicomElement) => string | undefined): number {
  const frames = findElement(dataset, Tags.NumberOfFrames);
  const n = frames ? parseInt(text(frames) ?? "", 10) : 1;
  return Number.isFinite(n) && n > 0 ? n : 1;
}

export function instanceRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const instance = (c: Context<AppEnv>) => deps.core.resource(idParam(c), "Instance");

  route(app, "/instances/:id/file", {
    GET: async (c) => {
      const accept = c.req.header("accept");
      if (accept === DICOM_JSON || accept === DICOM_XML) {
        const answer = await dicomWebFile(deps, instance(c), accept);
        if (answer) return answer;
      }
      const target = c.req.query("transcode");
      const { body, uuid } = target === undefined ? await deps.core.dicomDownload(instance(c)) : {
        body: await transcoded(deps, instance(c), target, c.req.query("lossy-quality")),
        uuid: instance(c).publicId,
      };
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
    return contentAnswer(parsed.dataset, contentPath(rest));
  };
  route(app, "/instances/:id/content", { GET: content });
  route(app, "/instances/:id/content/*", { GET: content });
  return app;
}
