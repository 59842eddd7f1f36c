// /system, /statistics and /tools/*.
import { Hono } from "hono";
import { conformanceStatement } from "../dimse/conformance.ts";
import { httpSecurity } from "../config/http-security.ts";
import { isEncoding } from "../dicom/charsets.ts";
import { generateUid, type UidLevel } from "../dicom/uid.ts";
import { NotFoundWithoutBody, OrthancError } from "../server/errors.ts";
import { isoNow, isoNowLocal } from "../server/time.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { jsonResponse, textResponse } from "./json.ts";
import { route } from "./router.ts";

const MB = 1024 * 1024;
/** The Orthanc release whose REST behaviour Pharos reproduces. */
export const ORTHANC_COMPATIBLE_VERSION = "1.10.1";

export function systemRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { config } = deps;
  route(app, "/system", {
    GET: () =>
      jsonResponse({
        ApiVersion: 16,
        CheckRevisions: false,
        DatabaseBackendPlugin: null,
        DatabaseVersion: 6,
        DicomAet: config.DicomAet,
        DicomPort: config.DicomPort,
        HttpPort: config.HttpPort,
        IsHttpServerSecure: httpSecurity(config).secure,
        Name: config.Name,
        PluginsEnabled: true,
        StorageAreaPlugin: null,
        Version: ORTHANC_COMPATIBLE_VERSION,
      }),
  });
  route(app, "/statistics", {
    GET: () => {
      const t = deps.core.resources.totals();
      return jsonResponse({
        CountInstances: t.instances,
        CountPatients: t.patients,
        CountSeries: t.series,
        CountStudies: t.studies,
        TotalDiskSize: String(t.compressedSize),
        TotalDiskSizeMB: Math.floor(t.compressedSize / MB),
        TotalUncompressedSize: String(t.uncompressedSize),
        TotalUncompressedSizeMB: Math.floor(t.uncompressedSize / MB),
      });
    },
  });
  route(app, "/tools/now", { GET: () => textResponse(isoNow()) });
  route(app, "/tools/now-local", { GET: () => textResponse(isoNowLocal()) });
  route(app, "/tools/generate-uid", {
    GET: (c) => {
      const level = (c.req.query("level") ?? "").toLowerCase();
      if (!["patient", "study", "series", "instance"].includes(level)) {
        throw new NotFoundWithoutBody();
      }
      return textResponse(generateUid(level as UidLevel));
    },
  });
  route(app, "/tools/dicom-conformance", {
    GET: () =>
      textResponse(conformanceStatement({
        acceptedSyntaxes: deps.network.acceptedSyntaxes,
        unknownSopClassAccepted: deps.network.unknownSopClassAccepted,
        worklistsEnabled: deps.network.worklists.enabled,
      })),
  });
  // Orthanc answers {} and then stops, or restarts with its configuration read again.
  route(app, "/tools/shutdown", {
    POST: () => {
      deps.control.request("shutdown");
      return textResponse("{}", "application/json");
    },
  });
  route(app, "/tools/reset", {
    POST: () => {
      deps.control.request("restart");
      return textResponse("{}", "application/json");
    },
  });
  route(app, "/tools/default-encoding", {
    GET: () => textResponse(deps.core.defaultEncoding),
    PUT: async (c) => {
      const name = (await c.req.text()).trim();
      if (!isEncoding(name)) {
        throw new OrthancError("ParameterOutOfRange", `Unknown encoding: ${name}`);
      }
      deps.core.defaultEncoding = name;
      // Orthanc answers the encoding now in force.
      return textResponse(name);
    },
  });
  return app;
}
