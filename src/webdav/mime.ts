// The MIME types Orthanc 1.10.1 shows in WebDAV: its MimeType enumeration. A file's type is guessed
// from its extension (SystemToolbox::AutodetectMimeType), and a type a plugin gives is kept only
// when Orthanc knows it (LookupMimeType), since Orthanc stores the enumeration, not the text.

const BINARY = "application/octet-stream";

const BY_EXTENSION = new Map(Object.entries({
  ".txt": "text/plain",
  ".html": "text/html",
  ".xml": "application/xml",
  ".css": "text/css",
  ".js": "application/javascript",
  ".json": "application/json",
  ".nmf": "application/json",
  ".pdf": "application/pdf",
  ".wasm": "application/wasm",
  ".nexe": "application/x-nacl",
  ".pexe": "application/x-pnacl",
  ".dcm": "application/dicom",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".png": "image/png",
  ".pam": "image/x-portable-arbitrarymap",
  ".svg": "image/svg+xml",
  ".woff": "application/x-font-woff",
  ".woff2": "font/woff2",
  ".ico": "image/x-icon",
  ".gz": "application/gzip",
  ".zip": "application/zip",
}));

const KNOWN = new Set([
  BINARY,
  "application/dicom",
  "image/jp2",
  "application/dicom+json",
  "application/dicom+xml",
  ...BY_EXTENSION.values(),
]);

/** Orthanc reads two more spellings as one of its types. */
const ALIASES = new Map([["image/jpg", "image/jpeg"], ["text/xml", "application/xml"]]);

/** The type of a file from its name's extension (lower-cased), application/octet-stream if unknown. */
export function autodetectMimeType(name: string): string {
  const dot = name.lastIndexOf(".");
  return (dot >= 0 && BY_EXTENSION.get(name.slice(dot).toLowerCase())) || BINARY;
}

/** The type Orthanc shows for `mime` (matched exactly), or undefined when it has no such type. */
export function lookupMimeType(mime: string): string | undefined {
  return KNOWN.has(mime) ? mime : ALIASES.get(mime);
}
