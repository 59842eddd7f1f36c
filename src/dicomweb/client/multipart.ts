// multipart/related bodies of the DICOMweb client: the STOW-RS request it writes, and the parts
// of a WADO-RS answer it reads.

/** A multipart/related body of DICOM files, and its Content-Type. */
export function multipartDicom(files: Uint8Array[]): { body: Uint8Array; contentType: string } {
  const boundary = `pharos-${crypto.randomUUID()}`;
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const file of files) {
    chunks.push(encoder.encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`));
    chunks.push(file);
    chunks.push(encoder.encode("\r\n"));
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  return {
    body: Buffer.concat(chunks),
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
  };
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
