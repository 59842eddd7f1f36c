// The HTTP client of the Orthanc peers: one request to a peer's REST API, with its credentials,
// headers, client certificate and timeout, as Orthanc's HttpClient sends it. A peer that cannot be
// reached is Orthanc's network error, worded as libcurl words it (what Orthanc shows).
import { readFileSync } from "node:fs";
import type { Configuration } from "../config/schema.ts";
import { OrthancError } from "../server/errors.ts";
import { outgoingFetch } from "../server/outgoing-http.ts";
import type { OrthancPeer } from "./peer.ts";

export type PeerHttpOptions = Pick<
  Configuration,
  "HttpTimeout" | "HttpsVerifyPeers" | "HttpsCACertificates" | "HttpProxy" | "HttpVerbose"
>;

export interface PeerRequest {
  method: "GET" | "POST" | "DELETE";
  /** Below the peer's URL, without a leading "/". */
  path: string;
  /** A stream is sent with chunked transfer encoding. */
  body?: Uint8Array | ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
}

function authorization(peer: OrthancPeer): Record<string, string> {
  if (!peer.Username) return {};
  const token = Buffer.from(`${peer.Username}:${peer.Password}`).toString("base64");
  return { Authorization: `Basic ${token}` };
}

function tlsOf(peer: OrthancPeer, options: PeerHttpOptions) {
  return {
    rejectUnauthorized: options.HttpsVerifyPeers,
    ...(options.HttpsCACertificates
      ? { ca: readFileSync(options.HttpsCACertificates, "utf8") }
      : {}),
    ...(peer.CertificateFile ? { cert: readFileSync(peer.CertificateFile, "utf8") } : {}),
    ...(peer.CertificateKeyFile ? { key: readFileSync(peer.CertificateKeyFile, "utf8") } : {}),
    ...(peer.CertificateKeyPassword ? { passphrase: peer.CertificateKeyPassword } : {}),
  };
}

/** The peer's answer, whatever its status; throws only when no answer came. */
export async function requestPeer(
  peer: OrthancPeer,
  options: PeerHttpOptions,
  request: PeerRequest,
): Promise<Response> {
  const seconds = peer.Timeout || options.HttpTimeout;
  try {
    return await outgoingFetch(peer.Url + request.path, {
      method: request.method,
      headers: { ...peer.HttpHeaders, ...authorization(peer), ...request.headers },
      body: request.body,
      signal: seconds > 0 ? AbortSignal.timeout(seconds * 1000) : undefined,
      tls: tlsOf(peer, options),
      redirect: "manual",
    }, options);
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    throw new OrthancError(
      "NetworkProtocol",
      timedOut ? "libCURL error: Timeout was reached" : "libCURL error: Couldn't connect to server",
    );
  }
}
