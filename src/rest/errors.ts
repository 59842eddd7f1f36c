// Renders errors as Orthanc does: its error JSON, with the HTTP status of the error code.
import { BareStatusError, ErrorCodes, OrthancError } from "../server/errors.ts";
import { log } from "../log.ts";
import { IndexFailure } from "../server/model.ts";
import { jsonResponse } from "./json.ts";

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  // 402, 406, 408, 410, 429, 502-504: only plugins' own error codes use them.
  402: "Payment Required",
  403: "Forbidden",
  409: "Conflict",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  410: "Gone",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  507: "Insufficient Storage",
};

export function errorResponse(
  error: unknown,
  method: string,
  uri: string,
  describe: boolean,
): Response {
  if (error instanceof BareStatusError) return new Response(null, { status: error.status });
  const e = error instanceof OrthancError
    ? error
    : error instanceof IndexFailure
    ? new OrthancError(error.kind, error.message)
    : undefined;
  if (!e) {
    log.error(
      `Unexpected error on ${method} ${uri}: ${
        error instanceof Error ? error.stack : String(error)
      }`,
    );
  }
  const own = e?.pluginCode;
  const spec = own
    ? { code: own.code, http: own.httpStatus, message: own.message }
    : ErrorCodes[e?.kind ?? "InternalError"];
  const status = e?.httpStatus ?? spec.http;
  if (!describe) return new Response(null, { status });
  const body: Record<string, string | number> = {
    HttpError: STATUS_TEXT[status] ?? "Internal Server Error",
    HttpStatus: status,
    Message: spec.message,
    Method: method,
    OrthancError: spec.message,
    OrthancStatus: spec.code,
    Uri: uri,
  };
  if (e?.details !== undefined && e.details !== spec.message) body.Details = e.details;
  return jsonResponse(body, status);
}
