// Builds dist/pharos: one executable with the runtime, the code and its dependencies inside.
// `bun build.ts` builds for this machine; `bun build.ts --all` also cross-compiles the other
// targets whose Bun runtime can be obtained here.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

const STARTUP_JIT_POLICY = 64;

async function build(
  target: string | undefined,
  outfile: string,
  bytecodeOrder?: string,
): Promise<boolean> {
  const result = await Bun.build({
    // The workers (an isolated plugin's, PluginsIsolation; Lua's; the image codecs', with their
    // WASM module; DICOMweb metadata's; the PostgreSQL index's connection; the SQLite index's WAL
    // checkpointer) are entry points of their own: the executable embeds them for new Worker().
    entrypoints: [
      "./src/main.ts",
      "./src/plugins/isolation/worker-main.ts",
      "./src/lua/worker.ts",
      "./src/imaging/wasm/worker.ts",
      "./src/dicomweb/metadata-worker.ts",
      "./src/index/postgresql/worker.ts",
      "./src/index/sqlite/checkpointer-worker.ts",
    ],
    // Startup code runs once: JavaScriptCore compiles it 64 times less eagerly, until main.ts sets
    // the normal policy back once the server listens (startup CPU ~60 → ~35 ms, idle RSS -5 MiB).
    compile: target
      ? {
        target: target as Bun.Build.CompileTarget,
        outfile,
        jitPolicy: STARTUP_JIT_POLICY,
        bytecodeOrder,
      }
      : { outfile, jitPolicy: STARTUP_JIT_POLICY, bytecodeOrder },
    minify: true,
    // Precompiled to JavaScriptCore bytecode, which needs CommonJS: the executable no longer parses
    // its 1.6 MB of JavaScript at each start (startup CPU ~100 → ~60 ms).
    format: "cjs",
    bytecode: true,
    plugins: [fengariLuaconf, embedWebUi],
    sourcemap: "linked",
  });
  for (const log of result.logs) console.error(log);
  return result.success;
}

/**
 * Profile-guided layout of the bytecode: the executable just built starts once on an empty folder,
 * answers /system and stops, recording which functions a start runs (BUN_BYTECODE_ORDER_OUT);
 * built again with that record, it keeps them together at its front and reads less of itself at
 * each start (idle RSS -1.7 MiB). A start that cannot be recorded leaves the first build as it is.
 */
async function recordStart(binary: string, dir: string): Promise<string | undefined> {
  const order = join(dir, "start.order");
  const config = join(dir, "config.json");
  writeFileSync(
    config,
    JSON.stringify({
      HttpPort: 0,
      DicomPort: 0,
      StorageDirectory: join(dir, "storage"),
      IndexDirectory: join(dir, "storage"),
      AuthenticationEnabled: false,
    }),
  );
  const server = Bun.spawn([binary, config], {
    env: { ...process.env, BUN_BYTECODE_ORDER_OUT: order },
    stdout: "ignore",
    stderr: "pipe",
  });
  const deadline = setTimeout(() => server.kill(), 30_000);
  try {
    const port = await startedPort(server.stderr);
    if (port === undefined) return undefined;
    await fetch(`http://127.0.0.1:${port}/system`);
    server.kill("SIGINT");
    await server.exited;
    return existsSync(order) ? order : undefined;
  } finally {
    clearTimeout(deadline);
    server.kill();
  }
}

/** The HTTP port of "Pharos … has started: HTTP on port N" in the server's log. */
async function startedPort(log: ReadableStream<Uint8Array>): Promise<number | undefined> {
  let text = "";
  for await (const chunk of log.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    const started = /has started: HTTPS? on port (\d+)/.exec(text);
    if (started) return Number(started[1]);
  }
  return undefined;
}

mkdirSync("dist", { recursive: true });
if (!(await build(undefined, "dist/pharos"))) process.exit(1);
const scratch = mkdtempSync(join(tmpdir(), "pharos-build-"));
const startOrder = await recordStart("dist/pharos", scratch);
if (startOrder === undefined) console.error("warning: no start recorded, bytecode left unordered");
else if (!(await build(undefined, "dist/pharos", startOrder))) process.exit(1);
console.log(
  `built dist/pharos (web UI: ${
    Object.entries(webFiles).map(([name, file]) => `${name} ${file.body.length} bytes`).join(", ")
  })`,
);

if (process.argv.includes("--all")) {
  for (const [name, spec] of Object.entries(TARGETS)) {
    // Cross-compiling downloads that target's runtime; where it cannot be had, say so and go on.
    const ok = await build(spec.target, spec.out, startOrder).catch((error) => {
      console.error(`skipped ${name}: ${(error as Error).message}`);
      return false;
    });
    if (ok) console.log(`built ${spec.out}`);
  }
}
rmSync(scratch, { recursive: true, force: true });
