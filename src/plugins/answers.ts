// Answer helpers handed to plugins: Web-standard Responses shaped as Orthanc's answer functions.
import { JSON_CONTENT_TYPE, orthancJsonText } from "../rest/json.ts";
import type { JsonValue } from "../dicom/tags-json.ts";
import type { AnswerOptions, Answers, MultipartPart } from "./pharos-plugin.d.ts";
import { encodeJpeg } from "../imaging/jpeg.ts";
import { encodePng } from "../imaging/png.ts";

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  415: "Unsupported Media Type",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

function headersOf(contentType: string | undefined, options: AnswerOptions = {}): Headers {
  const headers = new Headers(options.headers);
  if (contentType) headers.set("Content-Type", contentType);
  for (const [name, value] of Object.entries(options.cookies ?? {})) {
    headers.append("Set-Cookie", `${name}=${value}`);
  }
  return headers;
}

/** Orthanc's error JSON for an error raised inside a plugin (ErrorCode_Plugin) or a status. */
export function pluginErrorJson(
  status: number,
  method: string,
  uri: string,
  details: string | undefined,
  code = { status: 1, message: "Error encountered within the plugin engine" },
): Response {
  const body: Record<string, JsonValue> = {
    HttpError: STATUS_TEXT[status] ?? "Internal Server Error",
    HttpStatus: status,
    Message: code.message,
    Method: method,
    OrthancError: code.message,
    OrthancStatus: code.status,
    Uri: uri,
  };
  if (details !== undefined) body.Details = details;
  return new Response(orthancJsonText(body), {
    status,
    headers: { "Content-Type": JSON_CONTENT_TYPE },
  });
}

/** Responses made by answers.error(): rendered as Orthanc's error JSON once the request is known. */
const errorAnswers = new WeakMap<Response, string>();

/** The details of an answer made by answers.error(), which finishAnswer() completes. */
export function errorDetails(response: Response): string | undefined {
  return errorAnswers.get(response);
}

/** Marks an answer as answers.error() does (an answer that crossed from a plugin's worker). */
export function markErrorAnswer(response: Response, details: string): Response {
  errorAnswers.set(response, details);
  return response;
}

/** The error JSON for a response made by answers.error(), else the response itself. */
export function finishAnswer(response: Response, method: string, uri: string): Response {
  const details = errorAnswers.get(response);
  if (details === undefined) return response;
  const s = response.status;
  const code = s === 404
    ? { status: 17, message: "Unknown resource" }
    : s === 400
    ? { status: 8, message: "Bad request" }
    : s === 403
    ? { status: 29, message: "Access to a resource is forbidden" }
    : s === 401
    ? { status: 30, message: "Bad credentials were provided to an HTTP request" }
    : undefined;
  return pluginErrorJson(s, method, uri, details, code);
}

export function createAnswers(): Answers {
  return {
    buffer: (body, mimeType, options) =>
      new Response(body, { status: options?.status ?? 200, headers: headersOf(mimeType, options) }),
    text: (body, options) =>
      new Response(body, {
        status: options?.status ?? 200,
        headers: headersOf("text/plain", options),
      }),
    json: (value, options) =>
      new Response(orthancJsonText(value as JsonValue), {
        status: options?.status ?? 200,
        headers: headersOf(JSON_CONTENT_TYPE, options),
      }),
    png: (image, options) =>
      new Response(encodePng(image), {
        status: options?.status ?? 200,
        headers: headersOf("image/png", options),
      }),
    jpeg: (image, quality = 90, options) =>
      new Response(encodeJpeg(image, quality), {
        status: options?.status ?? 200,
        headers: headersOf("image/jpeg", options),
      }),
    redirect: (location) => new Response(null, { status: 301, headers: { Location: location } }),
    status: (status, body) => new Response(body ?? null, { status }),
    unauthorized: (realm) =>
      new Response(null, {
        status: 401,
        headers: { "WWW-Authenticate": `Basic realm="${realm.replace(/"/g, "")}"` },
      }),
    methodNotAllowed: (allowed) =>
      new Response(null, { status: 405, headers: { Allow: allowed.join(",") } }),
    error: (status, details) => {
      const response = new Response(null, { status });
      errorAnswers.set(response, details);
      return response;
    },
    multipart: (parts, subType = "related", contentType) => multipart(parts, subType, contentType),
  };
}

function multipart(parts: MultipartPart[], subType: string, contentType?: string): Response {
  const boundary = crypto.randomUUID().replace(/-/g, "");
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Type: ${part.contentType}\r\n`;
    for (const [name, value] of Object.entries(part.headers ?? {})) head += `${name}: ${value}\r\n`;
    const body = typeof part.body === "string" ? encoder.encode(part.body) : part.body;
    head += `Content-Length: ${body.length}\r\n\r\n`;
    chunks.push(encoder.encode(head), body, encoder.encode("\r\n"));
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  const type = contentType ?? parts[0]?.contentType ?? "application/octet-stream";
  return new Response(new Blob(chunks as BlobPart[]), {
    headers: {
      "Content-Type": `multipart/${subType}; type=${type}; boundary=${boundary}`,
    },
  });
}
