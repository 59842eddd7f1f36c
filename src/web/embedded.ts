// The web UI's files embedded in the executable. build.ts replaces this module with one that
// holds the built bundle; run from the sources, there is none and the UI is built on first use.
import type { WebFiles } from "./files.ts";

export const embeddedFiles: WebFiles | undefined = undefined;
