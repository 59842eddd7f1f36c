// POST /tools/create-dicom (new instances from JSON tags and a data URI payload, built by
// src/creating/ and stored through the store pipeline) and GET /instances/{id}/pdf (the document
// of an Encapsulated PDF instance), as Orthanc 1.10.1 answers them.
import { Hono } from "hono";
import { charsetOfEncoding } from "../dicom/charsets.ts";
import { elementBytes, findElement, latin1, parseDicom } from "../dicom/parser.ts";
import { CreateError } from "../creating/errors.ts";
import { type Inheritance, inheritFrom, type ParentLevel } from "../creating/modules.ts";
import {
  buildFiles,
  checkTags,
  type CreateRequest,
  readCreateRequest,
} from "../creating/request.ts";
import { EditError } from "../editing/errors.ts";
import { NotFoundWithoutBody, OrthancError } from "../server/errors.ts";
import type { Resource } from "../server/model.ts";
import { anyJson, type BodyFormat, readBody } from "./body.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { originOf, storeAnswer } from "./instances.ts";
import { jsonResponse } from "./json.ts";
import { idParam } from "./params.ts";
import { route } from "./router.ts";

/** Orthanc answers a body that is not JSON, or not an object, with its bare Bad request. */
const CREATE_JSON: BodyFormat = { notJson: { kind: "BadRequest" }, refused: "BadRequest" };

const rethrow = (e: unknown): never => {
  if (e instanceof CreateError || e instanceof EditError) throw new OrthancError(e.kind, e.details);
  throw e;
};

export function createDicomRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { core } = deps;

  /** The level of the Parent and what one of its instances gives a child. */
  const inheritance = async (parent: string): Promise<Inheritance & { level: ParentLevel }> => {
    const resource = core.resources.lookup(parent);
    if (!resource) throw new OrthancError("CreateDicomBadParent");
    if (resource.level === "Instance") throw new OrthancError("CreateDicomParentIsInstance");
    let instance: Resource = resource;
    while (instance.level !== "Instance") {
      const child = core.resources.children(instance.internalId)[0];
      if (!child) throw new OrthancError("CreateDicomBadParent");
      instance = child;
    }
    const level = resource.level as ParentLevel;
    return { level, ...inheritFrom(await core.dicomBytes(instance), level, core.defaultEncoding) };
  };

  route(app, "/tools/create-dicom", {
    POST: async (c) => {
      const body = await readBody(c, CREATE_JSON, anyJson);
      let request: CreateRequest;
      try {
        request = readCreateRequest(body);
      } catch (e) {
        return rethrow(e);
      }
      const parent = request.parent === undefined ? undefined : await inheritance(request.parent);
      let built: ReturnType<typeof buildFiles>;
      try {
        checkTags(request, parent?.level);
        built = buildFiles(request, {
          charset: charsetOfEncoding(core.defaultEncoding),
          now: new Date(),
          ...(parent ? { inheritance: parent } : {}),
        });
      } catch (e) {
        return rethrow(e);
      }
      const origin = originOf(c);
      const results = [];
      for (const file of built.files) results.push(await core.store(file, origin));
      if (!built.series) return jsonResponse(storeAnswer(results[0]!));
      const series = results[0]!.ids.series;
      return jsonResponse({ ID: series, Path: `/series/${series}`, Status: "Success" });
    },
  });

  route(app, "/instances/:id/pdf", {
    GET: async (c) => {
      const instance = core.resource(idParam(c), "Instance");
      const { dataset } = parseDicom(await core.dicomBytes(instance));
      // As the 1.12 documentation says: the document, if its MIME type is PDF's.
      const mime = findElement(dataset, 0x00420012);
      const document = findElement(dataset, 0x00420011);
      const isPdf = mime &&
        latin1(elementBytes(dataset, mime)).replace(/[\0 ]+$/, "") === "application/pdf";
      if (!isPdf || !document) throw new NotFoundWithoutBody();
      let pdf = elementBytes(dataset, document);
      // The document was padded to an even length with a zero byte.
      if (pdf.length > 0 && pdf[pdf.length - 1] === 0) pdf = pdf.subarray(0, pdf.length - 1);
      return new Response(pdf, { headers: { "Content-Type": "application/pdf" } });
    },
  });
  return app;
}
