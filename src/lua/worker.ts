// The Lua worker: holds Orthanc's one Lua context (fengari) in a thread of its own, so that the
// server goes on answering while a script runs. Work comes one message at a time, so the context
// is serialized as in Orthanc. The functions a script calls synchronously (RestApiGet, HttpGet…)
// post a request on the port and block on Atomics.wait until the main thread answers; while
// blocked, the worker also runs the nested work the main thread hands it on the same port (a
// filter that the script's own REST call triggered), so a script never deadlocks the server.
import { lauxlib, lua, lualib, type LuaState, to_luastring } from "fengari";
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import type { MessagePort } from "node:worker_threads";
import { parseDicom } from "../dicom/parser.ts";
import { decodingOf } from "../dicom/summary.ts";
import { datasetToJson } from "../dicom/tags-json.ts";
import { generateUid } from "../dicom/uid.ts";
import { dumpJson, luaString, pushJson, pushLazyTable, toJson } from "./lua-json.ts";
import type {
  Json,
  LuaCommand,
  LuaOutcome,
  LuaWork,
  PortToMain,
  PortToWorker,
  SyncReply,
  SyncRequest,
  WorkBatch,
  WorkDone,
  WorkerSetup,
} from "./protocol.ts";
import { TOOLBOX } from "./toolbox.ts";

const { setup, port } = workerData as { setup: WorkerSetup; port: MessagePort };
const signal = new Int32Array(setup.signal);
const L = lauxlib.luaL_newstate();
const encoder = new TextEncoder();

/** What `print` wrote during the current piece of work, per nesting level. */
const outputs: Uint8Array[][] = [];
let deadline = Infinity;
let httpCredentials: { username: string; password: string } | undefined;
let httpTimeoutMs = 10_000;

function fail(message: string): never {
  lua.lua_pushstring(L, to_luastring(message));
  lua.lua_error(L);
  throw new Error("unreachable: lua_error returns by throwing");
}

/** Replies that came while a nested call waited for its own: their calls, lower on the stack, take them. */
const early = new Map<number, SyncReply>();
let nextSyncId = 1;

/** Posts a request to the main thread and waits for its reply, running nested work meanwhile. */
function syncCall(request: SyncRequest): SyncReply {
  const id = nextSyncId++;
  port.postMessage({ type: "sync", id, request } satisfies PortToMain);
  for (;;) {
    const kept = early.get(id);
    if (kept) {
      early.delete(id);
      return kept;
    }
    const seen = Atomics.load(signal, 0);
    const received = receiveMessageOnPort(port);
    if (!received) {
      Atomics.wait(signal, 0, seen, 1000);
      continue;
    }
    const message = received.message as PortToWorker;
    if (message.type === "reply") {
      if (message.id === id) return message.reply;
      early.set(message.id, message.reply);
      continue;
    }
    const outcome = run(message.work);
    port.postMessage({ type: "nested-done", id: message.id, outcome } satisfies PortToMain);
  }
}

function stringArg(index: number): string {
  return luaString(lauxlib.luaL_checkstring(L, index));
}

function bytesArg(index: number): Uint8Array {
  const value = lua.lua_type(L, index) === lua.LUA_TSTRING ? lua.lua_tostring(L, index) : null;
  return value ?? new Uint8Array();
}

function headersArg(index: number): Record<string, string> {
  if (lua.lua_type(L, index) !== lua.LUA_TTABLE) return {};
  const json = toJson(L, index, true);
  const headers: Record<string, string> = {};
  if (json && typeof json === "object" && !Array.isArray(json)) {
    for (const [k, v] of Object.entries(json)) if (typeof v === "string") headers[k] = v;
  }
  return headers;
}

function pushAnswer(reply: SyncReply): number {
  if (reply.status >= 200 && reply.status < 300) lua.lua_pushstring(L, reply.body);
  else lua.lua_pushnil(L);
  return 1;
}

type Method = "GET" | "POST" | "PUT" | "DELETE";

function restApi(method: Method): (L: LuaState) => number {
  const withBody = method === "POST" || method === "PUT";
  return () => {
    const uri = stringArg(1);
    const at = withBody ? 3 : 2;
    const reply = syncCall({
      type: "rest",
      method,
      uri,
      body: withBody ? bytesArg(2) : undefined,
      builtinOnly: lua.lua_toboolean(L, at),
      headers: headersArg(at + 1),
    });
    if (method !== "DELETE") return pushAnswer(reply);
    if (reply.status >= 200 && reply.status < 300) lua.lua_pushboolean(L, true);
    else lua.lua_pushnil(L);
    return 1;
  };
}

function httpClient(method: Method): (L: LuaState) => number {
  const withBody = method === "POST" || method === "PUT";
  return () => {
    const reply = syncCall({
      type: "http",
      method,
      url: stringArg(1),
      body: withBody ? bytesArg(2) : undefined,
      headers: headersArg(withBody ? 3 : 2),
      credentials: httpCredentials,
      timeoutMs: httpTimeoutMs,
    });
    if (method !== "DELETE") return pushAnswer(reply);
    if (reply.status >= 200 && reply.status < 300) lua.lua_pushboolean(L, true);
    else lua.lua_pushnil(L);
    return 1;
  };
}

/** io.open's files (fengari has no file I/O): the toolbox wraps these in Lua file objects. */
const FILE_MODES: Record<string, string> = {
  r: "r",
  rb: "r",
  w: "w",
  wb: "w",
  a: "a",
  ab: "a",
  "r+": "r+",
  "w+": "w+",
  "a+": "a+",
  "r+b": "r+",
  "w+b": "w+",
  "a+b": "a+",
};

const FILES: Record<string, (L: LuaState) => number> = {
  _PharosFileOpen: () => {
    const path = stringArg(1);
    const mode = FILE_MODES[luaString(lauxlib.luaL_optstring(L, 2, to_luastring("r"))!)];
    try {
      if (!mode) throw new Error("invalid mode");
      lua.lua_pushinteger(L, openSync(path, mode));
      return 1;
    } catch (error) {
      lua.lua_pushnil(L);
      lua.lua_pushstring(L, to_luastring(`${path}: ${(error as Error).message}`));
      return 2;
    }
  },
  _PharosFileWrite: () => {
    writeSync(lauxlib.luaL_checknumber(L, 1), bytesArg(2));
    return 0;
  },
  /** Reads everything left (`"a"`) or one line without its newline; nil at the end. */
  _PharosFileRead: () => {
    const fd = lauxlib.luaL_checknumber(L, 1);
    const all = luaString(lauxlib.luaL_checkstring(L, 2)).replace("*", "").startsWith("a");
    const chunks: Uint8Array[] = [];
    const one = new Uint8Array(1);
    const block = new Uint8Array(65536);
    for (;;) {
      if (all) {
        const n = readSync(fd, block);
        if (n === 0) break;
        chunks.push(block.slice(0, n));
      } else {
        if (readSync(fd, one) === 0) {
          if (chunks.length === 0) {
            lua.lua_pushnil(L);
            return 1;
          }
          break;
        }
        if (one[0] === 0x0a) {
          chunks.push(new Uint8Array());
          break;
        }
        chunks.push(one.slice());
      }
    }
    lua.lua_pushstring(L, concat(chunks));
    return 1;
  },
  _PharosFileClose: () => {
    closeSync(lauxlib.luaL_checknumber(L, 1));
    return 0;
  },
};

const FUNCTIONS: Record<string, (L: LuaState) => number> = {
  ...FILES,
  print: () => {
    const parts: string[] = [];
    const top = lua.lua_gettop(L);
    for (let i = 1; i <= top; i++) {
      parts.push(luaString(lauxlib.luaL_tolstring(L, i)));
      lua.lua_pop(L, 1);
    }
    outputs.at(-1)?.push(encoder.encode(`${parts.join(", ")}\n`));
    return 0;
  },
  RestApiGet: restApi("GET"),
  RestApiPost: restApi("POST"),
  RestApiPut: restApi("PUT"),
  RestApiDelete: restApi("DELETE"),
  HttpGet: httpClient("GET"),
  HttpPost: httpClient("POST"),
  HttpPut: httpClient("PUT"),
  HttpDelete: httpClient("DELETE"),
  SetHttpCredentials: () => {
    httpCredentials = { username: stringArg(1), password: stringArg(2) };
    return 0;
  },
  SetHttpTimeout: () => {
    httpTimeoutMs = Math.max(0, lauxlib.luaL_checknumber(L, 1)) * 1000;
    return 0;
  },
  SetCommandTimeout: () => {
    lauxlib.luaL_checknumber(L, 1);
    return 0;
  },
  ParseJson: () => {
    try {
      pushJson(L, JSON.parse(stringArg(1)) as Json);
    } catch {
      lua.lua_pushnil(L);
    }
    return 1;
  },
  DumpJson: () => {
    let json: Json;
    try {
      json = toJson(L, 1, lua.lua_toboolean(L, 2));
    } catch (error) {
      return fail((error as Error).message);
    }
    lua.lua_pushstring(L, to_luastring(dumpJson(json)));
    return 1;
  },
  GetOrthancConfiguration: () => {
    pushJson(L, setup.configuration);
    return 1;
  },
  GenerateDicomUid: () => {
    lua.lua_pushstring(L, to_luastring(generateUid("instance")));
    return 1;
  },
};

function createState(): void {
  lualib.luaL_openlibs(L);
  for (const [name, fn] of Object.entries(FUNCTIONS)) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setglobal(L, to_luastring(name));
  }
  // Scripts are cut when they outlive their deadline: checked every 10,000 instructions.
  lua.lua_sethook(
    L,
    () => {
      if (Date.now() > deadline) fail("the Lua script took too long and was stopped");
    },
    lua.LUA_MASKCOUNT,
    10_000,
  );
  const loaded = lauxlib.luaL_loadbuffer(L, to_luastring(TOOLBOX), null, to_luastring("=toolbox"));
  if (loaded !== lua.LUA_OK || lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
    throw new Error(`the Lua toolbox does not load: ${errorText()}`);
  }
}

function errorText(): string {
  const text = luaString(lauxlib.luaL_tolstring(L, -1));
  lua.lua_settop(L, 0);
  return text;
}

const COMMANDS = to_luastring("_PharosCommands");

/** Takes the commands queued by the callback that just ran (most queue none: nothing to convert). */
function takeCommands(): LuaCommand[] {
  lua.lua_getglobal(L, COMMANDS);
  if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    lua.lua_pushnil(L);
    if (!lua.lua_next(L, -2)) {
      lua.lua_pop(L, 1);
      return [];
    }
    lua.lua_pop(L, 2);
  }
  const queued = toJson(L, -1);
  lua.lua_pop(L, 1);
  lua.lua_newtable(L);
  lua.lua_setglobal(L, COMMANDS);
  if (!Array.isArray(queued)) return [];
  return queued.flatMap((entry) =>
    Array.isArray(entry) && typeof entry[1] === "string"
      ? [{
        operation: entry[0] as LuaCommand["operation"],
        input: entry[1],
        parameters: entry[2] ?? {},
      }]
      : []
  );
}

function concat(chunks: Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}

/**
 * OnStoredInstance's arguments. Its tags and its metadata are tables filled when the script first
 * reads them: a script that never does (a router on the origin, a no-op) costs no parsing and no
 * look-up. The tags come from the stored bytes, the metadata as GET /instances/{id}/metadata?expand.
 */
function pushStoredArgs(work: LuaWork & { type: "stored" }): number {
  lua.lua_pushstring(L, to_luastring(work.instanceId));
  pushLazyTable(L, () => {
    const reply = syncCall({
      type: "stored-bytes",
      token: work.token,
      instanceId: work.instanceId,
    });
    if (reply.status !== 200) return fail("the stored instance is no longer there");
    try {
      const parsed = parseDicom(reply.body);
      const decoding = decodingOf(parsed, work.defaultEncoding);
      return datasetToJson(parsed.dataset, decoding, "simplify") as Json;
    } catch (error) {
      return fail(`the stored instance cannot be read: ${(error as Error).message}`);
    }
  });
  pushLazyTable(L, () => {
    const reply = syncCall({
      type: "rest",
      method: "GET",
      uri: `/instances/${work.instanceId}/metadata?expand`,
      builtinOnly: true,
      headers: {},
    });
    return reply.status === 200 ? JSON.parse(luaString(reply.body)) as Json : {};
  });
  pushJson(L, work.origin);
  return 4;
}

/** Which of these global names are functions. */
function definedOf(names: string[]): string[] {
  return names.filter((name) => {
    const type = lua.lua_getglobal(L, to_luastring(name));
    lua.lua_pop(L, 1);
    return type === lua.LUA_TFUNCTION;
  });
}

/**
 * Runs one piece of work with the stack as it was, and answers what it printed and returned.
 * `callee` stands for OnStoredInstance (the warm-up's).
 */
function run(work: LuaWork, callee = "OnStoredInstance"): LuaOutcome {
  if (work.type === "warm-up") return warmUp();
  if (work.type === "defined") {
    return { ok: true, output: new Uint8Array(), result: definedOf(work.names), commands: [] };
  }
  const base = lua.lua_gettop(L);
  const outer = deadline;
  if (work.type !== "load") deadline = Math.min(outer, Date.now() + work.timeoutMs);
  outputs.push([]);
  try {
    let status: number;
    let nargs = 0;
    if (work.type === "call" || work.type === "stored") {
      const name = work.type === "call" ? work.name : callee;
      const type = lua.lua_getglobal(L, to_luastring(name));
      if (type !== lua.LUA_TFUNCTION) {
        lua.lua_settop(L, base);
        return { ok: true, output: new Uint8Array(), result: null, commands: [] };
      }
      if (work.type === "stored") nargs = pushStoredArgs(work);
      else {
        for (const arg of work.args) pushJson(L, arg);
        nargs = work.args.length;
      }
      status = lua.LUA_OK;
    } else {
      const chunkname = work.type === "load" ? `@${work.chunkname}` : "line";
      status = lauxlib.luaL_loadbuffer(L, work.source, null, to_luastring(chunkname));
    }
    if (status === lua.LUA_OK) status = lua.lua_pcall(L, nargs, 1, 0);
    if (status !== lua.LUA_OK) {
      const error = luaString(lauxlib.luaL_tolstring(L, -1));
      takeCommands();
      return { ok: false, error };
    }
    const result = toJson(L, -1);
    const output = concat(outputs.at(-1)!);
    const done: LuaOutcome = { ok: true, output, result, commands: takeCommands() };
    if (work.type === "execute") done.defined = definedOf(work.names);
    return done;
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    outputs.pop();
    deadline = outer;
    lua.lua_settop(L, base);
  }
}

const WARM_UP = "_PharosWarmUp";
const WARM_UP_CALLS = 1000;

/**
 * Runs OnStoredInstance's path on a no-op function: fengari's interpreter is slow until the JIT
 * has seen it, which made the first thousand stored instances cost up to twice the rest. The
 * scripting layer asks for it while the server starts, when a script defines OnStoredInstance, so
 * that neither the calls nor the compilation are paid during the first ingest.
 */
function warmUp(): LuaOutcome {
  lauxlib.luaL_loadbuffer(L, to_luastring("return function() end"), null, to_luastring("=warm"));
  lua.lua_call(L, 0, 1);
  lua.lua_setglobal(L, to_luastring(WARM_UP));
  const work: LuaWork = {
    type: "stored",
    instanceId: "warm-up",
    token: 0,
    defaultEncoding: "Latin1",
    origin: { RequestOrigin: "Lua" },
    timeoutMs: 1000,
  };
  for (let i = 0; i < WARM_UP_CALLS; i++) run(work, WARM_UP);
  lua.lua_pushnil(L);
  lua.lua_setglobal(L, to_luastring(WARM_UP));
  return { ok: true, output: new Uint8Array(), result: null, commands: [] };
}

createState();
parentPort!.on("message", (batch: WorkBatch) => {
  let outcomes: WorkDone["outcomes"] = [];
  batch.forEach(({ id, work }, i) => {
    outcomes.push({ id, outcome: run(work) });
    // An answer someone waits for (a filter's) goes at once; OnStoredInstance's, which nothing
    // waits for, go together.
    const last = i === batch.length - 1;
    if (work.type !== "stored" || last) {
      parentPort!.postMessage({ outcomes, last } satisfies WorkDone);
      outcomes = [];
    }
  });
});
