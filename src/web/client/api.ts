// The REST API as the UI calls it: relative to /ui/app/, so that it works behind a reverse proxy,
// with the server's errors turned into readable messages.

/** The server's root, seen from /ui/app/. */
export const ROOT = "../../";

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

interface OrthancErrorBody {
  Message?: string;
  Details?: string;
}

/** Orthanc's error JSON (Message, Details) or the bare status, as one sentence. */
export async function errorOf(response: Response): Promise<ApiError> {
  let text = "";
  try {
    const body = await response.json() as OrthancErrorBody;
    text = [body.Message, body.Details].filter(Boolean).join(": ");
  } catch {
    // A bare status (Orthanc answers some errors without a body).
  }
  const reason = text || response.statusText || "request failed";
  return new ApiError(response.status, `The server answered ${response.status}: ${reason}`);
}

export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(ROOT + path, init);
  } catch {
    throw new ApiError(0, "The server cannot be reached. Is Pharos running?");
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

export async function getJson<T>(path: string): Promise<T> {
  return await (await call(path)).json() as T;
}

export async function postJson<T>(path: string, body: unknown, method = "POST"): Promise<T> {
  const response = await call(path, {
    method,
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
  });
  const text = await response.text();
  return (text ? JSON.parse(text) : {}) as T;
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
