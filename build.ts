// Builds dist/pharos: one executable with the runtime, the code and its dependencies inside.
// `bun build.ts` builds for this machine; `bun build.ts --all` also cross-compiles the other
// targets whose Bun runtime can be obtained here.
import { mkdirSync } from "node:fs";
import { buildClient } from "./src/web/bundle.ts";

const TARGETS = {
  "linux-x64": { target: "bun-linux-x64", out: "dist/pharos-linux-x64" },
  "linux-arm64": { target: "bun-linux-arm64", out: "dist/pharos-linux-arm64" },
  "darwin-arm64": { target: "bun-darwin-arm64", out: "dist/pharos-darwin-arm64" },
  "windows-x64": { target: "bun-windows-x64", out: "dist/pharos-windows-x64.exe" },
} as const;

/**
 * fengari's luaconf.js exports the same names from several branches of an `if`, which Bun's
 * bundler refuses ("Invalid assignment target"); through Object.assign they stay plain CommonJS.
 */
const fengariLuaconf: Bun.BunPlugin = {
  name: "fengari-luaconf",
  setup(builder) {
    builder.onLoad({ filter: /fengari[\\/]src[\\/]luaconf\.js$/ }, async (args) => ({
      contents: (await Bun.file(args.path).text()).replace(
        /module\.exports\.(\w+) = (\w+);/g,
        "Object.assign(module.exports, { $1: $2 });",
      ),
      loader: "js",
    }));
  },
};

/** The web UI, built once, replaces src/web/embedded.ts: the executable serves it from memory. */
const webFiles = await buildClient();
const embedWebUi: Bun.BunPlugin = {
  name: "embed-web-ui",
  setup(builder) {
    builder.onLoad({ filter: /src[\\/]web[\\/]embedded\.ts$/ }, () => ({
      contents: `export const embeddedFiles = ${JSON.stringify(webFiles)};`,
      loader: "ts",
    }));
  },
};

async function build(target: string | undefined, outfile: string): Promise<boolean> {
  const result = await Bun.build({
    // The workers (an isolated plugin's, PluginsIsolation; Lua's; the image codecs', with their
    // WASM module; the PostgreSQL index's connection) are entry points of their own: the
    // executable embeds them for new Worker().
    entrypoints: [
      "./src/main.ts",
      "./src/plugins/isolation/worker-main.ts",
      "./src/lua/worker.ts",
      "./src/imaging/wasm/worker.ts",
      "./src/index/postgresql/worker.ts",
    ],
    compile: target ? { target: target as Bun.Build.CompileTarget, outfile } : { outfile },
    minify: true,
    plugins: [fengariLuaconf, embedWebUi],
    sourcemap: "linked",
  });
  for (const log of result.logs) console.error(log);
  return result.success;
}

mkdirSync("dist", { recursive: true });
if (!(await build(undefined, "dist/pharos"))) process.exit(1);
console.log(
  `built dist/pharos (web UI: ${
    Object.entries(webFiles).map(([name, file]) => `${name} ${file.body.length} bytes`).join(", ")
  })`,
);

if (process.argv.includes("--all")) {
  for (const [name, spec] of Object.entries(TARGETS)) {
    // Cross-compiling downloads that target's runtime; where it cannot be had, say so and go on.
    const ok = await build(spec.target, spec.out).catch((error) => {
      console.error(`skipped ${name}: ${(error as Error).message}`);
      return false;
    });
    if (ok) console.log(`built ${spec.out}`);
  }
}
