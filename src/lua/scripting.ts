// Lua scripting as Orthanc runs it: the scripts of `LuaScripts` load at startup into the main Lua
// context (engine.ts), `Initialize` runs, and each callback a script defines becomes a handler of
// the hook registry, owned by "the Lua scripts": Lua is one more client of the pipeline the ESM
// plugins use. POST /tools/execute-script runs in the same context. The instance filters run in a
// second context loaded with the same scripts, as in Orthanc 1.10.1. A callback's error is logged
// with Lua's `file:line`, and never loses the instance being stored: a failed filter lets it in; a
// failed find filter fails the C-FIND, as in Orthanc.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Configuration, ConfigurationError } from "../config/schema.ts";
import type { ParsedDicom } from "../dicom/parser.ts";
import { decodingOf } from "../dicom/summary.ts";
import { datasetToJson } from "../dicom/tags-json.ts";
import { log } from "../log.ts";
import type { PharosCore } from "../server/core.ts";
import { type QueryJson, queryJsonOf } from "../server/hooks.ts";
import { OrthancError } from "../server/errors.ts";
import type { Level } from "../dicom/levels.ts";
import type { RequestOrigin } from "../server/events.ts";
import { METADATA_NAMES } from "../server/model.ts";
import type { JobRegistry } from "../server/jobs.ts";
import { runCommands } from "./commands.ts";
import { LuaEngine, type RestCaller } from "./engine.ts";
import type { Json, LuaOutcome } from "./protocol.ts";

const OWNER = "the Lua scripts";
const CALLBACKS = [
  "Initialize",
  "Finalize",
  "OnStoredInstance",
  "OnStablePatient",
  "OnStableStudy",
  "OnStableSeries",
  "OnHeartBeat",
  "ReceivedInstanceFilter",
  "IncomingHttpRequestFilter",
  "IncomingCStoreInstanceFilter",
  "IncomingFindRequestFilter",
  "IncomingWorklistRequestFilter",
  "OutgoingFindRequestFilter",
  "OnJobSubmitted",
  "OnJobSuccess",
  "OnJobFailure",
] as const;

/**
 * The callbacks Orthanc 1.10.1 calls in its second Lua context, which loads the same scripts but
 * that execute-script never reaches (observed: a ReceivedInstanceFilter defined by execute-script
 * filters nothing, nor do its globals reach OnStoredInstance's).
 */
const INSTANCE_FILTERS = new Set(["ReceivedInstanceFilter", "IncomingCStoreInstanceFilter"]);

const JOB_CALLBACKS = {
  submitted: "OnJobSubmitted",
  success: "OnJobSuccess",
  failure: "OnJobFailure",
} as const;

const STABLE: Record<number, { callback: string; level: Level; path: string }> = {
  14: { callback: "OnStablePatient", level: "Patient", path: "patients" },
  15: { callback: "OnStableStudy", level: "Study", path: "studies" },
  16: { callback: "OnStableSeries", level: "Series", path: "series" },
};

/** Orthanc's `origin` table of the Lua callbacks. */
function originJson(origin: RequestOrigin): Json {
  const out: { [key: string]: Json } = { RequestOrigin: origin.kind };
  if (origin.remoteIp !== undefined) out.RemoteIp = origin.remoteIp;
  if (origin.kind === "RestApi") out.Username = origin.httpUsername ?? "";
  if (origin.remoteAet !== undefined) out.RemoteAet = origin.remoteAet;
  if (origin.calledAet !== undefined) out.CalledAet = origin.calledAet;
  return out;
}

export class LuaScripting {
  /** Started only when a script can run: LuaScripts or ExecuteLuaEnabled. */
  private readonly engine: LuaEngine | undefined;
  private readonly timeoutMs: number;
  private defined = new Set<string>();
  /** The filter context: started when the scripts define an instance filter. */
  private filters: LuaEngine | undefined;
  private filtersDefined = new Set<string>();
  /** The hooks registered so far: each one once its first callback is defined. */
  private readonly hooked = new Set<string>();
  private heartBeat: ReturnType<typeof setInterval> | undefined;
  private rest: RestCaller | undefined;
  /** The warm-up of OnStoredInstance's path, which the start waits for (worker.ts `warmUp`). */
  private warming: Promise<LuaOutcome> | undefined;

  constructor(
    private readonly config: Configuration,
    private readonly core: PharosCore,
    private readonly jobs: JobRegistry,
  ) {
    const needed = config.LuaScripts.length > 0 || config.ExecuteLuaEnabled;
    this.engine = needed ? new LuaEngine(config.raw as Json, config) : undefined;
    this.timeoutMs = config.LuaScriptTimeout * 1000;
  }

  /** Where the scripts' REST calls go; set once the REST API is built. */
  attachRest(rest: RestCaller): void {
    this.rest = rest;
    this.engine?.attachRest(rest);
  }

  /**
   * Loads `LuaScripts` in order; a script that does not load stops the start, naming it. Then,
   * if they define an instance filter, the same scripts in the filter context.
   */
  async load(): Promise<void> {
    if (!this.engine) return;
    const scripts: { file: string; source: Uint8Array }[] = [];
    for (const path of this.config.LuaScripts) {
      const file = resolve(this.config.configurationDirectory, path);
      let source: Uint8Array;
      try {
        source = readFileSync(file);
      } catch (error) {
        throw new ConfigurationError(
          `Cannot read the Lua script ${file}: ${(error as Error).message}`,
        );
      }
      await loadScript(this.engine, file, source);
      scripts.push({ file, source });
      log.warning(`Installed the Lua script: ${file}`);
    }
    await this.refreshCallbacks();
    await this.warming;
    if (![...INSTANCE_FILTERS].some((name) => this.defined.has(name))) return;
    this.filters = new LuaEngine(this.config.raw as Json, this.config);
    if (this.rest) this.filters.attachRest(this.rest);
    for (const { file, source } of scripts) await loadScript(this.filters, file, source);
    this.filtersDefined = await definedIn(this.filters);
    for (const name of this.filtersDefined) if (INSTANCE_FILTERS.has(name)) this.hook(name);
  }

  /** Which callbacks the context defines: at startup (execute-script answers them itself). */
  private async refreshCallbacks(): Promise<void> {
    if (this.engine) this.track(await definedIn(this.engine));
  }

  private track(defined: Set<string>): void {
    this.defined = defined;
    for (const name of defined) if (!INSTANCE_FILTERS.has(name)) this.hook(name);
  }

  /** After the server has started: Initialize, then the heart beat. */
  async started(): Promise<void> {
    if (this.defined.has("Initialize")) await this.call("Initialize", []);
    const period = this.config.LuaHeartBeatPeriod;
    if (period > 0 && this.engine) {
      this.heartBeat = setInterval(() => void this.call("OnHeartBeat", []), period * 1000);
    }
  }

  async stop(): Promise<void> {
    if (this.heartBeat) clearInterval(this.heartBeat);
    if (this.defined.has("Finalize")) await this.call("Finalize", []);
    await this.engine?.stop();
    await this.filters?.stop();
  }

  /** POST /tools/execute-script. */
  async execute(source: Uint8Array): Promise<Uint8Array> {
    if (!this.engine) throw new OrthancError("ForbiddenAccess");
    const outcome = await this.engine.run({
      type: "execute",
      source,
      timeoutMs: this.timeoutMs,
      names: [...CALLBACKS],
    });
    if (!outcome.ok) {
      log.error(`Lua error: ${outcome.error}`);
      throw new OrthancError("CannotExecuteLua", outcome.error);
    }
    // What the script defined takes effect before its commands run, as in Orthanc, which looks
    // a callback up at each event.
    this.track(new Set(outcome.defined));
    await this.commands(outcome);
    return outcome.output;
  }

  /**
   * Calls a callback (an instance filter in the filter context); its error is logged (with Lua's
   * file:line) and answered as undefined.
   */
  private async call(name: string, args: Json[]): Promise<Json | undefined> {
    const filter = INSTANCE_FILTERS.has(name);
    const engine = filter ? this.filters : this.engine;
    if (!engine || !(filter ? this.filtersDefined : this.defined).has(name)) return undefined;
    const outcome = await engine.run({ type: "call", name, args, timeoutMs: this.timeoutMs });
    return await this.finish(name, outcome);
  }

  /**
   * Calls a query filter: its answer, a table of strings by tag (or name), is the query; an error
   * or another answer rejects with Orthanc's error, which fails the C-FIND.
   */
  private async filterQuery(name: string, args: Json[], sequences: boolean): Promise<QueryJson> {
    const outcome = this.engine
      ? await this.engine.run({ type: "call", name, args, timeoutMs: this.timeoutMs })
      : { ok: false as const, error: "no Lua engine" };
    if (!outcome.ok) throw new OrthancError("CannotExecuteLua", `${name}: ${outcome.error}`);
    const answer = await this.finish(name, outcome);
    try {
      return queryJsonOf(answer, sequences);
    } catch {
      throw new OrthancError(
        "LuaBadOutput",
        answer !== null && typeof answer === "object"
          ? "Lua: The script must return a table mapping names of DICOM tags to strings"
          : "Lua: The script must return a table",
      );
    }
  }

  /** A callback's outcome: its error logged, its output logged, its commands run. */
  private async finish(name: string, outcome: LuaOutcome): Promise<Json | undefined> {
    if (!outcome.ok) {
      log.error(`Error in the Lua callback ${name}: ${outcome.error}`);
      return undefined;
    }
    if (outcome.output.length > 0) {
      log.warning(`Lua says: ${new TextDecoder().decode(outcome.output).trimEnd()}`);
    }
    await this.commands(outcome);
    return outcome.result;
  }

  private async commands(outcome: LuaOutcome & { ok: true }): Promise<void> {
    if (outcome.commands.length === 0 || !this.rest) return;
    try {
      await runCommands(outcome.commands, this.rest);
    } catch (error) {
      log.error(`Error in a Lua command: ${(error as Error).message}`);
    }
  }

  private async restJson(uri: string): Promise<Json> {
    if (!this.rest) return null;
    const response = await this.rest("GET", uri, { headers: {}, builtinOnly: true });
    return response.ok ? (await response.json() as Json) : null;
  }

  /** A resource's metadata by name, as GET /{level}/{id}/metadata?expand; null once deleted. */
  private metadataOf(id: string, level: Level): Json {
    try {
      const resource = this.core.resource(id, level);
      const users = Object.entries(this.config.UserMetadata);
      const out: { [name: string]: Json } = {};
      for (const [type, value] of this.core.resources.metadata(resource.internalId)) {
        const name = METADATA_NAMES[type] ?? users.find(([, n]) => n === type)?.[0] ?? String(type);
        out[name] = value;
      }
      return out;
    } catch {
      return null;
    }
  }

  private simplifiedTags(parsed: ParsedDicom): Json {
    const decoding = decodingOf(parsed, this.core.defaultEncoding);
    return datasetToJson(parsed.dataset, decoding, "simplify") as Json;
  }

  /**
   * Registers the hook a callback needs, the first time a script defines it (at startup, or later
   * through execute-script, as Orthanc allows): until then the hook costs nothing. The handler
   * returns at once while the callback is not defined (a script may set it to nil again).
   */
  private hook(callback: string): void {
    const kind = callback.startsWith("OnStable")
      ? "stable"
      : callback.startsWith("OnJob")
      ? "jobs"
      : callback;
    if (this.hooked.has(kind)) return;
    this.hooked.add(kind);
    const hooks = this.core.hooks;
    if (kind === "jobs") {
      this.jobs.addListener((event) => void this.call(JOB_CALLBACKS[event.kind], [event.id]));
    } else if (kind === "OnStoredInstance") {
      this.warming = this.engine?.run({ type: "warm-up" });
      hooks.register("storedInstance", OWNER, async (event) => {
        if (!this.defined.has("OnStoredInstance")) return;
        const engine = this.engine;
        if (!engine) return;
        // The bytes stay here until the call is done: the worker asks for them only if the script
        // reads the tags (posting them, even shared, cost more than the whole no-op call).
        const token = engine.hold(event.bytes);
        try {
          const outcome = await engine.run({
            type: "stored",
            instanceId: event.ids.instance,
            token,
            defaultEncoding: this.core.defaultEncoding,
            origin: originJson(event.origin),
            timeoutMs: this.timeoutMs,
          });
          await this.finish("OnStoredInstance", outcome);
        } finally {
          engine.release(token);
        }
      });
    } else if (kind === "stable") {
      hooks.register("change", OWNER, async (change) => {
        const target = STABLE[change.changeType];
        if (!target || !this.defined.has(target.callback)) return;
        const description = await this.restJson(`/${target.path}/${change.publicId}`);
        const tags = description && typeof description === "object" && !Array.isArray(description)
          ? description.MainDicomTags ?? null
          : null;
        const metadata = this.metadataOf(change.publicId, target.level);
        await this.call(target.callback, [change.publicId, tags, metadata]);
      });
    } else if (kind === "ReceivedInstanceFilter") {
      hooks.register("incomingInstance", OWNER, async (instance) => {
        const tags = this.simplifiedTags(instance.parsed);
        const info: Json = {
          HasPixelData: instance.parsed.dataset.elements.some((e) => e.tag === 0x7fe00010),
          TransferSyntaxUID: instance.parsed.transferSyntax,
        };
        const answer = await this.call("ReceivedInstanceFilter", [
          tags,
          originJson(instance.origin),
          info,
        ]);
        return answer !== false;
      });
    } else if (kind === "IncomingCStoreInstanceFilter") {
      hooks.register("incomingCStoreInstance", OWNER, async (instance) => {
        const tags = this.simplifiedTags(instance.parsed);
        const answer = await this.call("IncomingCStoreInstanceFilter", [
          tags,
          originJson(instance.origin),
        ]);
        // A DIMSE status, or a boolean: false refuses with 0xA700 (out of resources).
        if (typeof answer === "number") return answer;
        return answer === false ? 0xa700 : 0;
      });
    } else if (kind === "IncomingFindRequestFilter" || kind === "IncomingWorklistRequestFilter") {
      const hook = kind === "IncomingFindRequestFilter"
        ? "incomingFindRequest"
        : "incomingWorklistRequest";
      hooks.register(hook, OWNER, async ({ query, origin }) => {
        if (!this.defined.has(kind)) return query;
        const luaOrigin: Json = {
          CalledAet: origin.calledAet,
          Manufacturer: origin.manufacturer,
          RemoteAet: origin.remoteAet,
          RemoteIp: origin.remoteIp,
        };
        return await this.filterQuery(kind, [query, luaOrigin], hook === "incomingWorklistRequest");
      });
    } else if (kind === "OutgoingFindRequestFilter") {
      hooks.register("outgoingFindRequest", OWNER, async ({ query, modality }) => {
        if (!this.defined.has(kind)) return query;
        return await this.filterQuery(kind, [query, modality], false);
      });
    } else if (kind === "IncomingHttpRequestFilter") {
      hooks.register("incomingHttpRequest", OWNER, async (request) => {
        if (!this.defined.has("IncomingHttpRequestFilter")) return true;
        const answer = await this.call("IncomingHttpRequestFilter", [
          request.method,
          request.uri,
          request.ip,
          "",
          request.headers,
        ]);
        // A filter that fails or answers no boolean refuses, as a security filter must.
        return answer === true;
      });
    }
  }
}

async function loadScript(engine: LuaEngine, file: string, source: Uint8Array): Promise<void> {
  const outcome = await engine.run({ type: "load", chunkname: file, source });
  if (!outcome.ok) throw new ConfigurationError(`Cannot load the Lua script: ${outcome.error}`);
}

/** The callbacks a context defines. */
async function definedIn(engine: LuaEngine): Promise<Set<string>> {
  const found = await engine.run({ type: "defined", names: [...CALLBACKS] });
  return found.ok && Array.isArray(found.result)
    ? new Set(found.result.filter((n): n is string => typeof n === "string"))
    : new Set();
}
