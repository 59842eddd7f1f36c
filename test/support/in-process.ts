// Runs Pharos inside the test process (composePharos) over a temporary folder on a free port,
// configured exactly as startPharos configures a spawned one, to spare the tests a process start
// where the process adds nothing. Process-wide state is shared with every other server of the
// test run (log threshold, Dictionary entries, MaximumPduLength, loaded plugin modules): tests
// that set those, read the server's stderr, or kill or restart it keep startPharos. A DCMTK tool
// must be run asynchronously (dimse.ts `dcmtk`): a synchronous spawn would block the server.
import { rmSync } from "node:fs";
import { loadConfiguration } from "../../src/config/load.ts";
import { log } from "../../src/log.ts";
import { composePharos, type Pharos } from "../../src/main.ts";
import { prepareServer, type StartOptions, type TestServer } from "./server.ts";

export interface InProcessServer extends TestServer {
  /** The composed server: its parts, and `app.request()` for requests without a socket. */
  pharos: Pharos;
}

export interface InProcessOptions extends Pick<StartOptions, "config" | "dir" | "env"> {
  /** As `--no-jobs`: the jobs saved in the database are not reloaded. */
  noJobs?: boolean;
}

export async function startInProcess(options: InProcessOptions = {}): Promise<InProcessServer> {
  const { dir, port, url, configPath } = prepareServer(options);
  const config = loadConfiguration(configPath, log.warning, { ...process.env, ...options.env });
  const pharos = await composePharos(config, { noJobs: options.noJobs });
  await pharos.start();
  return {
    url,
    port,
    dir,
    pharos,
    async stop({ keep = false } = {}) {
      await pharos.stop();
      if (!keep && !options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
