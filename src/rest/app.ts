// The REST API: hono routes behind Orthanc's access rules and error rendering.
import { Hono } from "hono";
import type { PluginHttpHooks } from "../plugins/http.ts";
import { OrthancError } from "../server/errors.ts";
import { registerAttachmentRoutes } from "./attachments.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { errorResponse } from "./errors.ts";
import { registerImageRoutes } from "./images.ts";
import { registerInstanceRoutes, uploadHandler } from "./instances.ts";
import { registerChangeRoutes } from "./changes.ts";
import { compressJson } from "./compression.ts";
import { registerJobRoutes } from "./jobs.ts";
import { registerLabelRoutes } from "./labels.ts";
import { registerMetadataRoutes } from "./metadata.ts";
import { registerModalityRoutes } from "./modalities.ts";
import { registerProtectionRoutes } from "./protection.ts";
import { registerResourceRoutes } from "./resources.ts";
import { registerSystemRoutes } from "./system.ts";
import { registerFindRoutes } from "./tools-find.ts";
import { registerWebDavRoutes } from "./webdav.ts";

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

  registerSystemRoutes(app, deps);
  registerResourceRoutes(app, deps, { Instance: { POST: uploadHandler(deps) } });
  registerInstanceRoutes(app, deps);
  registerImageRoutes(app, deps);
  registerMetadataRoutes(app, deps);
  registerAttachmentRoutes(app, deps);
  registerChangeRoutes(app, deps);
  registerProtectionRoutes(app, deps);
  registerFindRoutes(app, deps);
  registerLabelRoutes(app, deps);
  registerModalityRoutes(app, deps);
  registerJobRoutes(app, deps);
  registerWebDavRoutes(app, deps);
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
