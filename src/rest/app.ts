// The REST API: hono routes behind Orthanc's access rules and error rendering.
import { Hono } from "hono";
import type { PluginHttpHooks } from "../plugins/http.ts";
import { OrthancError } from "../server/errors.ts";
import { attachmentRoutes } from "./attachments.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { errorResponse } from "./errors.ts";
import { imageRoutes } from "./images.ts";
import { instanceRoutes, uploadHandler } from "./instances.ts";
import { changeRoutes } from "./changes.ts";
import { compressJson } from "./compression.ts";
import { jobRoutes } from "./jobs.ts";
import { labelRoutes } from "./labels.ts";
import { metadataRoutes } from "./metadata.ts";
import { modalityRoutes } from "./modalities.ts";
import { protectionRoutes } from "./protection.ts";
import { resourceRoutes } from "./resources.ts";
import { systemRoutes } from "./system.ts";
import { findRoutes } from "./tools-find.ts";
import { webDavRoutes } from "./webdav.ts";

function isLoopback(address: string | undefined): boolean {
  if (!address) return true;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

function credentials(header: string | undefined): { user: string; password: string } | undefined {
  if (!header?.startsWith("Basic ")) return undefined;
  const decoded = atob(header.slice(6).trim());
  const colon = decoded.indexOf(":");
  return colon < 0
    ? undefined
    : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function createApp(deps: RestDependencies, plugins?: PluginHttpHooks): Hono<AppEnv> {
  const { config } = deps;
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    if (!config.RemoteAccessAllowed && !isLoopback(c.env?.remoteAddress)) {
      return new Response(null, { status: 403 });
    }
    if (config.AuthenticationEnabled && !plugins?.trusted(c.req.raw)) {
      let given: { user: string; password: string } | undefined;
      try {
        given = credentials(c.req.header("authorization"));
      } catch {
        given = undefined;
      }
      if (!given || config.RegisteredUsers[given.user] !== given.password) {
        return new Response(null, {
          status: 401,
          headers: { "WWW-Authenticate": 'Basic realm="Orthanc Secure Area"' },
        });
      }
      c.set("username", given.user);
    }
    await next();
  });
  if (config.HttpCompressionEnabled) app.use(compressJson());
  // Plugins' HTTP filters and routes come before the built-in routes, as in Orthanc.
  if (plugins) app.use(plugins.middleware);

  const families = [
    systemRoutes(deps),
    resourceRoutes(deps, { Instance: { POST: uploadHandler(deps) } }),
    instanceRoutes(deps),
    imageRoutes(deps),
    metadataRoutes(deps),
    attachmentRoutes(deps),
    changeRoutes(deps),
    protectionRoutes(deps),
    findRoutes(deps),
    labelRoutes(deps),
    modalityRoutes(deps),
    jobRoutes(deps),
    webDavRoutes(deps),
  ];
  // Mounted in this order, which is the order of precedence between overlapping paths.
  for (const family of families) app.route("/", family);
  plugins?.registerRoutes(app, deps);

  app.notFound((c) =>
    errorResponse(
      new OrthancError("UnknownResource"),
      c.req.method,
      c.req.path,
      config.HttpDescribeErrors,
    )
  );
  app.onError((error, c) =>
    errorResponse(error, c.req.method, c.req.path, config.HttpDescribeErrors)
  );
  return app;
}
