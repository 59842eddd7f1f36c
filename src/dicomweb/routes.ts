// The DICOMweb server's routes (QIDO-RS, WADO-RS, STOW-RS under DicomWeb.Root, WADO-URI under
// DicomWeb.WadoRoot), mounted by rest/app.ts when DicomWeb.Enable is set.
import { Hono } from "hono";
import type { DicomJsonDataset } from "../dicom/dicom-json.ts";
import { dicomXml } from "../dicom/dicom-xml.ts";
import { mediaParameters, multipartResponse, splitOutsideQuotes } from "./multipart.ts";
import type { AppEnv, RestDependencies } from "../rest/context.ts";
import { originOf } from "../rest/instances.ts";
import { route } from "../rest/router.ts";
import { log } from "../log.ts";
import { OrthancError } from "../server/errors.ts";
import { ChangeType } from "../server/model.ts";
import type { BinaryModes } from "./binary-modes.ts";
import { dicomJsonResponse, dicomJsonTextResponse } from "./json.ts";
import { MetadataCache } from "./metadata-cache.ts";
import { dicomWebOptions } from "./options.ts";
import { qido, QidoAttributeCache, type QidoLevel, qidoQuery } from "./qido.ts";
import { stow } from "./stow.ts";
import { type ResourceUids, webBase } from "./urls.ts";
import {
  instancesOf,
  retrieveBulk,
  retrieveFrames,
  retrieveInstances,
  retrieveRendered,
} from "./wado.ts";
import { wadoUri } from "./wado-uri.ts";

const jsonAnswer = (value: DicomJsonDataset[]) => dicomJsonResponse(value);

const xmlAnswer = (value: DicomJsonDataset[]) =>
  multipartResponse(
    value.map((dataset) => ({
      contentType: "application/dicom+xml",
      body: new TextEncoder().encode(dicomXml(dataset)),
    })),
    "application/dicom+xml",
  );

/**
 * Whether the answer is asked in XML (PS3.19 Native DICOM Model): the plugin reads
 * `multipart/related; type="application/dicom+xml"` for metadata, but only a bare
 * `application/dicom+xml` for QIDO-RS.
 */
function wantsXml(accept: string | undefined, multipartToo: boolean): boolean {
  return splitOutsideQuotes(accept ?? "", ",").some((entry) => {
    const { type, params } = mediaParameters(entry);
    return type === "application/dicom+xml" ||
      (multipartToo && type === "multipart/related" &&
        params.get("type")?.toLowerCase() === "application/dicom+xml");
  });
}

export function dicomWebRoutes(deps: RestDependencies, binaryModes?: BinaryModes): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const options = dicomWebOptions(deps.config);
  if (!options.Enable) return app;
  const root = options.Root.replace(/\/$/, "");
  for (const name of ["StudiesMetadata", "SeriesMetadata"] as const) {
    // The plugin's cheaper modes trade exactness for speed; the metadata cache makes "Full" fast.
    if (options[name] !== "Full") {
      log.warning(`DicomWeb.${name} "${options[name]}" is not honoured: Pharos answers "Full"`);
    }
  }
  const attributeCache = new QidoAttributeCache();
  const cache = new MetadataCache(deps, options.EnableMetadataCache, binaryModes);
  // The metadata workers start with the first DICOMweb request (a viewer's first QIDO comes before
  // its metadata calls): started with the first stored series, they cost an ingest 0.15-0.2 ms
  // of CPU an instance over 1,000 instances, DICOMweb used or not.
  app.use(`${root}/*`, async (_c, next) => {
    cache.prepare();
    await next();
  });
  deps.core.hooks.register("change", "the DICOMweb metadata cache", async (change) => {
    if (change.changeType !== ChangeType.StableSeries) return;
    const series = deps.core.resources.lookup(change.publicId);
    if (series) await cache.warm(series);
  });

  const uidsFrom = (params: Record<string, string>): ResourceUids => {
    const uids: ResourceUids = { study: params.study! };
    if (params.series !== undefined) uids.series = params.series;
    if (params.instance !== undefined) uids.instance = params.instance;
    return uids;
  };

  const qidoRoute = (path: string, level: QidoLevel) =>
    route(app, `${root}${path}`, {
      GET: async (c) => {
        const query = qidoQuery(new URL(c.req.url).searchParams);
        const params = c.req.param() as Record<string, string>;
        if (params.study !== undefined) query.constraints.set(0x0020000d, params.study);
        if (params.series !== undefined) query.constraints.set(0x0020000e, params.series);
        const answer = await qido(deps, level, query, webBase(options, c.req.raw), attributeCache);
        return wantsXml(c.req.header("accept"), false) ? xmlAnswer(answer) : jsonAnswer(answer);
      },
      ...(path === "/studies" || path === "/studies/:study"
        ? {
          POST: (c) =>
            stow(deps, c.req.raw, c.req.param("study"), webBase(options, c.req.raw), originOf(c)),
        }
        : {}),
    });

  qidoRoute("/studies", "Study");
  qidoRoute("/series", "Series");
  qidoRoute("/instances", "Instance");
  qidoRoute("/studies/:study/series", "Series");
  qidoRoute("/studies/:study/instances", "Instance");
  qidoRoute("/studies/:study/series/:series/instances", "Instance");

  const levels = [
    "/studies/:study",
    "/studies/:study/series/:series",
    "/studies/:study/series/:series/instances/:instance",
  ];
  for (const path of levels) {
    const isStudy = path === levels[0];
    route(app, `${root}${path}`, {
      GET: (c) =>
        retrieveInstances(
          deps,
          instancesOf(deps, uidsFrom(c.req.param() as Record<string, string>)),
          c.req.header("accept"),
        ),
      ...(isStudy
        ? {
          POST: (c) =>
            stow(deps, c.req.raw, c.req.param("study"), webBase(options, c.req.raw), originOf(c)),
        }
        : {}),
    });
    route(app, `${root}${path}/metadata`, {
      GET: async (c) => {
        const instances = instancesOf(deps, uidsFrom(c.req.param() as Record<string, string>));
        const base = webBase(options, c.req.raw);
        const texts = await cache.texts(instances, base);
        if (wantsXml(c.req.header("accept"), true)) {
          return xmlAnswer(texts.map((text) => JSON.parse(text) as DicomJsonDataset));
        }
        return dicomJsonTextResponse(`[${texts.join(",")}]`);
      },
    });
    // The plugin (1.7) has no thumbnail resource (404); PS3.18's is the rendered first image.
    for (const what of ["rendered", "thumbnail"]) {
      route(app, `${root}${path}/${what}`, {
        GET: (c) => {
          const [first] = instancesOf(deps, uidsFrom(c.req.param() as Record<string, string>));
          if (!first) throw new OrthancError("UnknownResource");
          return retrieveRendered(deps, first, 0, c.req.header("accept"), c.req.query("quality"));
        },
      });
    }
  }
  const instancePath = `${root}${levels[2]}`;
  const oneInstance = (params: Record<string, string>) => instancesOf(deps, uidsFrom(params))[0]!;
  route(app, `${instancePath}/frames/:frames`, {
    GET: (c) =>
      retrieveFrames(
        deps,
        oneInstance(c.req.param() as Record<string, string>),
        c.req.param("frames") ?? "",
        c.req.header("accept"),
        webBase(options, c.req.raw),
      ),
  });
  route(app, `${instancePath}/frames/:frame/rendered`, {
    GET: (c) => {
      const frame = c.req.param("frame") ?? "";
      if (!/^\d+$/.test(frame) || Number(frame) < 1) {
        throw new OrthancError("BadRequest", `Not a valid frame number: ${frame}`);
      }
      return retrieveRendered(
        deps,
        oneInstance(c.req.param() as Record<string, string>),
        Number(frame) - 1,
        c.req.header("accept"),
        c.req.query("quality"),
      );
    },
  });
  app.get(`${instancePath}/bulk/*`, (c) => {
    const params = c.req.param() as Record<string, string>;
    const prefix =
      `${root}/studies/${params.study}/series/${params.series}/instances/${params.instance}/bulk/`;
    const path = decodeURIComponent(new URL(c.req.url).pathname).slice(prefix.length).split("/");
    return retrieveBulk(deps, oneInstance(params), path);
  });

  if (options.EnableWado) {
    route(app, options.WadoRoot, { GET: (c) => wadoUri(deps, new URL(c.req.url).searchParams) });
  }
  return app;
}
