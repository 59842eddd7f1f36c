// Text written in a dataset's SpecificCharacterSet: values arrive as Unicode strings (JSON is
// UTF-8) and are stored in the bytes the character set names, as Orthanc converts them.
import { textDecoding } from "../dicom/charsets.ts";

/** A character set Pharos cannot write text in (the ISO 2022 code extensions, GB18030). */
export class CharsetError extends Error {}

/** The VRs whose text SpecificCharacterSet governs (PS3.5 6.1.2.3); the others are ASCII. */
const CHARSET_VRS: ReadonlySet<string> = new Set(["SH", "LO", "ST", "LT", "UT", "UC", "PN"]);

export const usesCharset = (vr: string): boolean => CHARSET_VRS.has(vr);

const utf8 = new TextEncoder();
const reverseTables = new Map<string, Map<string, number>>();

/** Unicode → byte for a single-byte character set, built by decoding its 256 bytes. */
function reverseTable(term: string): Map<string, number> {
  let table = reverseTables.get(term);
  if (table) return table;
  const decoding = textDecoding([term], "Latin1");
  table = new Map();
  for (let byte = 0; byte < 256; byte++) {
    const char = decoding.decode(Uint8Array.of(byte));
    if (char.length === 1 && char !== "\ufffd" && !table.has(char)) table.set(char, byte);
  }
  reverseTables.set(term, table);
  return table;
}

/** The first term of a SpecificCharacterSet value, normalised ("" when absent). */
export function primaryCharset(value: string | undefined): string {
  return (value ?? "").split("\\")[0]!.trim().toUpperCase();
}

/**
 * `text` in the bytes of `charset` (a SpecificCharacterSet value). A character the set cannot
 * hold is written as "?", as a lossy conversion does.
 */
export function encodeText(text: string, charset: string): Uint8Array {
  if ([...text].every((c) => c.charCodeAt(0) < 0x80)) return utf8.encode(text);
  const term = primaryCharset(charset);
  if (term === "ISO_IR 192") return utf8.encode(text);
  if (charset.includes("ISO 2022") || term === "GB18030" || term === "GBK") {
    throw new CharsetError(`Cannot write text in the character set "${charset}"`);
  }
  const table = reverseTable(term === "" || term === "ISO_IR 6" ? "ISO_IR 100" : term);
  return Uint8Array.from([...text], (c) => table.get(c) ?? 0x3f);
}

/** Decodes bytes of a text element in a SpecificCharacterSet value. */
export function decodeText(bytes: Uint8Array, charset: string): string {
  const terms = charset === "" ? undefined : charset.split("\\");
  return textDecoding(terms, "Latin1").decode(bytes);
}
