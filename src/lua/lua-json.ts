// Values between the Lua stack and JSON, as Orthanc converts them: a table whose keys are exactly
// 1..n (or an empty one) is an array, any other table an object with its keys as strings; JSON
// numbers come into Lua as floats and null as nil. `dumpJson` writes what Lua's DumpJson returns:
// JsonCpp's compact writer (keys in byte order, non-ASCII as \u escapes, doubles with %.17g).
import { lauxlib, lua, type LuaState, to_luastring } from "fengari";
import type { Json } from "./protocol.ts";

const decoder = new TextDecoder();

export function luaString(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

const FILL = to_luastring("__fill");

/**
 * A table built on its first use (OnStoredInstance's tags) is built now: what reads it raw
 * (lua_next) would otherwise see it empty.
 */
export function fillLazy(L: LuaState, at: number): void {
  if (lauxlib.luaL_getmetafield(L, at, FILL) === lua.LUA_TNIL) return;
  lua.lua_pushvalue(L, at);
  lua.lua_call(L, 1, 0);
}

/** What builds each lazy table not yet used, by the table (fengari's tables are JS objects). */
const builders = new WeakMap<object, () => Json>();
const LAZY = to_luastring("pharos.lazy");
const NEXT = to_luastring("next");

/** Builds the lazy table at index 1 and drops its metatable: from then on it is a plain table. */
function fill(L: LuaState): void {
  const table = lua.lua_topointer(L, 1)!;
  const build = builders.get(table);
  builders.delete(table);
  lua.lua_pushnil(L);
  lua.lua_setmetatable(L, 1);
  const content = build?.();
  if (content && typeof content === "object" && !Array.isArray(content)) {
    for (const [k, v] of Object.entries(content)) {
      if (v === null) continue;
      pushJson(L, v);
      lua.lua_setfield(L, 1, to_luastring(k));
    }
  }
}

const LAZY_METAMETHODS: Record<string, (L: LuaState) => number> = {
  __fill: (L) => {
    fill(L);
    return 0;
  },
  __index: (L) => {
    fill(L);
    lua.lua_settop(L, 2);
    lua.lua_rawget(L, 1);
    return 1;
  },
  __newindex: (L) => {
    fill(L);
    lua.lua_settop(L, 3);
    lua.lua_rawset(L, 1);
    return 0;
  },
  __len: (L) => {
    fill(L);
    lua.lua_pushinteger(L, lua.lua_rawlen(L, 1));
    return 1;
  },
  __pairs: (L) => {
    fill(L);
    lua.lua_getglobal(L, NEXT);
    lua.lua_pushvalue(L, 1);
    lua.lua_pushnil(L);
    return 3;
  },
};

/**
 * Pushes a table whose content `build` gives on its first use: a look-up, pairs, # or an
 * assignment. Until then it costs the table and an entry in `builders`: every lazy table shares
 * one metatable, since making one per table (and its five functions) was most of the cost of a
 * no-op OnStoredInstance.
 */
export function pushLazyTable(L: LuaState, build: () => Json): void {
  lua.lua_newtable(L);
  builders.set(lua.lua_topointer(L, -1)!, build);
  if (lauxlib.luaL_newmetatable(L, LAZY)) {
    for (const [name, fn] of Object.entries(LAZY_METAMETHODS)) {
      lua.lua_pushjsfunction(L, fn);
      lua.lua_setfield(L, -2, to_luastring(name));
    }
  }
  lua.lua_setmetatable(L, -2);
}

/** The Lua value at `index` as JSON; with `keepStrings`, numbers become their Lua text. */
export function toJson(L: LuaState, index: number, keepStrings = false, depth = 0): Json {
  if (depth > 64) throw new Error("the table is nested too deeply to be converted to JSON");
  const at = lua.lua_absindex(L, index);
  const type = lua.lua_type(L, at);
  if (type === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, at);
  if (type === lua.LUA_TNUMBER) {
    if (!keepStrings) return lua.lua_tonumber(L, at);
    const text = luaString(lauxlib.luaL_tolstring(L, at));
    lua.lua_pop(L, 1);
    return text;
  }
  if (type === lua.LUA_TSTRING) return luaString(lua.lua_tostring(L, at) ?? new Uint8Array());
  if (type !== lua.LUA_TTABLE) return null;
  fillLazy(L, at);
  const entries: [string | number, Json][] = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, at)) {
    const key = lua.lua_type(L, -2) === lua.LUA_TNUMBER
      ? lua.lua_tonumber(L, -2)
      : luaString(lauxlib.luaL_tolstring(L, -2));
    if (typeof key === "string") lua.lua_pop(L, 1);
    entries.push([key, toJson(L, -1, keepStrings, depth + 1)]);
    lua.lua_pop(L, 1);
  }
  const isArray = entries.every(([k]) => typeof k === "number" && Number.isInteger(k)) &&
    entries.map(([k]) => k as number).sort((a, b) => a - b).every((k, i) => k === i + 1);
  if (isArray) {
    return entries.sort((a, b) => (a[0] as number) - (b[0] as number)).map(([, v]) => v);
  }
  const object: { [key: string]: Json } = {};
  for (const [k, v] of entries) object[String(k)] = v;
  return object;
}

/** Pushes a JSON value; null is nil, and object members that are null are left out. */
export function pushJson(L: LuaState, value: Json): void {
  if (value === null) lua.lua_pushnil(L);
  else if (typeof value === "boolean") lua.lua_pushboolean(L, value);
  else if (typeof value === "number") lua.lua_pushnumber(L, value);
  else if (typeof value === "string") lua.lua_pushstring(L, to_luastring(value));
  else if (Array.isArray(value)) {
    lua.lua_newtable(L);
    value.forEach((item, i) => {
      pushJson(L, item);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else {
    lua.lua_newtable(L);
    for (const [k, v] of Object.entries(value)) {
      if (v === null) continue;
      pushJson(L, v);
      lua.lua_setfield(L, -2, to_luastring(k));
    }
  }
}

/** C's %.17g, then ".0" when that reads as an integer, as JsonCpp writes a double. */
function jsonCppDouble(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "1e+9999" : value < 0 ? "-1e+9999" : "null";
  let text = value.toPrecision(17);
  const [mantissa, exponent] = text.split("e");
  let m = mantissa!;
  if (m.includes(".")) m = m.replace(/0+$/, "").replace(/\.$/, "");
  if (exponent !== undefined) {
    const e = Number(exponent);
    text = `${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  } else text = m;
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function quote(text: string): string {
  return JSON.stringify(text).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

export function dumpJson(value: Json): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    return Number.isInteger(value) && Math.abs(value) < 2 ** 31
      ? String(value)
      : jsonCppDouble(value);
  }
  if (typeof value === "string") return quote(value);
  if (Array.isArray(value)) return `[${value.map(dumpJson).join(",")}]`;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${quote(k)}:${dumpJson(value[k]!)}`).join(",")}}`;
}
