// /tools/log-level and /tools/log-level-{generic,plugins,http,dicom,sqlite,jobs,lua}: Orthanc's
// verbosity of the log, read and changed while the server runs. The overall level reads as the
// most verbose category, and setting it sets them all, as in Orthanc 1.10.
import { Hono } from "hono";
import {
  currentVerbosity,
  LOG_CATEGORIES,
  type LogCategory,
  setVerbosity,
  VERBOSITIES,
  type Verbosity,
} from "../log.ts";
import { OrthancError } from "../server/errors.ts";
import type { AppEnv } from "./context.ts";
import { textResponse } from "./json.ts";
import { route } from "./router.ts";

function verbosityOf(text: string): Verbosity {
  const found = VERBOSITIES.find((v) => v === text);
  if (!found) {
    throw new OrthancError(
      "ParameterOutOfRange",
      `Verbosity can be "default", "verbose" or "trace": ${text}`,
    );
  }
  return found;
}

export function logLevelRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const levels: [string, LogCategory | undefined][] = [
    ["/tools/log-level", undefined],
    ...LOG_CATEGORIES.map((c): [string, LogCategory] => [`/tools/log-level-${c}`, c]),
  ];
  for (const [path, category] of levels) {
    route(app, path, {
      GET: () => textResponse(currentVerbosity(category)),
      PUT: async (c) => {
        setVerbosity(verbosityOf(await c.req.text()), category);
        return textResponse("");
      },
    });
  }
  return app;
}
