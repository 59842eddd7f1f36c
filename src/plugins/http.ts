// The plugins' side of the REST API: HTTP filters and plugin routes (consulted before the
// built-in routes, as Orthanc does), /plugins, /plugins/{id}, /plugins/explorer.js and the
// metrics at /tools/metrics-prometheus.
import type { Context, Hono, MiddlewareHandler } from "hono";
import { log } from "../log.ts";
import type { AppEnv, RestDependencies } from "../rest/context.ts";
import type { RequestTrust } from "../rest/middleware/access.ts";
import { errorResponse } from "../rest/errors.ts";
import { jsonResponse, textResponse } from "../rest/json.ts";
import { route } from "../rest/router.ts";
import { answerDav } from "../webdav/protocol.ts";
import { NotFoundWithoutBody, OrthancError } from "../server/errors.ts";
import { describeError, HookFailure, type IncomingHttpRequest } from "../server/hooks.ts";
import { finishAnswer, pluginErrorJson } from "./answers.ts";
import { withDeadline } from "./deadline.ts";
import { ownerName, type PluginRoute, type PluginWebDav } from "./loaded-plugin.ts";
import type { PluginManager } from "./manager.ts";
import type { RouteMatch } from "./pharos-plugin.d.ts";
import { pluginBucket } from "./webdav.ts";

const MB = 1024 * 1024;

/** What the REST application asks of the plugin host. */
export interface PluginHttpHooks extends RequestTrust {
  /** HTTP filters and plugin routes; registered after authentication. */
  middleware: MiddlewareHandler<AppEnv>;
  /** /plugins…, /tools/metrics… */
  registerRoutes(app: Hono<AppEnv>, deps: RestDependencies): void;
}

function decodedPath(url: URL): string {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return url.pathname;
  }
}

export function pluginHttpHooks(manager: PluginManager): PluginHttpHooks {
  const describeErrors = manager.config.HttpDescribeErrors;
  const { hooks } = manager.core;

  /** A failure inside a plugin's callback: logged; Orthanc's 500 error JSON for the client. */
  const failure = (
    c: Context<AppEnv>,
    owner: string,
    what: string,
    error: unknown,
  ): Response => {
    if (error instanceof OrthancError) {
      return errorResponse(error, c.req.method, c.req.path, describeErrors);
    }
    log.error(
      `Error in the ${what} of ${owner} (${c.req.method} ${c.req.path}): ${describeError(error)}`,
    );
    if (!describeErrors) return new Response(null, { status: 500 });
    return pluginErrorJson(
      500,
      c.req.method,
      c.req.path,
      `Error in the ${what} of ${owner}: ${error instanceof Error ? error.message : String(error)}`,
    );
  };

  const runRoute = async (
    c: Context<AppEnv>,
    r: PluginRoute,
    match: RouteMatch,
  ): Promise<Response> => {
    const run = async () => {
      const answer = await withDeadline(
        () => r.handler(c.req.raw, match),
        manager.callbackTimeoutMs,
        `REST callback of ${ownerName(r.plugin)} (${c.req.method} ${c.req.path})`,
      );
      if (!(answer instanceof Response)) {
        throw new TypeError("the REST callback did not return a Response");
      }
      return finishAnswer(answer, c.req.method, c.req.path);
    };
    try {
      if (!r.queue) return await run();
      // Exclusive routes: one call at a time, in arrival order.
      const result = r.queue.then(run, run);
      r.queue = result.catch(() => undefined);
      return await result;
    } catch (error) {
      return failure(c, ownerName(r.plugin), "REST callback", error);
    }
  };

  /**
   * The plugin collection a path falls in (/<uri>/…, mounted where the plugin said, as Orthanc
   * does), and the items below its root; served by the built-in share's protocol code, as Orthanc
   * serves every bucket.
   */
  const webDavOf = (uri: string): { w: PluginWebDav; path: string[] } | undefined => {
    if (manager.webdav.length === 0) return undefined;
    const items = uri.split("/").filter((s) => s !== "");
    for (const w of manager.webdav) {
      if (w.items.every((item, i) => items[i] === item)) {
        return { w, path: items.slice(w.items.length) };
      }
    }
    return undefined;
  };

  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const internal = manager.internalRequests.get(c.req.raw);
    if (
      !hooks.has("incomingHttpRequest") && manager.routes.length === 0 &&
      manager.webdav.length === 0
    ) return await next();
    const url = new URL(c.req.url);
    const uri = decodedPath(url);
    const getArguments = Object.fromEntries(url.searchParams);
    if (!internal && hooks.has("incomingHttpRequest")) {
      const request: IncomingHttpRequest = {
        method: c.req.method,
        uri,
        ip: c.env?.remoteAddress ?? "127.0.0.1",
        headers: Object.fromEntries(c.req.raw.headers),
        getArguments,
      };
      let allowed: boolean;
      try {
        allowed = await hooks.decide("incomingHttpRequest", request);
      } catch (error) {
        if (error instanceof HookFailure) return failure(c, error.owner, error.label, error.reason);
        if (error instanceof OrthancError) {
          return errorResponse(error, c.req.method, c.req.path, describeErrors);
        }
        throw error;
      }
      if (!allowed) {
        const own = manager.filterAnswers.take(request);
        return own
          ? finishAnswer(own, c.req.method, c.req.path)
          : new Response(null, { status: 403 });
      }
    }
    if (!internal || internal.afterPlugins) {
      const dav = webDavOf(uri);
      if (dav) {
        const bucket = pluginBucket(dav.w.collection, dav.w.plugin.id);
        const root = `/${dav.w.items.join("/")}`;
        const answer = await answerDav(bucket, c.req.raw, uri, root, dav.path, describeErrors);
        // Not a WebDAV method (POST): on to the REST routes, as in Orthanc.
        if (answer) return answer;
      }
      for (const r of manager.routes) {
        const m = r.pattern.exec(uri);
        if (!m) continue;
        return await runRoute(c, r, {
          uri,
          groups: m.slice(1).map((g) => g ?? ""),
          named: { ...(m.groups ?? {}) } as Record<string, string>,
          getArguments,
          remoteIp: internal ? undefined : c.env?.remoteAddress,
          username: c.get("username"),
        });
      }
    }
    return await next();
  };

  const registerRoutes = (app: Hono<AppEnv>, deps: RestDependencies): void => {
    // Orthanc lists its own explorer.js first, then the plugins in the order of their ids.
    const byId = () =>
      [...manager.plugins].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    route(app, "/plugins", {
      GET: () => jsonResponse(["explorer.js", ...byId().map((p) => p.id)]),
    });
    route(app, "/plugins/explorer.js", {
      GET: () => {
        let script = "// Extensions to Orthanc Explorer by the registered plugins\n\n";
        for (const p of byId()) {
          // Orthanc 1.10 keeps the last script a plugin gave.
          const js = p.registrations.explorer.at(-1);
          if (js === undefined) continue;
          script += `/**\n * From plugin: ${p.id} (version ${p.version})\n **/\n\n${js}\n\n`;
        }
        return textResponse(script, "application/javascript");
      },
    });
    route(app, "/plugins/:id", {
      GET: (c) => {
        const p = manager.plugins.find((p) => p.id === c.req.param("id"));
        if (!p) throw new NotFoundWithoutBody();
        const body: Record<string, string | boolean> = {
          ExtendsOrthancExplorer: p.registrations.explorer.length > 0,
          ID: p.id,
          Path: p.path,
          Version: p.version,
        };
        if (p.description !== undefined) body.Description = p.description;
        if (p.rootUri !== undefined) body.RootUri = p.rootUri;
        return jsonResponse(body);
      },
    });
    route(app, "/tools/metrics", {
      GET: () => textResponse(manager.metrics.enabled ? "1" : "0"),
      PUT: async (c) => {
        const value = (await c.req.text()).trim().toLowerCase();
        if (!["0", "1", "true", "false"].includes(value)) {
          throw new OrthancError("ParameterOutOfRange", "The value must be 0 or 1");
        }
        manager.metrics.enabled = value === "1" || value === "true";
        return textResponse("");
      },
    });
    route(app, "/tools/metrics-prometheus", {
      GET: async () => {
        if (!manager.metrics.enabled) return textResponse("", "text/plain; version=0.0.4");
        const t = deps.core.resources.totals();
        manager.metrics.set("orthanc_count_patients", t.patients);
        manager.metrics.set("orthanc_count_studies", t.studies);
        manager.metrics.set("orthanc_count_series", t.series);
        manager.metrics.set("orthanc_count_instances", t.instances);
        manager.metrics.set("orthanc_disk_size_mb", t.compressedSize / MB);
        manager.metrics.set("orthanc_uncompressed_size_mb", t.uncompressedSize / MB);
        const jobs = deps.jobs.stateCounts();
        manager.metrics.set("orthanc_jobs_pending", jobs.pending);
        manager.metrics.set("orthanc_jobs_running", jobs.running);
        manager.metrics.set("orthanc_jobs_success", jobs.success);
        manager.metrics.set("orthanc_jobs_failed", jobs.failure);
        manager.metrics.set("orthanc_jobs_completed", jobs.success + jobs.failure);
        await manager.refreshMetrics();
        return textResponse(manager.metrics.prometheus(), "text/plain; version=0.0.4");
      },
    });
  };

  return {
    internal: (request) => manager.internalRequests.has(request),
    trusted: (request) => manager.trusted(request),
    middleware,
    registerRoutes,
  };
}
