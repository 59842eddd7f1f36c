// The XML bodies of Orthanc's WebDAV server, byte for byte as its pugixml writer lays them out
// (two-space indentation, "<D:x />" for empty elements): PROPFIND multistatus, and the faked
// answers to PROPPATCH and LOCK that Windows and davfs2 need before they write.

interface XmlNode {
  name: string;
  text?: string;
  children?: XmlNode[];
}

/** pugixml escapes &, < and > in text, and control characters as numeric references. */
function escapeText(text: string): string {
  // deno-lint-ignore no-control-regex -- control characters are what must be escaped
  return text.replace(/[&<>\x01-\x08\x0b\x0c\x0e-\x1f]/g, (c) => {
    if (c === "&") return "&amp;";
    if (c === "<") return "&lt;";
    if (c === ">") return "&gt;";
    return `&#${c.charCodeAt(0)};`;
  });
}

function render(node: XmlNode, depth: number, attributes = ""): string {
  const pad = "  ".repeat(depth);
  if (node.text !== undefined) {
    return `${pad}<${node.name}${attributes}>${escapeText(node.text)}</${node.name}>\n`;
  }
  if (!node.children || node.children.length === 0) return `${pad}<${node.name}${attributes} />\n`;
  const inner = node.children.map((c) => render(c, depth + 1)).join("");
  return `${pad}<${node.name}${attributes}>\n${inner}${pad}</${node.name}>\n`;
}

function document(root: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(root, 0, ' xmlns:D="DAV:"')}`;
}

const el = (name: string, ...children: XmlNode[]): XmlNode => ({ name, children });
const text = (name: string, value: string): XmlNode => ({ name, text: value });

/** Orthanc's percent-encoding of hrefs: everything but A-Z a-z 0-9 - _ . ~ and "/". */
export function encodeHref(path: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(path)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~/]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** A date as Orthanc writes it in WebDAV (boost's ISO extended format, "Z" for UTC). */
export function davDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** One entry of a PROPFIND answer. */
export interface DavEntry {
  href: string;
  name: string;
  created: Date;
  modified: Date;
  /** Files only. */
  file?: { size: number; mimeType: string };
}

function response(entry: DavEntry): XmlNode {
  const props = [
    text("D:displayname", entry.name),
    text("D:creationdate", davDate(entry.created)),
    text("D:getlastmodified", davDate(entry.modified)),
  ];
  if (entry.file) {
    props.push(
      el("D:resourcetype"),
      text("D:getcontentlength", String(entry.file.size)),
      text("D:getcontenttype", entry.file.mimeType),
    );
  } else props.push(el("D:resourcetype", el("D:collection")));
  return el(
    "D:response",
    text("D:href", entry.href),
    el("D:propstat", text("D:status", "HTTP/1.1 200 OK"), el("D:prop", ...props)),
  );
}

export function multistatusXml(entries: DavEntry[]): string {
  return document(el("D:multistatus", ...entries.map(response)));
}

/** Orthanc accepts every PROPPATCH without changing anything. */
export function proppatchXml(uri: string): string {
  return document(el("D:multistatus", el("D:response", text("D:href", uri), el("D:propstat"))));
}

/** Orthanc grants every LOCK without locking anything. */
export function lockXml(uri: string, token: string): string {
  return document(
    el(
      "D:prop",
      el(
        "D:lockdiscovery",
        el(
          "D:activelock",
          el("D:locktype", el("D:write")),
          el("D:lockscope", el("D:exclusive")),
          text("D:depth", "0"),
          text("D:timeout", "Second-3599"),
          el("D:lockroot", text("D:href", uri)),
          el("D:owner"),
          el("D:locktoken", text("D:href", token)),
        ),
      ),
    ),
  );
}
