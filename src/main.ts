// The composition root: Pharos is the parts built here, in the order they start (and the
// reverse order they stop). Run as a program, Orthanc's command line, then the servers, and a
// clean stop on SIGINT/SIGTERM; imported (tests), `composePharos` builds a server in-process.
import { writeFileSync } from "node:fs";
import packageJson from "../package.json" with { type: "json" };
import { defaultConfigurationText } from "./config/default-file.ts";
import type { Hono } from "hono";
import { httpSecurity } from "./config/http-security.ts";
import { loadConfiguration } from "./config/load.ts";
import { httpsOptions } from "./config/tls.ts";
import { type Configuration, ConfigurationError } from "./config/schema.ts";
import { dicomJobFactory } from "./dimse/jobs.ts";
import { peerJobFactory } from "./peers/store-job.ts";
import { PeerRegistry } from "./peers/registry.ts";
import { DicomWebServers } from "./dicomweb/client/servers.ts";
import { dicomWebJobFactory } from "./dicomweb/client/jobs.ts";
import { modificationJobFactory } from "./server/modification-job.ts";
import { studyJobFactory } from "./server/study-jobs.ts";
import { DicomNetwork } from "./dimse/network.ts";
import { type Codecs, createCodecs } from "./imaging/codecs.ts";
import { type IndexBackend, missingIndexMethods } from "./index/interface.ts";
import { ingestTranscoder } from "./imaging/ingest-transcoding.ts";
import { entryPoint } from "./entry-points.ts";
import { configureLogging, log } from "./log.ts";
import { installFaultPolicy } from "./plugins/fault-policy.ts";
import { LuaScripting } from "./lua/scripting.ts";
import { pluginHttpHooks } from "./plugins/http.ts";
import { pluginIndexBackend, type ProvidedIndex } from "./plugins/index-backend-phase.ts";
import { PluginManager } from "./plugins/manager.ts";
import { createApp } from "./rest/app.ts";
import { serveClient } from "./rest/client-request.ts";
import type { AppEnv } from "./rest/context.ts";
import { ArchiveOutputs } from "./server/archives.ts";
import { PharosCore } from "./server/core.ts";
import { ServerControl } from "./server/control.ts";
import { JobRegistry } from "./server/jobs.ts";
import { JobsSaver, restoreJobs } from "./server/jobs-saving.ts";

/**
 * The entry point of the workers of isolated plugins (PluginsIsolation), a second entry point of
 * the executable (build.ts).
 */
const ISOLATED_PLUGIN_WORKER = entryPoint(
  new URL("./plugins/isolation/worker-main.ts", import.meta.url),
  "plugins/isolation/worker-main.ts",
);

const USAGE = `Usage: pharos [OPTION]... [CONFIGURATION]
Pharos, an Orthanc-compatible DICOM server.

CONFIGURATION is a JSON file or a folder of JSON files (Orthanc's format). Without it,
Pharos starts on embedded defaults (HTTP 8042, storage in ./PharosStorage).

  --config=FILE    write the default configuration, commented, to FILE and exit
  --logdir=DIR     write the logs to a file in DIR instead of stderr
  --no-jobs        do not reload the jobs saved in the database
  --verbose        more logs
  --trace          even more logs
  --help           this help
  --version        the version
`;

interface CommandLine {
  configPath?: string;
  writeConfig?: string;
  logDir?: string;
  noJobs: boolean;
  verbose: boolean;
  trace: boolean;
  help: boolean;
  version: boolean;
}

function parseCommandLine(args: string[]): CommandLine {
  const out: CommandLine = {
    noJobs: false,
    verbose: false,
    trace: false,
    help: false,
    version: false,
  };
  for (const arg of args) {
    if (arg === "--help" || arg === "-h") out.help = true;
    else if (arg === "--version") out.version = true;
    else if (arg === "--verbose") out.verbose = true;
    else if (arg === "--trace") out.trace = true;
    else if (arg === "--no-jobs") out.noJobs = true;
    else if (arg.startsWith("--config=")) out.writeConfig = arg.slice("--config=".length);
    else if (arg.startsWith("--logdir=")) out.logDir = arg.slice("--logdir=".length);
    else if (arg.startsWith("--")) {
      throw new ConfigurationError(`Unknown command-line option: ${arg}`);
    } else out.configPath = arg;
  }
  return out;
}

export interface Pharos {
  config: Configuration;
  core: PharosCore;
  jobs: JobRegistry;
  codecs: Codecs;
  network: DicomNetwork;
  plugins: PluginManager;
  lua: LuaScripting;
  /** The REST API; `app.request()` serves a request in-process. */
  app: Hono<AppEnv>;
  /** Listens on HTTP (and DICOM when DicomServerEnabled); the ports actually bound. */
  start(): Promise<{ httpPort: number; dicomPort?: number }>;
  /** Saves the jobs, stops listening, lets the writes under way finish, closes the index. */
  stop(): Promise<void>;
  /** /tools/shutdown and /tools/reset, for whoever runs the server to act on. */
  control: ServerControl;
}

/** A plugin's index back-end, checked against the index interface. */
function providedIndex(provided: ProvidedIndex | undefined): IndexBackend | undefined {
  if (!provided) return undefined;
  const missing = missingIndexMethods(provided.backend);
  if (missing.length > 0) {
    throw new ConfigurationError(
      `The index of plugin "${provided.plugin}" lacks ${missing.join(", ")}`,
    );
  }
  log.warning(`The index is provided by plugin "${provided.plugin}"`);
  return provided.backend as IndexBackend;
}

/** Builds every part of a server from its configuration, in dependency order. */
export async function composePharos(
  config: Configuration,
  options: { noJobs?: boolean } = {},
): Promise<Pharos> {
  for (const warning of httpSecurity(config).warnings) log.warning(warning);
  // Read before anything starts: a certificate that cannot be read stops the start.
  const tls = httpsOptions(config, log.warning);
  // Plugins load in two phases: one may provide the index, which the core needs first.
  const core = new PharosCore(config, providedIndex(await pluginIndexBackend(config)));
  const jobs = new JobRegistry(config.ConcurrentJobs, config.JobsHistorySize);
  const codecs = createCodecs(
    config.BuiltinDecoderTranscoderOrder,
    config.DicomLossyTranscodingQuality,
  );
  if (config.IngestTranscoding !== undefined) {
    core.useIngestTranscoder(ingestTranscoder(codecs.transcoders, {
      target: config.IngestTranscoding,
      ofUncompressed: config.IngestTranscodingOfUncompressed,
      ofCompressed: config.IngestTranscodingOfCompressed,
    }));
  }
  const network = new DicomNetwork(core, config, codecs.transcoders, jobs);
  const plugins = new PluginManager(config, core, jobs, codecs, ISOLATED_PLUGIN_WORKER);
  // Built-in job types first, then the plugins' unserializers, as Orthanc looks them up.
  jobs.addFactory(dicomJobFactory(core, network));
  jobs.addFactory(peerJobFactory(core, codecs.transcoders, config));
  jobs.addFactory(dicomWebJobFactory(core, config));
  jobs.addFactory(
    modificationJobFactory(core, (dicom, syntax) => codecs.transcoders.transcode(dicom, [syntax])),
  );
  jobs.addFactory(studyJobFactory(core));
  jobs.addFactory((type, saved) => plugins.unserializeJob(type, saved));
  const peers = new PeerRegistry(config, core.properties);
  const control = new ServerControl();
  const lua = new LuaScripting(config, core, jobs);
  const archiveOutputs = new ArchiveOutputs(config.MediaArchiveSize);
  const app = createApp(
    {
      core,
      config,
      stability: core.stability,
      jobs,
      network,
      peers,
      dicomWebServers: new DicomWebServers(config, core.properties),
      codecs,
      control,
      lua,
      archiveOutputs,
      dicomWebBinary: plugins.dicomWebBinary,
    },
    pluginHttpHooks(plugins),
  );
  plugins.attachApp(app);
  lua.attachRest((method, uri, { headers, body, builtinOnly }) =>
    plugins.restCall(method, uri, { headers, body, afterPlugins: builtinOnly, origin: "Lua" })
  );
  await plugins.loadAll(config.PluginsFailOnError);
  plugins.installDimse(network);
  // After the plugins, as Orthanc loads its Lua scripts; a script that does not load stops here.
  await lua.load().catch(async (error) => {
    await lua.stop();
    throw error;
  });
  // After the plugins, whose storage area may hold the files a crash left behind.
  await core.removeOrphans();
  if (config.SaveJobs && !options.noJobs) {
    restoreJobs(jobs, core.properties);
  }
  const jobsSaver = config.SaveJobs ? new JobsSaver(jobs, core.properties) : undefined;

  let http: ReturnType<typeof Bun.serve> | undefined;
  // Orthanc's HttpRequestTimeout (CivetWeb's socket timeout); Bun's idle timeout stops at 255 s.
  const idleSeconds = Math.min(255, config.HttpRequestTimeout);
  let dicomListening = false;
  return {
    config,
    core,
    jobs,
    codecs,
    network,
    plugins,
    lua,
    app,
    control,
    async start() {
      http = Bun.serve({
        port: config.HttpPort,
        hostname: "0.0.0.0",
        maxRequestBodySize: 4 * 1024 * 1024 * 1024,
        idleTimeout: idleSeconds,
        tls,
        fetch: async (request, srv) => {
          // Bun's idle timeout would also cut a connection whose answer is still being worked
          // out: lifted while the request is served, and set again for the idle connection.
          srv.timeout(request, 0);
          try {
            return await serveClient(app, request, {
              remoteAddress: srv.requestIP(request)?.address,
            });
          } finally {
            srv.timeout(request, idleSeconds);
          }
        },
      });
      const dicomPort = config.DicomServerEnabled ? await network.start() : undefined;
      dicomListening = dicomPort !== undefined;
      plugins.started();
      await lua.started();
      return { httpPort: http.port ?? config.HttpPort, dicomPort };
    },
    async stop() {
      // The jobs are saved first, as they run: stopping the network fails the associations of
      // jobs that must run again at the next start. Then stop taking requests, let those under
      // way finish, and close the index.
      jobsSaver?.stop();
      if (dicomListening) network.stop();
      await http?.stop(false);
      await lua.stop();
      await plugins.stop();
      await archiveOutputs.clear();
      await core.close();
    },
  };
}

async function main(): Promise<number> {
  const cli = parseCommandLine(process.argv.slice(2));
  if (cli.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (cli.version) {
    process.stdout.write(`Pharos ${packageJson.version}\n`);
    return 0;
  }
  if (cli.writeConfig) {
    writeFileSync(cli.writeConfig, defaultConfigurationText());
    return 0;
  }
  configureLogging(cli);
  // From here on, an error nobody catches is logged and named after its plugin, never fatal.
  const loaded: { pharos?: Pharos } = {};
  installFaultPolicy(() => loaded.pharos?.plugins.plugins ?? []);
  const signalled = new Promise<"shutdown">((resolve) => {
    const stop = () => resolve("shutdown");
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  // POST /tools/reset stops every part and builds them again from the configuration read anew,
  // in the same process, as Orthanc restarts itself.
  for (;;) {
    const config = loadConfiguration(cli.configPath, log.warning);
    const pharos = loaded.pharos = await composePharos(config, { noJobs: cli.noJobs });
    const { httpPort, dicomPort } = await pharos.start();
    // The executable starts with the JIT held back for run-once startup code (build.ts); from here
    // the code that runs is the code that serves.
    Bun.unsafe.setJITPolicy(1);
    const scheme = config.SslEnabled ? "HTTPS" : "HTTP";
    log.warning(`Pharos ${packageJson.version} has started: ${scheme} on port ${httpPort}`);
    if (dicomPort !== undefined) {
      log.warning(`DICOM server listening with AET ${config.DicomAet} on port: ${dicomPort}`);
    }
    const request = await Promise.race([signalled, pharos.control.requested]);
    if (request === "restart") log.warning("Reset request received, restarting Pharos");
    log.warning("Pharos is stopping");
    await pharos.stop();
    log.warning("Pharos has stopped");
    if (request === "shutdown") return 0;
  }
}

if (import.meta.main) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      if (error instanceof ConfigurationError) {
        process.stderr.write(`E ${error.message}\n`);
      } else {
        process.stderr.write(
          `E Pharos failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
        );
      }
      process.exit(1);
    },
  );
}
