// Builds the browser client (client/) into the one page /ui/app/ serves: the script (preact and
// htm inside, minified) and the stylesheet inlined, so that the first paint waits for one
// request only. build.ts runs it when it compiles the executable; the server runs it on first
// use when started from the sources.
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
  // "</script" inside a string would end the element; "<\/script" is the same string.
  const code = (await script.text()).replaceAll("</script", "<\\/script");
  const css = await Bun.file(join(CLIENT, "styles.css")).text();
  const page = (await Bun.file(join(CLIENT, "index.html")).text())
    .replace('<link rel="stylesheet" href="app.css">', () => `<style>${css}</style>`)
    .replace(
      '<script type="module" src="app.js"></script>',
      () => `<script type="module">${code}</script>`,
    );
  if (page.includes('src="app.js"') || page.includes('href="app.css"')) {
    throw new Error("client/index.html no longer names app.js and app.css as bundle.ts expects");
  }
  return { "index.html": { body: page, type: "text/html; charset=utf-8" } };
}
