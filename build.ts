// Builds dist/pharos: one executable with the runtime, the code and its dependencies inside.
// `bun build.ts` builds for this machine; `bun build.ts --all` also cross-compiles the other
// targets whose Bun runtime can be obtained here.
import { mkdirSync } from "node:fs";

const TARGETS = {
  "linux-x64": { target: "bun-linux-x64", out: "dist/pharos-linux-x64" },
  "linux-arm64": { target: "bun-linux-arm64", out: "dist/pharos-linux-arm64" },
  "darwin-arm64": { target: "bun-darwin-arm64", out: "dist/pharos-darwin-arm64" },
  "windows-x64": { target: "bun-windows-x64", out: "dist/pharos-windows-x64.exe" },
} as const;

async function build(target: string | undefined, outfile: string): Promise<boolean> {
  const result = await Bun.build({
    // The worker of an isolated plugin (PluginsIsolation) is an entry point of its own.
    entrypoints: ["./src/main.ts", "./src/plugins/isolation/worker-main.ts"],
    compile: target ? { target: target as Bun.Build.CompileTarget, outfile } : { outfile },
    minify: true,
    sourcemap: "linked",
  });
  for (const log of result.logs) console.error(log);
  return result.success;
}

mkdirSync("dist", { recursive: true });
if (!(await build(undefined, "dist/pharos"))) process.exit(1);
console.log("built dist/pharos");

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
