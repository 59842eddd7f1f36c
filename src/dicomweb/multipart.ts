// multipart/related bodies (RFC 2387) as DICOMweb carries them: written for WADO-RS answers,
// read for STOW-RS requests, with the checks a hostile or broken body needs.

export interface Part {
  contentType: string;
  body: Uint8Array;
  /** Content-Location of the part, when the answer names each one (frames, bulk data). */
  location?: string;
}

const encoder = new TextEncoder();

/** The answer holding `parts`; `type` is the type= parameter of its Content-Type. */
export function multipartResponse(parts: Part[], type: string): Response {
  const boundary = crypto.randomUUID() + crypto.randomUUID();
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\n`;
    if (part.location) head += `Content-Location: ${part.location}\r\n`;
    head += `Content-Type: ${part.contentType}\r\nContent-Length: ${part.body.length}\r\n`;
    head += "MIME-Version: 1.0\r\n\r\n";
    chunks.push(encoder.encode(head), part.body, encoder.encode("\r\n"));
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  return new Response(new Uint8Array(Bun.concatArrayBuffers(chunks)), {
    headers: { "Content-Type": `multipart/related; type="${type}"; boundary=${boundary}` },
  });
}

export class MultipartError extends Error {
  /** False when the boundary is nowhere in the body (no part at all). */
  constructor(message: string, readonly boundaryFound = true) {
    super(message);
  }
}

/** The parameters of a Content-Type or Accept entry, names in lower case, quotes removed. */
export function mediaParameters(text: string): { type: string; params: Map<string, string> } {
  const [type = "", ...rest] = splitOutsideQuotes(text, ";");
  const params = new Map<string, string>();
  for (const item of rest) {
    const at = item.indexOf("=");
    if (at < 0) continue;
    const value = item.slice(at + 1).trim().replace(/^"(.*)"$/s, "$1");
    params.set(item.slice(0, at).trim().toLowerCase(), value);
  }
  return { type: type.trim().toLowerCase(), params };
}

export function splitOutsideQuotes(text: string, separator: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      out.push(current);
      current = "";
    } else current += ch;
  }
  out.push(current);
  return out;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(
    needle,
    from,
  );
}

const CRLF_CRLF = encoder.encode("\r\n\r\n");

/** The parts of a multipart body with this boundary; throws MultipartError on a broken one. */
export function parseMultipart(body: Uint8Array, boundary: string): Part[] {
  const delimiter = encoder.encode(`--${boundary}`);
  let at = indexOf(body, delimiter, 0);
  if (at < 0) throw new MultipartError("The boundary of the multipart body is not found", false);
  const parts: Part[] = [];
  for (;;) {
    const after = at + delimiter.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) return parts;
    const headStart = after + 2;
    const headEnd = indexOf(body, CRLF_CRLF, headStart);
    if (headEnd < 0) throw new MultipartError("A part of the multipart body has no header end");
    const next = indexOf(body, encoder.encode(`\r\n--${boundary}`), headEnd + 4);
    if (next < 0) throw new MultipartError("The multipart body is not terminated");
    const head = new TextDecoder().decode(body.subarray(headStart, headEnd));
    let contentType = "";
    for (const line of head.split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === "content-type") {
        contentType = line.slice(colon + 1).trim();
      }
    }
    parts.push({ contentType, body: body.subarray(headEnd + 4, next) });
    at = next + 2;
  }
}
