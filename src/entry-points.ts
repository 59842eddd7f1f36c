// Where the executable's other entry points (the workers build.ts embeds) are: beside the module
// that starts them in the sources, at the root of the embedded files once compiled. The compiled
// code is CommonJS bytecode, where import.meta.url is the source path fixed at build time, so the
// executable is recognised by Bun.main, an embedded path in the main thread and in workers alike.

const EMBEDDED_ROOT = "file:///$bunfs/root/";

/** The entry point's URL: `fromSources` when run from the sources, `embedded` when compiled. */
export function entryPoint(fromSources: URL, embedded: string): URL {
  return Bun.main.startsWith("/$bunfs/") ? new URL(embedded, EMBEDDED_ROOT) : fromSources;
}
