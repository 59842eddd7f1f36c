// The REST helpers of a plugin's host (host.rest.call/get/post/put/delete/getJson) over one way
// of calling the API: in-process for a plugin in the server, through the channel for a plugin in
// its own worker (isolation/worker-main.ts). Both hand the plugin the same methods.
import { OrthancError } from "../server/errors.ts";
import type { PharosHost, RestCallOptions } from "./pharos-plugin.d.ts";

type RestCalls = Pick<PharosHost["rest"], "call" | "get" | "post" | "put" | "delete" | "getJson">;

export function restCalls(
  call: (method: string, uri: string, options?: RestCallOptions) => Promise<Response>,
): RestCalls {
  return {
    call: (method, uri, options) => call(method, uri, options),
    get: (uri, options) => call("GET", uri, options),
    post: (uri, body, options) => call("POST", uri, { ...options, body }),
    put: (uri, body, options) => call("PUT", uri, { ...options, body }),
    delete: (uri, options) => call("DELETE", uri, options),
    async getJson<T>(uri: string, options?: RestCallOptions): Promise<T> {
      const res = await call("GET", uri, options);
      if (!res.ok) {
        throw new OrthancError(
          res.status === 404 ? "UnknownResource" : "InternalError",
          `GET ${uri} answered HTTP ${res.status}`,
          res.status,
        );
      }
      return await res.json() as T;
    },
  };
}
