// GET and DELETE /jobs/{id}, GET /jobs, POST /jobs/{id}/cancel|pause|resume|resubmit, and a job's
// outputs at GET and DELETE /jobs/{id}/{key}, over the jobs registry (server/jobs.ts).
import { type Context, Hono } from "hono";
import { BareStatusError, OrthancError } from "../server/errors.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { jsonResponse, textResponse } from "./json.ts";
import { route } from "./router.ts";
import { idParam } from "./params.ts";

export function jobRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { jobs } = deps;
  route(app, "/jobs", {
    GET: (c) => {
      const ids = jobs.ids();
      if (c.req.query("expand") === undefined) return jsonResponse(ids);
      return jsonResponse(ids.map((id) => jobs.json(jobs.get(id)!)));
    },
  });
  route(app, "/jobs/:id", {
    GET: (c) => {
      const job = jobs.get(idParam(c));
      // Orthanc's bare 404 for a job it does not know.
      if (!job) throw new BareStatusError(404);
      return jsonResponse(jobs.json(job));
    },
    // Orthanc 1.12: a completed job leaves the history.
    DELETE: (c) => {
      jobs.remove(idParam(c));
      return textResponse("");
    },
  });
  const output = (c: Context<AppEnv>, key: string) => {
    const found = jobs.output(idParam(c), key);
    const headers: Record<string, string> = { "Content-Type": found.contentType };
    if (found.filename) headers["Content-Disposition"] = `filename="${found.filename}"`;
    return new Response(found.body(), { headers });
  };
  // Orthanc answers "{}" (labelled without a charset) once the action is registered, and a bare
  // 400 when the job is unknown or not in a state the action applies to. A GET of an action's
  // path asks for an output of that name, as Orthanc routes it.
  for (const action of ["cancel", "pause", "resume", "resubmit"] as const) {
    route(app, `/jobs/:id/${action}`, {
      GET: (c) => output(c, action),
      POST: (c) => {
        try {
          jobs[action](idParam(c));
        } catch (error) {
          const refused = ["BadSequenceOfCalls", "UnknownResource"];
          if (error instanceof OrthancError && refused.includes(error.kind)) {
            throw new BareStatusError(400);
          }
          throw error;
        }
        return textResponse("{}", "application/json");
      },
    });
  }
  route(app, "/jobs/:id/:key", {
    GET: (c) => output(c, c.req.param("key") ?? ""),
    DELETE: (c) => {
      jobs.deleteOutput(idParam(c), c.req.param("key") ?? "");
      return textResponse("");
    },
  });
  return app;
}
