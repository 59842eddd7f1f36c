// The server's outgoing HTTP requests (peers, the DICOMweb client, Lua's HttpGet and the like), as
// Orthanc's HTTP client sends them: through `HttpProxy` when one is set, and logged when
// `HttpVerbose` is on.
import { log } from "../log.ts";

export interface OutgoingHttpOptions {
  /** Orthanc's form: "host:port" or "user:password@host:port" (a scheme may be given). */
  HttpProxy: string;
  HttpVerbose: boolean;
}

/** The proxy URL fetch takes, or undefined for none. */
export function proxyUrl(proxy: string): string | undefined {
  const trimmed = proxy.trim();
  if (trimmed === "") return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/** Bun's fetch with the options' proxy; with HttpVerbose, each request and its outcome logged. */
export async function outgoingFetch(
  url: string,
  init: BunFetchRequestInit,
  options: OutgoingHttpOptions,
): Promise<Response> {
  const proxy = proxyUrl(options.HttpProxy);
  const method = init.method ?? "GET";
  if (!options.HttpVerbose) return await fetch(url, proxy ? { ...init, proxy } : init);
  const started = performance.now();
  const via = proxy ? ` through the proxy ${proxy.replace(/\/\/[^@/]*@/, "//")}` : "";
  log.info(`HTTP client: ${method} ${url}${via}`, "http");
  try {
    const response = await fetch(url, proxy ? { ...init, proxy } : init);
    const ms = (performance.now() - started).toFixed(1);
    log.info(`HTTP client: ${method} ${url} answered ${response.status} in ${ms} ms`, "http");
    return response;
  } catch (error) {
    log.info(`HTTP client: ${method} ${url} failed: ${(error as Error).message}`, "http");
    throw error;
  }
}
