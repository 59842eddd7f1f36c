// multipart/related bodies of the DICOMweb client: the STOW-RS request it writes, and the parts
// of a WADO-RS answer it reads.

/** A STOW-RS request's multipart/related framing, as the plugin writes it. */
export class StowFraming {
  readonly boundary = `${crypto.randomUUID()}-${crypto.randomUUID()}`;
  private readonly encoder = new TextEncoder();

  get contentType(): string {
    return `multipart/related; type="application/dicom"; boundary=${this.boundary}`;
  }

  /** One file as a part (with its Content-Length, as the plugin gives it). */
  part(file: Uint8Array): Uint8Array[] {
    const head = `--${this.boundary}\r\nContent-Type: application/dicom\r\n` +
      `Content-Length: ${file.length}\r\n\r\n`;
    return [this.encoder.encode(head), file, this.encoder.encode("\r\n")];
  }

  /** The closing delimiter. */
  end(): Uint8Array {
    return this.encoder.encode(`--${this.boundary}--`);
  }
}

/** The boundary of a multipart Content-Type, quoted or not. */
export function boundaryOf(contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** The bodies of the parts of a multipart answer (their headers dropped). */
export function multipartParts(body: Uint8Array, boundary: string): Uint8Array[] {
  const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Uint8Array[] = [];
  let at = data.indexOf(delimiter);
  while (at >= 0) {
    const afterDelimiter = at + delimiter.length;
    if (data.subarray(afterDelimiter, afterDelimiter + 2).toString() === "--") break;
    const headersEnd = data.indexOf("\r\n\r\n", afterDelimiter);
    if (headersEnd < 0) break;
    const next = data.indexOf(delimiter, headersEnd + 4);
    if (next < 0) break;
    // The CRLF before the next delimiter belongs to it.
    const end = data[next - 2] === 13 && data[next - 1] === 10 ? next - 2 : next;
    parts.push(new Uint8Array(data.subarray(headersEnd + 4, end)));
    at = next;
  }
  return parts;
}
