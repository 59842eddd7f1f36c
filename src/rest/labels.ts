// Labels (Orthanc 1.12): /{level}/{id}/labels[/{label}] and /tools/labels.
import { type Context, Hono } from "hono";
import { type Level, LEVEL_PATH, LEVELS } from "../dicom/levels.ts";
import type { Resource } from "../server/model.ts";
import { NotFoundWithoutBody, OrthancError } from "../server/errors.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { jsonResponse, textResponse } from "./json.ts";
import { route } from "./router.ts";
import { idParam, param } from "./params.ts";

// Orthanc's rule: ASCII letters, digits, '_' and '-'; at most 64 characters because its MySQL
// back-end keys a column of that width on the label.
const VALID_LABEL = /^[A-Za-z0-9_-]{1,64}$/;

/** Throws Orthanc's ParameterOutOfRange (400) for a label Orthanc would refuse. */
export function checkLabel(label: string): string {
  if (!VALID_LABEL.test(label)) {
    throw new OrthancError(
      "ParameterOutOfRange",
      "A label must be a non-empty, alphanumeric string, possibly with '_' or '-' characters, " +
        `with maximum 64 characters, but got: ${label}`,
    );
  }
  return label;
}

export function labelRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const resource = (c: Context<AppEnv>, level: Level): Resource =>
    deps.core.resource(idParam(c), level);
  // The label is checked before the resource, so a bad label is a 400 even on an unknown id.
  const write = (c: Context<AppEnv>, level: Level, present: boolean): Response => {
    const label = checkLabel(param(c, "label"));
    if (present) deps.core.labels.add(idParam(c), level, label);
    else deps.core.labels.remove(idParam(c), level, label);
    return textResponse("");
  };

  for (const level of LEVELS) {
    const base = `/${LEVEL_PATH[level]}/:id/labels`;
    route(app, base, {
      GET: (c) => jsonResponse(deps.core.resources.labelsOf(resource(c, level).internalId)),
    });
    route(app, `${base}/:label`, {
      // An absent label is Orthanc's bare 404; an invalid one can only be absent.
      GET: (c) => {
        const r = resource(c, level);
        if (!deps.core.resources.hasLabel(r.internalId, param(c, "label"))) {
          throw new NotFoundWithoutBody();
        }
        return textResponse("");
      },
      PUT: (c) => write(c, level, true),
      DELETE: (c) => write(c, level, false),
    });
  }
  route(app, "/tools/labels", { GET: () => jsonResponse(deps.core.resources.allLabels()) });
  return app;
}
