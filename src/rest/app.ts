// The REST API: hono routes behind Orthanc's access rules and error rendering.
import { Hono } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import { httpSecurity } from "../config/http-security.ts";
import type { PluginHttpHooks } from "../plugins/http.ts";
import { OrthancError } from "../server/errors.ts";
import { archiveRoutes } from "./archives.ts";
import { attachmentRoutes } from "./attachments.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { errorResponse } from "./errors.ts";
import { createDicomRoutes } from "./create-dicom.ts";
import { bulkRoutes } from "./bulk.ts";
import { editingRoutes } from "./editing.ts";
import { studyJobRoutes } from "./study-jobs.ts";
import { reconstructRoutes } from "./reconstruct.ts";
import { imageRoutes } from "./images.ts";
import { instanceRoutes, uploadHandler } from "./instances.ts";
import { changeRoutes } from "./changes.ts";
import { jobRoutes } from "./jobs.ts";
import { labelRoutes } from "./labels.ts";
import { luaRoutes } from "./lua.ts";
import { accessControl } from "./middleware/access.ts";
import { compressJson } from "./middleware/compression.ts";
import { closeConnections } from "./middleware/keep-alive.ts";
import { metadataRoutes } from "./metadata.ts";
import { modalityRoutes } from "./modalities.ts";
import { peerRoutes } from "./peers.ts";
import { dicomWebServerRoutes } from "./dicomweb-servers.ts";
import { protectionRoutes } from "./protection.ts";
import { resourceRoutes } from "./resources.ts";
import { isRestMethod, route } from "./router.ts";
import { jsonResponse } from "./json.ts";
import { systemRoutes } from "./system.ts";
import { logLevelRoutes } from "./log-levels.ts";
import { findRoutes } from "./tools-find.ts";
import { requestUri, routingPath } from "./uri.ts";
import { webDavRoutes } from "./webdav.ts";
import { webRoutes } from "../web/routes.ts";
import { dicomWebRoutes } from "../dicomweb/routes.ts";

export function createApp(deps: RestDependencies, plugins?: PluginHttpHooks): Hono<AppEnv> {
  const { config } = deps;
  // The routes include patterns Hono's RegExpRouter refuses: its default SmartRouter tried it on
  // the first request (~10 ms lost) before settling on the TrieRouter, used here from the start.
  const app = new Hono<AppEnv>({ getPath: routingPath, router: new TrieRouter() });

  app.use(accessControl(httpSecurity(config), plugins));
  if (!config.KeepAlive) app.use(closeConnections());
  if (config.HttpCompressionEnabled) app.use(compressJson());
  // Plugins' HTTP filters and routes come before the built-in routes, as in Orthanc.
  if (plugins) app.use(plugins.middleware);

  const families = [
    webRoutes(config.OrthancExplorerEnabled),
    systemRoutes(deps),
    logLevelRoutes(),
    resourceRoutes(deps, { Instance: { POST: uploadHandler(deps) } }),
    instanceRoutes(deps),
    editingRoutes(deps),
    createDicomRoutes(deps),
    bulkRoutes(deps),
    studyJobRoutes(deps),
    reconstructRoutes(deps),
    imageRoutes(deps),
    metadataRoutes(deps),
    attachmentRoutes(deps),
    changeRoutes(deps),
    protectionRoutes(deps),
    findRoutes(deps),
    labelRoutes(deps),
    modalityRoutes(deps),
    peerRoutes(deps),
    dicomWebServerRoutes(deps),
    jobRoutes(deps),
    archiveRoutes(deps),
    webDavRoutes(deps),
    luaRoutes(deps),
    dicomWebRoutes(deps, deps.dicomWebBinary),
  ];
  // Mounted in this order, which is the order of precedence between overlapping paths.
  for (const family of families) app.route("/", family);
  // Orthanc lists the operations below /tools; these are the ones Pharos serves, read once all
  // the routes are in (the plugin host's /tools/metrics come after this one).
  let tools: string[] | undefined;
  route(app, "/tools", {
    GET: () =>
      jsonResponse(
        tools ??= [
          ...new Set(app.routes.flatMap((r) => /^\/tools\/([^/:*]+)$/.exec(r.path)?.[1] ?? [])),
        ].sort(),
      ),
  });
  plugins?.registerRoutes(app, deps);

  app.notFound((c) =>
    // A WebDAV method outside of the WebDAV buckets: Orthanc's bare 404.
    isRestMethod(c.req.method)
      ? errorResponse(
        new OrthancError("UnknownResource"),
        c.req.method,
        requestUri(c.req.raw),
        config.HttpDescribeErrors,
      )
      : new Response(null, { status: 404 })
  );
  app.onError((error, c) =>
    errorResponse(error, c.req.method, requestUri(c.req.raw), config.HttpDescribeErrors)
  );
  return app;
}
