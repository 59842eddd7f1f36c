// Text written in a dataset's SpecificCharacterSet: values arrive as Unicode strings (JSON is
// UTF-8) and are stored in the bytes the character set names, as Orthanc converts them.
import { textDecoding } from "../dicom/charsets.ts";

/** The VRs whose text SpecificCharacterSet governs (PS3.5 6.1.2.3); the others are ASCII. */
const CHARSET_VRS: ReadonlySet<string> = new Set(["SH", "LO", "ST", "LT", "UT", "UC", "PN"]);

export const usesCharset = (vr: string): boolean => CHARSET_VRS.has(vr);

const utf8 = new TextEncoder();
const reverseTables = new Map<string, Map<string, number[]>>();

/**
 * Unicode → bytes for a character set, built once by decoding every byte (and, for GB18030,
 * every two-byte sequence) of it.
 */
function reverseTable(term: string): Map<string, number[]> {
  let table = reverseTables.get(term);
  if (table) return table;
  table = new Map();
  const add = (char: string, bytes: number[]) => {
    if (char.length === 1 && char !== "\ufffd" && !table!.has(char)) table!.set(char, bytes);
  };
  if (term === "GB18030" || term === "GBK") {
    const decoder = new TextDecoder("gb18030");
    for (let byte = 0; byte < 0x80; byte++) add(String.fromCharCode(byte), [byte]);
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail !== 0x7f) add(decoder.decode(Uint8Array.of(lead, trail)), [lead, trail]);
      }
    }
    // The rest of the Basic Multilingual Plane takes four bytes, from 81 30 81 30 to 84 39 FE 39.
    for (let b1 = 0x81; b1 <= 0x84; b1++) {
      for (let b2 = 0x30; b2 <= 0x39; b2++) {
        for (let b3 = 0x81; b3 <= 0xfe; b3++) {
          for (let b4 = 0x30; b4 <= 0x39; b4++) {
            add(decoder.decode(Uint8Array.of(b1, b2, b3, b4)), [b1, b2, b3, b4]);
          }
        }
      }
    }
  } else {
    const decoding = textDecoding([term], "Latin1");
    const end = term === "ISO_IR 6" ? 0x80 : 0x100;
    for (let byte = 0; byte < end; byte++) add(decoding.decode(Uint8Array.of(byte)), [byte]);
  }
  reverseTables.set(term, table);
  return table;
}

/** The sets text is written in: single-byte ones (ISO_IR 6 standing for ASCII), and GB18030. */
const WRITABLE: ReadonlySet<string> = new Set([
  "ISO_IR 6",
  "ISO_IR 13",
  "ISO_IR 100",
  "ISO_IR 101",
  "ISO_IR 109",
  "ISO_IR 110",
  "ISO_IR 126",
  "ISO_IR 127",
  "ISO_IR 138",
  "ISO_IR 144",
  "ISO_IR 148",
  "ISO_IR 166",
  "WINDOWS-1251",
  "GB18030",
  "GBK",
]);

/** The first term of a SpecificCharacterSet value, normalised ("" when absent). */
function primaryCharset(value: string | undefined): string {
  return (value ?? "").split("\\")[0]!.trim().toUpperCase();
}

/**
 * `text` in the bytes of `charset` (a SpecificCharacterSet value). A character the set cannot
 * hold is dropped, as Orthanc's conversion drops it. With ISO 2022 code extensions, text is
 * written in the first set only (no escape sequences).
 */
export function encodeText(text: string, charset: string): Uint8Array {
  if ([...text].every((c) => c.charCodeAt(0) < 0x80)) return utf8.encode(text);
  const extended = charset.toUpperCase().includes("ISO 2022");
  let term = primaryCharset(charset).replace(/^ISO 2022 /, "ISO_");
  if (term === "ISO_IR 192") return utf8.encode(text);
  // Without code extensions, no character set named means the default one; with them, ASCII.
  if (!extended && term === "") term = "ISO_IR 100";
  if (!WRITABLE.has(term)) term = "ISO_IR 6";
  const table = reverseTable(term);
  return Uint8Array.from([...text].flatMap((c) => table.get(c) ?? []));
}

/** Decodes bytes of a text element in a SpecificCharacterSet value. */
export function decodeText(bytes: Uint8Array, charset: string): string {
  const terms = charset === "" ? undefined : charset.split("\\");
  return textDecoding(terms, "Latin1").decode(bytes);
}
