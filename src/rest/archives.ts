// Archives and DICOMDIR media over HTTP, as Orthanc 1.10.1 answers them (with the GET forms of
// /tools/create-* from the 1.12 contract): GET and POST /{patients,studies,series}/{id}/archive
// and /media, /tools/create-archive, /tools/create-media[-extended]. Synchronous answers stream
// the ZIP as it is written (server/archives.ts); a client that goes away stops the writing. An
// asynchronous job's ZIP is its output "archive" (GET /jobs/{id}/archive, served by rest/jobs.ts).
import { Hono } from "hono";
import { z } from "zod";
import { type Level, LEVEL_PATH } from "../dicom/levels.ts";
import { TransferSyntax } from "../dicom/uids.ts";
import {
  ArchiveJob,
  ArchiveOutputs,
  type ArchiveRequest,
  planArchive,
  writeArchive,
} from "../server/archives.ts";
import { zipResponseStream } from "../archive/zip-stream.ts";
import { OrthancError } from "../server/errors.ts";
import { anyJson, isJsonObject, readBody } from "./body.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { jsonResponse } from "./json.ts";
import { idParam } from "./params.ts";
import { route } from "./router.ts";

const KNOWN_SYNTAXES: ReadonlySet<string> = new Set(Object.values(TransferSyntax));

const expected = (kind: string, field: string) => `${kind} value expected in field: ${field}`;

/** The options of a POST body, each refused in Orthanc's words. */
const Options = z.object({
  Synchronous: z.boolean({ error: expected("Boolean", "Synchronous") }).optional(),
  Asynchronous: z.boolean({ error: expected("Boolean", "Asynchronous") }).optional(),
  Priority: z.number({ error: expected("Integer", "Priority") }).int({
    error: expected("Integer", "Priority"),
  }).optional(),
  Transcode: z.string({ error: expected("String", "Transcode") }).optional(),
  Extended: z.boolean({ error: expected("Boolean", "Extended") }).optional(),
  Filename: z.string({ error: expected("String", "Filename") }).optional(),
});
type Options = z.infer<typeof Options>;

const IDENTIFIERS = "Expected a list of strings (Orthanc identifiers)";
const Identifiers = z.array(z.string({ error: IDENTIFIERS }), { error: IDENTIFIERS });

function options(body: unknown): Options {
  if (!isJsonObject(body)) return {};
  const checked = Options.safeParse(body);
  if (!checked.success) throw new OrthancError("BadFileFormat", checked.error.issues[0]?.message);
  return checked.data;
}

function checkedSyntax(syntax: string | undefined): string | undefined {
  if (syntax !== undefined && !KNOWN_SYNTAXES.has(syntax)) {
    throw new OrthancError("ParameterOutOfRange", `Unknown transfer syntax: ${syntax}`);
  }
  return syntax;
}

/** Synchronous unless asked otherwise; "Synchronous" wins over "Asynchronous". */
const isSynchronous = (o: Options) => o.Synchronous ?? !(o.Asynchronous ?? false);

export function archiveRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const outputs = deps.archiveOutputs ?? new ArchiveOutputs(deps.config.MediaArchiveSize);
  const readers = { core: deps.core, transcoders: deps.codecs.transcoders };

  const answer = (request: ArchiveRequest, o: Options, filename: string): Response => {
    const plan = planArchive(deps.core, request);
    if (!isSynchronous(o)) {
      const job = deps.jobs.submit({
        type: request.media ? "Media" : "Archive",
        stepped: new ArchiveJob(readers, plan, outputs),
        priority: o.Priority ?? 0,
      });
      return jsonResponse({ ID: job.id, Path: `/jobs/${job.id}` });
    }
    return new Response(zipResponseStream(writeArchive(readers, plan)), {
      headers: zipHeaders(o.Filename ?? filename),
    });
  };

  for (const level of ["Patient", "Study", "Series"] as const satisfies Level[]) {
    for (const kind of ["archive", "media"] as const) {
      const media = kind === "media";
      route(app, `/${LEVEL_PATH[level]}/:id/${kind}`, {
        GET: (c) => {
          const id = idParam(c);
          deps.core.resource(id, level);
          return answer(
            {
              resources: [id],
              media,
              extended: media && c.req.query("extended") !== undefined,
              transcode: checkedSyntax(c.req.query("transcode")),
            },
            { Filename: c.req.query("filename") },
            `${id}.zip`,
          );
        },
        POST: async (c) => {
          const id = idParam(c);
          deps.core.resource(id, level);
          const body = await readBody(c, {
            notJson: { kind: "BadFileFormat" },
            refused: "BadFileFormat",
          }, anyJson);
          const o = options(body);
          return answer(
            {
              resources: [id],
              media,
              extended: media && (o.Extended ?? false),
              transcode: checkedSyntax(o.Transcode),
            },
            o,
            `${id}.zip`,
          );
        },
      });
    }
  }

  const tools = [
    ["create-archive", false, false],
    ["create-media", true, false],
    ["create-media-extended", true, true],
  ] as const;
  for (const [name, media, extendedByDefault] of tools) {
    route(app, `/tools/${name}`, {
      GET: (c) => {
        const resources = (c.req.query("resources") ?? "").split(",").filter((s) => s !== "");
        return answer(
          {
            resources,
            media,
            extended: extendedByDefault || (media && c.req.query("extended") !== undefined),
            transcode: checkedSyntax(c.req.query("transcode")),
          },
          { Filename: c.req.query("filename") },
          "Archive.zip",
        );
      },
      POST: async (c) => {
        const body = await readBody(
          c,
          {
            notJson: {
              kind: "BadFileFormat",
              details: "Expected a list of resources to archive in the body",
            },
            refused: "BadFileFormat",
          },
          anyJson,
        );
        let list: unknown = body;
        if (isJsonObject(body)) {
          if (!("Resources" in body)) {
            throw new OrthancError("BadFileFormat", "Missing field Resources in the JSON body");
          }
          list = body.Resources;
        }
        const resources = Identifiers.safeParse(list);
        if (!resources.success) throw new OrthancError("BadFileFormat", IDENTIFIERS);
        const o = options(body);
        return answer(
          {
            resources: resources.data,
            media,
            extended: media && (o.Extended ?? extendedByDefault),
            transcode: checkedSyntax(o.Transcode),
          },
          o,
          "Archive.zip",
        );
      },
    });
  }

  return app;
}

function zipHeaders(filename: string): Record<string, string> {
  return {
    "Content-Type": "application/zip",
    "Content-Disposition": `filename="${filename.replace(/["\\\r\n]/g, "_")}"`,
  };
}
