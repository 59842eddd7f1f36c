// The OHIF viewer (its static build, the dist/ folder of the npm package @ohif/app) opens a study
// from Pharos's DICOMweb server in headless Chromium and draws its first image. The package
// (50 MB) is fetched once with npm into the system's temporary folder, or taken from
// PHAROS_OHIF_DIST; without it (offline) or without Chromium the test is skipped, and says so.
// The viewer is served by a small static server that passes /dicom-web through to Pharos, so
// that the browser sees one origin, as a site deploying OHIF beside its archive does.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import type { Browser } from "puppeteer-core";
import { type InProcessServer, startInProcess } from "../support/in-process.ts";
import { samplesDir } from "../support/server.ts";
import { canvasContent, chromiumPath, launchBrowser, screenshot } from "../web/browser.ts";

const OHIF_VERSION = "3.13.2";
const BRAINIX_STUDY = "2.16.840.1.113669.632.20.1211.10000357775";

/** The viewer's dist/ folder, fetched with npm when missing; undefined when it cannot be had. */
async function ohifDist(): Promise<string | undefined> {
  const given = process.env.PHAROS_OHIF_DIST;
  if (given) return existsSync(join(given, "index.html")) ? given : undefined;
  const folder = join(tmpdir(), `pharos-ohif-app-${OHIF_VERSION}`);
  const dist = join(folder, "dist");
  if (existsSync(join(dist, "index.html"))) return dist;
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const run = async (command: string[]) => {
    const proc = Bun.spawn(command, { cwd: folder, stdout: "ignore", stderr: "ignore" });
    const timer = setTimeout(() => proc.kill(), 180_000);
    const code = await proc.exited;
    clearTimeout(timer);
    return code === 0;
  };
  const packed = await run(["npm", "pack", `@ohif/app@${OHIF_VERSION}`, "--silent"]);
  const tarball = readdirSync(folder).find((name) => name.endsWith(".tgz"));
  // Only the built viewer, without the optional ONNX runtime and microscopy viewer (100 MB).
  if (
    !packed || !tarball ||
    !await run([
      "tar",
      "xzf",
      tarball,
      "--strip-components=1",
      "--exclude=package/dist/ort",
      "--exclude=package/dist/dicom-microscopy-viewer",
      "package/dist",
    ])
  ) {
    rmSync(folder, { recursive: true, force: true });
    return undefined;
  }
  rmSync(join(folder, tarball));
  return dist;
}

/** The viewer's configuration: one DICOMweb data source, Pharos's, on the page's own origin. */
const APP_CONFIG = `window.config = {
  routerBasename: null,
  extensions: [],
  modes: [],
  showStudyList: true,
  maxNumberOfWebWorkers: 1,
  showCPUFallbackMessage: false,
  defaultDataSourceName: "pharos",
  dataSources: [{
    namespace: "@ohif/extension-default.dataSourcesModule.dicomweb",
    sourceName: "pharos",
    configuration: {
      friendlyName: "Pharos",
      name: "pharos",
      wadoUriRoot: "/wado",
      qidoRoot: "/dicom-web",
      wadoRoot: "/dicom-web",
      qidoSupportsIncludeField: false,
      imageRendering: "wadors",
      thumbnailRendering: "wadors",
      enableStudyLazyLoad: true,
      supportsFuzzyMatching: false,
      supportsWildcard: true,
      staticWado: false,
      singlepart: "bulkdata,video",
      omitQuotationForMultipartRequest: true,
      bulkDataURI: { enabled: true },
    },
  }],
};`;

/** The viewer's files, its configuration, and Pharos's DICOMweb routes on one origin. */
function serveViewer(dist: string, pharosUrl: string) {
  return Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname.startsWith("/dicom-web/") || url.pathname === "/wado") {
        return await fetch(`${pharosUrl}${url.pathname}${url.search}`, {
          method: request.method,
          headers: request.headers,
          body: request.body,
        });
      }
      if (url.pathname === "/app-config.js") {
        return new Response(APP_CONFIG, { headers: { "Content-Type": "text/javascript" } });
      }
      const path = normalize(join(dist, url.pathname));
      const file = Bun.file(path);
      if (path.startsWith(`${dist}/`) && await file.exists()) return new Response(file);
      // The viewer's own routes (/viewer?StudyInstanceUIDs=…) are its single page.
      return new Response(Bun.file(join(dist, "index.html")));
    },
  });
}

const dist = await ohifDist();
const chromium = chromiumPath();
const missing = !dist
  ? `@ohif/app ${OHIF_VERSION} could not be fetched with npm (offline?)`
  : !chromium
  ? "no Chromium (apt-get install chromium)"
  : undefined;
if (missing) console.warn(`Skipping the OHIF viewer test: ${missing}`);

describe.skipIf(missing !== undefined)("the OHIF viewer over Pharos's DICOMweb", () => {
  let server: InProcessServer;
  let viewer: ReturnType<typeof serveViewer>;
  let browser: Browser;

  beforeAll(async () => {
    server = await startInProcess({ config: { DicomWeb: { Enable: true } } });
    const flair = join(samplesDir, "Brainix/Flair");
    for (const name of readdirSync(flair).sort().slice(0, 5)) {
      const stored = await fetch(`${server.url}/instances`, {
        method: "POST",
        body: readFileSync(join(flair, name)),
      });
      expect(stored.status).toBe(200);
    }
    viewer = serveViewer(dist!, server.url);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await viewer?.stop(true);
    await server?.stop();
  });

  test("opens a study and draws its first image", async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 800 });
    await page.goto(`http://127.0.0.1:${viewer.port}/viewer?StudyInstanceUIDs=${BRAINIX_STUDY}`, {
      waitUntil: "domcontentloaded",
    });
    // The viewport's canvas, once the first frame is decoded and drawn: many grey levels.
    const deadline = Date.now() + 60_000;
    let drawn = { width: 0, height: 0, lit: 0, levels: 0 };
    while (drawn.levels < 50 && Date.now() < deadline) {
      await page.waitForSelector("canvas.cornerstone-canvas", { timeout: 60_000 });
      drawn = await canvasContent(page, "canvas.cornerstone-canvas");
      if (drawn.levels < 50) await Bun.sleep(250);
    }
    await screenshot(page, "ohif-brainix");
    expect(drawn.lit).toBeGreaterThan(10_000);
    expect(drawn.levels).toBeGreaterThan(50);
  }, 90_000);
});
