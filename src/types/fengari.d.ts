// The part of fengari (Lua 5.3 in JavaScript) that src/lua uses. Lua strings are byte arrays.
declare module "fengari" {
  export type LuaState = { readonly __luaState: unique symbol };
  export type LuaCFunction = (L: LuaState) => number;
  export type LuaHook = (L: LuaState, ar: unknown) => void;

  export const lua: {
    LUA_OK: number;
    LUA_MULTRET: number;
    LUA_MASKCOUNT: number;
    LUA_REGISTRYINDEX: number;
    LUA_TNIL: number;
    LUA_TBOOLEAN: number;
    LUA_TNUMBER: number;
    LUA_TSTRING: number;
    LUA_TTABLE: number;
    LUA_TFUNCTION: number;
    lua_sethook(L: LuaState, hook: LuaHook | null, mask: number, count: number): void;
    lua_gettop(L: LuaState): number;
    lua_settop(L: LuaState, index: number): void;
    lua_pop(L: LuaState, n: number): void;
    lua_type(L: LuaState, index: number): number;
    lua_pushnil(L: LuaState): void;
    lua_pushboolean(L: LuaState, value: boolean): void;
    lua_pushnumber(L: LuaState, value: number): void;
    lua_pushinteger(L: LuaState, value: number): void;
    lua_pushstring(L: LuaState, value: Uint8Array): void;
    lua_pushjsfunction(L: LuaState, fn: LuaCFunction): void;
    lua_pushvalue(L: LuaState, index: number): void;
    lua_toboolean(L: LuaState, index: number): boolean;
    lua_tonumber(L: LuaState, index: number): number;
    lua_isinteger(L: LuaState, index: number): boolean;
    lua_tostring(L: LuaState, index: number): Uint8Array | null;
    lua_newtable(L: LuaState): void;
    lua_setfield(L: LuaState, index: number, key: Uint8Array): void;
    lua_rawseti(L: LuaState, index: number, i: number): void;
    lua_rawlen(L: LuaState, index: number): number;
    /** The value behind a table, function or thread: the same JS object for the same Lua value. */
    lua_topointer(L: LuaState, index: number): object | null;
    lua_rawget(L: LuaState, index: number): number;
    lua_rawset(L: LuaState, index: number): void;
    lua_setmetatable(L: LuaState, index: number): void;
    lua_call(L: LuaState, nargs: number, nresults: number): void;
    lua_next(L: LuaState, index: number): boolean | number;
    lua_getglobal(L: LuaState, name: Uint8Array): number;
    lua_setglobal(L: LuaState, name: Uint8Array): void;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_absindex(L: LuaState, index: number): number;
    lua_error(L: LuaState): number;
  };
  export const lauxlib: {
    luaL_newstate(): LuaState;
    luaL_loadbuffer(
      L: LuaState,
      buffer: Uint8Array,
      size: number | null,
      chunkname: Uint8Array,
    ): number;
    luaL_tolstring(L: LuaState, index: number): Uint8Array;
    luaL_checkstring(L: LuaState, arg: number): Uint8Array;
    luaL_optstring(L: LuaState, arg: number, def: Uint8Array | null): Uint8Array | null;
    luaL_checknumber(L: LuaState, arg: number): number;
    luaL_error(L: LuaState, message: Uint8Array): number;
    /** Pushes the field of the value's metatable and answers its type; pushes nothing if nil. */
    luaL_getmetafield(L: LuaState, index: number, field: Uint8Array): number;
    /** Pushes the registry metatable of that name; 1 when it has just been created. */
    luaL_newmetatable(L: LuaState, name: Uint8Array): number;
  };
  export const lualib: { luaL_openlibs(L: LuaState): void };
  export function to_luastring(value: string): Uint8Array;
  export function to_jsstring(value: Uint8Array): string;
}
