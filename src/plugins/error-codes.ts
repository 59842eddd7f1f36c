// Plugins' own error codes (OrthancPluginRegisterErrorCode): a plugin names a code with its HTTP
// status and message; Orthanc numbers the codes of all plugins from 1000000 on, in registration
// order, and that number is the "OrthancStatus" of the error JSON a client gets.
import { OrthancError, type PluginErrorCode } from "../server/errors.ts";
import type { PluginErrorFactory } from "./pharos-plugin.d.ts";

/** ErrorCode_START_PLUGINS. */
export const FIRST_PLUGIN_ERROR_CODE = 1000000;

export function checkErrorCode(code: unknown, httpStatus: unknown, message: unknown): void {
  if (typeof code !== "number" || !Number.isInteger(code)) {
    throw new OrthancError("ParameterOutOfRange", "An error code must be an integer");
  }
  if (typeof httpStatus !== "number" || !Number.isInteger(httpStatus)) {
    throw new OrthancError("ParameterOutOfRange", "An HTTP status must be an integer");
  }
  if (httpStatus < 400 || httpStatus > 599) {
    throw new OrthancError("ParameterOutOfRange", `Not an HTTP error status: ${httpStatus}`);
  }
  if (typeof message !== "string" || message === "") {
    throw new OrthancError("ParameterOutOfRange", "An error code needs a message");
  }
}

/** The errors of one code, as a plugin throws them. */
export function errorFactory(code: PluginErrorCode): PluginErrorFactory {
  return (details) =>
    new OrthancError(
      "Plugin",
      details === undefined ? undefined : String(details),
      code.httpStatus,
      code,
    );
}

export class PluginErrorCodes {
  private readonly codes = new Map<string, PluginErrorCode>();

  /** Registering a plugin's code again keeps its number and takes the new status and message. */
  register(plugin: string, pluginCode: number, httpStatus: number, message: string) {
    checkErrorCode(pluginCode, httpStatus, message);
    const key = `${plugin}\u0000${pluginCode}`;
    const number = this.codes.get(key)?.code ?? FIRST_PLUGIN_ERROR_CODE + this.codes.size;
    const code: PluginErrorCode = { code: number, plugin, pluginCode, httpStatus, message };
    this.codes.set(key, code);
    return code;
  }
}
