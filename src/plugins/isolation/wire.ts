// Requests, answers and instances as they cross between the server's thread and a plugin's
// worker: plain structured-clonable values. Bodies are read whole (a stream does not cross).
import type { Encoding } from "../../dicom/charsets.ts";
import { errorDetails, markErrorAnswer } from "../answers.ts";
import type { DicomInstance, InstanceIds, InstanceOrigin } from "../pharos-plugin.d.ts";

type HeaderList = [string, string][];

export interface WireRequest {
  method: string;
  url: string;
  headers: HeaderList;
  body: ArrayBuffer | null;
}

export interface WireResponse {
  /** Set on an answer made by answers.error(), which the server completes (finishAnswer). */
  errorDetails?: string;
  status: number;
  statusText: string;
  headers: HeaderList;
  body: ArrayBuffer | null;
}

/** What a worker needs to rebuild a DicomInstance; it parses the bytes only when asked. */
export interface WireInstance {
  bytes: Uint8Array;
  origin: InstanceOrigin;
  ids: InstanceIds;
  transferSyntax: string;
  sopClassUid: string;
  /** The server's DefaultEncoding when the instance was sent. */
  encoding: Encoding;
}

function headerList(headers: Headers): HeaderList {
  const out: HeaderList = [];
  for (const [name, value] of headers) if (name !== "set-cookie") out.push([name, value]);
  for (const cookie of headers.getSetCookie()) out.push(["set-cookie", cookie]);
  return out;
}

function headersOf(list: HeaderList): Headers {
  const headers = new Headers();
  for (const [name, value] of list) headers.append(name, value);
  return headers;
}

export async function toWireRequest(request: Request): Promise<WireRequest> {
  const body = request.body === null ? null : await request.arrayBuffer();
  return { method: request.method, url: request.url, headers: headerList(request.headers), body };
}

export function fromWireRequest(wire: WireRequest): Request {
  return new Request(wire.url, {
    method: wire.method,
    headers: headersOf(wire.headers),
    body: wire.body,
  });
}

export async function toWireResponse(response: Response): Promise<WireResponse> {
  const body = response.body === null ? null : await response.arrayBuffer();
  return {
    errorDetails: errorDetails(response),
    status: response.status,
    statusText: response.statusText,
    headers: headerList(response.headers),
    body,
  };
}

export function fromWireResponse(wire: WireResponse): Response {
  const response = new Response(wire.body, {
    status: wire.status,
    statusText: wire.statusText,
    headers: headersOf(wire.headers),
  });
  return wire.errorDetails === undefined ? response : markErrorAnswer(response, wire.errorDetails);
}

export function toWireInstance(instance: DicomInstance, encoding: Encoding): WireInstance {
  return {
    bytes: instance.bytes,
    origin: instance.origin,
    ids: instance.ids,
    transferSyntax: instance.transferSyntax,
    sopClassUid: instance.sopClassUid,
    encoding,
  };
}
