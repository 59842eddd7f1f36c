// The part of XMLHttpRequest that browser-only clients (dicomweb-client) use, over fetch, so
// that they run in bun's tests as in a viewer.
export class XhrOverFetch {
  readyState = 0;
  status = 0;
  response: unknown = null;
  responseType = "";
  withCredentials = false;
  onreadystatechange: (() => void) | null = null;
  onloadstart: (() => void) | null = null;
  onloadend: (() => void) | null = null;
  onprogress: (() => void) | null = null;
  onerror: ((error: unknown) => void) | null = null;
  private method = "GET";
  private url = "";
  private readonly headers = new Headers();
  private answerHeaders = new Headers();

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
    this.readyState = 1;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers.set(name, value);
  }

  getResponseHeader(name: string): string | null {
    return this.answerHeaders.get(name);
  }

  getAllResponseHeaders(): string {
    return [...this.answerHeaders].map(([k, v]) => `${k}: ${v}\r\n`).join("");
  }

  send(body?: BodyInit): void {
    this.onloadstart?.();
    fetch(this.url, { method: this.method, headers: this.headers, body: body ?? null })
      .then(async (answer) => {
        this.status = answer.status;
        this.answerHeaders = answer.headers;
        const bytes = await answer.arrayBuffer();
        const text = () => new TextDecoder().decode(bytes);
        this.response = this.responseType === "arraybuffer"
          ? bytes
          : this.responseType === "json"
          ? (bytes.byteLength > 0 ? JSON.parse(text()) : null)
          : text();
        this.readyState = 4;
        this.onreadystatechange?.();
        this.onloadend?.();
      })
      .catch((error) => this.onerror?.(error));
  }
}
