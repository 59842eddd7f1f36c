// An HTTP answer as the comparisons with Orthanc 1.10.1 see it: status, content type of a
// success, and the body parsed as JSON when it is JSON.

export interface ComparedAnswer {
  status: number;
  /** The content type of a success; null for an error (Orthanc 1.10.1 labels no error body). */
  type: string | null;
  body: unknown;
}

export async function askForComparison(
  base: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<ComparedAnswer> {
  const r = await fetch(base + path, { method, body, headers });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: compared as text.
  }
  const type = r.status < 400 ? r.headers.get("content-type") : null;
  return { status: r.status, type, body: parsed };
}
