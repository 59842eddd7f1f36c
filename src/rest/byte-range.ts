// HTTP Range on binary answers (Orthanc 1.12.5 serves attachments' data by range). One range
// only: a list of ranges, or a header that does not parse, is ignored and the whole body is sent,
// as RFC 9110 allows; a range that starts past the end is 416.

export type RangeRequest = { start: number; end: number } | "unsatisfiable" | undefined;

export function parseRange(header: string | undefined, size: number): RangeRequest {
  const m = header === undefined ? null : /^\s*bytes=(\d*)-(\d*)\s*$/.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === "" ? Infinity : Number(m[2]);
  if (last < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(last, size - 1) };
}

/** Answers `body` whole, or the part the Range header asks for (206, or 416). */
export function rangedResponse(
  rangeHeader: string | undefined,
  body: Blob | Uint8Array,
  headers: Record<string, string>,
): Response {
  const size = body instanceof Blob ? body.size : body.length;
  const range = parseRange(rangeHeader, size);
  if (range === undefined) return new Response(body, { headers });
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${size}` } });
  }
  const part = body instanceof Blob
    ? body.slice(range.start, range.end + 1)
    : body.subarray(range.start, range.end + 1);
  return new Response(part, {
    status: 206,
    headers: { ...headers, "Content-Range": `bytes ${range.start}-${range.end}/${size}` },
  });
}
