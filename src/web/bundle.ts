// Builds the browser client (client/) into the files /ui/app/ serves: the page, one minified
// script with preact and htm inside, and the stylesheet. build.ts runs it when it compiles the
// executable; the server runs it on first use when started from the sources.
import { join } from "node:path";
import type { WebFiles } from "./files.ts";

const CLIENT = join(import.meta.dir, "client");

export async function buildClient(): Promise<WebFiles> {
  const result = await Bun.build({
    entrypoints: [join(CLIENT, "main.ts")],
    target: "browser",
    minify: true,
    format: "esm",
  });
  if (!result.success) {
    throw new AggregateError(result.logs, "the web UI does not build");
  }
  const script = result.outputs.find((o) => o.kind === "entry-point");
  if (!script) throw new Error("the web UI's build has no script");
  return {
    "index.html": {
      body: await Bun.file(join(CLIENT, "index.html")).text(),
      type: "text/html; charset=utf-8",
    },
    "app.js": { body: await script.text(), type: "text/javascript; charset=utf-8" },
    "app.css": {
      body: await Bun.file(join(CLIENT, "styles.css")).text(),
      type: "text/css; charset=utf-8",
    },
  };
}
