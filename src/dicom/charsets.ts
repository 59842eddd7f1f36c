// SpecificCharacterSet (0008,0005) decoding, including ISO 2022 code extensions, so that
// text renders as Orthanc renders it.

/** Orthanc's encoding names (DefaultEncoding option and /tools/default-encoding). */
export const ENCODINGS = [
  "Ascii",
  "Utf8",
  "Latin1",
  "Latin2",
  "Latin3",
  "Latin4",
  "Latin5",
  "Cyrillic",
  "Windows1251",
  "Arabic",
  "Greek",
  "Hebrew",
  "Thai",
  "Japanese",
  "Chinese",
  "JapaneseKanji",
  "Korean",
  "SimplifiedChinese",
] as const;
export type Encoding = (typeof ENCODINGS)[number];

export function isEncoding(name: string): name is Encoding {
  return (ENCODINGS as readonly string[]).includes(name);
}

type G0 = "ascii" | "romaji" | "jisx0208" | "jisx0212";
type G1 = "none" | "katakana" | "ksx1001" | "gb2312" | { single: string };

interface CharsetTerm {
  g0: G0;
  g1: G1;
}

const decoders = new Map<string, TextDecoder>();
function decoder(label: string): TextDecoder {
  let d = decoders.get(label);
  if (!d) {
    d = new TextDecoder(label);
    decoders.set(label, d);
  }
  return d;
}

/** ISO-8859-1 proper (WHATWG's "latin1" is windows-1252, which differs in 0x80–0x9F). */
function latin1(bytes: Uint8Array): string {
  // Most values are ASCII, which the native UTF-8 decoder reads as well, in one flat string.
  let ascii = true;
  for (let i = 0; i < bytes.length && ascii; i++) ascii = bytes[i]! < 0x80;
  if (ascii) return decoder("utf-8").decode(bytes);
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

const SINGLE_BYTE: Record<string, string> = {
  "ISO_IR 100": "iso-8859-1",
  "ISO_IR 101": "iso-8859-2",
  "ISO_IR 109": "iso-8859-3",
  "ISO_IR 110": "iso-8859-4",
  "ISO_IR 144": "iso-8859-5",
  "ISO_IR 127": "iso-8859-6",
  "ISO_IR 126": "iso-8859-7",
  "ISO_IR 138": "iso-8859-8",
  "ISO_IR 148": "iso-8859-9",
  "ISO_IR 166": "tis-620",
};

const ENCODING_CHARSET: Record<Encoding, string> = {
  Ascii: "ISO_IR 6",
  Utf8: "ISO_IR 192",
  Latin1: "ISO_IR 100",
  Latin2: "ISO_IR 101",
  Latin3: "ISO_IR 109",
  Latin4: "ISO_IR 110",
  Latin5: "ISO_IR 148",
  Cyrillic: "ISO_IR 144",
  Windows1251: "WINDOWS-1251",
  Arabic: "ISO_IR 127",
  Greek: "ISO_IR 126",
  Hebrew: "ISO_IR 138",
  Thai: "ISO_IR 166",
  Japanese: "ISO_IR 13",
  Chinese: "GB18030",
  JapaneseKanji: "ISO 2022 IR 87",
  Korean: "ISO 2022 IR 149",
  SimplifiedChinese: "ISO 2022 IR 58",
};

export function charsetOfEncoding(encoding: Encoding): string {
  return ENCODING_CHARSET[encoding];
}

/**
 * Whether Orthanc knows the character set a SpecificCharacterSet value names (its first term):
 * those of its encodings, their ISO 2022 forms and GBK.
 */
export function isKnownCharset(value: string): boolean {
  const term = value.split("\\")[0]!.trim().toUpperCase();
  if (term === "" || term === "GBK") return true;
  return Object.values(ENCODING_CHARSET).some((charset) =>
    term === charset || term === charset.replace("ISO_IR ", "ISO 2022 IR ")
  );
}

function singleByteDecode(label: string, bytes: Uint8Array): string {
  return label === "iso-8859-1" ? latin1(bytes) : decoder(label).decode(bytes);
}

/** Shift_JIS as DICOM's ISO_IR 13 means it: JIS X 0201, where 0x5C is the yen sign. */
function jisx0201(bytes: Uint8Array): string {
  return decoder("shift_jis").decode(bytes).replace(/\\/g, "\u00a5").replace(/~/g, "\u203e");
}

export interface TextDecoding {
  decode(bytes: Uint8Array): string;
}

/**
 * Builds the decoder for a SpecificCharacterSet value (its components split on "\").
 * `fallback` is the DefaultEncoding used when the attribute is absent or unknown.
 */
export function textDecoding(terms: string[] | undefined, fallback: Encoding): TextDecoding {
  const cleaned = (terms ?? []).map((t) => t.trim().toUpperCase());
  if (cleaned.length === 0 || (cleaned.length === 1 && cleaned[0] === "")) {
    return textDecoding([charsetOfEncoding(fallback)], "Latin1");
  }
  if (cleaned.length === 1 && !cleaned[0]!.startsWith("ISO 2022")) {
    const single = cleaned[0]!;
    if (single === "ISO_IR 192") return { decode: (b) => decoder("utf-8").decode(b) };
    if (single === "GB18030" || single === "GBK") {
      return { decode: (b) => decoder("gb18030").decode(b) };
    }
    if (single === "ISO_IR 13") return { decode: jisx0201 };
    if (single === "WINDOWS-1251") return { decode: (b) => decoder("windows-1251").decode(b) };
    if (single === "ISO_IR 6") return { decode: latin1 };
    const label = SINGLE_BYTE[single];
    if (label) return { decode: (b) => singleByteDecode(label, b) };
    return textDecoding(undefined, fallback === "Ascii" ? "Latin1" : fallback);
  }
  if (cleaned[0] === "ISO 2022 IR 13") {
    // Orthanc 1.10 renders this combination as plain ISO_IR 13 with the escapes removed.
    return { decode: (bytes) => jisx0201(stripEscapes(bytes)) };
  }
  const initial = termFor(cleaned[0]!) ?? { g0: "ascii", g1: "none" };
  return { decode: (bytes) => decodeIso2022(bytes, initial) };
}

function termFor(term: string): CharsetTerm | undefined {
  switch (term) {
    case "":
    case "ISO 2022 IR 6":
      return { g0: "ascii", g1: "none" };
    case "ISO 2022 IR 13":
      return { g0: "romaji", g1: "katakana" };
    case "ISO 2022 IR 87":
      return { g0: "jisx0208", g1: "none" };
    case "ISO 2022 IR 159":
      return { g0: "jisx0212", g1: "none" };
    case "ISO 2022 IR 149":
      return { g0: "ascii", g1: "ksx1001" };
    case "ISO 2022 IR 58":
      return { g0: "ascii", g1: "gb2312" };
    default: {
      const label = SINGLE_BYTE[term.replace("ISO 2022 IR ", "ISO_IR ")];
      return label ? { g0: "ascii", g1: { single: label } } : undefined;
    }
  }
}

const ESC = 0x1b;

/** Applies an escape sequence at `pos`; returns its length, or 0 if not recognised. */
function applyEscape(bytes: Uint8Array, pos: number, state: CharsetTerm): number {
  const a = bytes[pos + 1];
  const b = bytes[pos + 2];
  const c = bytes[pos + 3];
  if (a === 0x28 && b === 0x42) return (state.g0 = "ascii", 3);
  if (a === 0x28 && b === 0x4a) return (state.g0 = "romaji", 3);
  if (a === 0x29 && b === 0x49) return (state.g1 = "katakana", 3);
  if (a === 0x24 && b === 0x42) return (state.g0 = "jisx0208", 3);
  if (a === 0x24 && b === 0x28 && c === 0x44) return (state.g0 = "jisx0212", 4);
  if (a === 0x24 && b === 0x29 && c === 0x43) return (state.g1 = "ksx1001", 4);
  if (a === 0x24 && b === 0x29 && c === 0x41) return (state.g1 = "gb2312", 4);
  if (a === 0x2d && b !== undefined) {
    const label = ({
      0x41: "iso-8859-1",
      0x42: "iso-8859-2",
      0x43: "iso-8859-3",
      0x44: "iso-8859-4",
      0x4c: "iso-8859-5",
      0x47: "iso-8859-6",
      0x46: "iso-8859-7",
      0x48: "iso-8859-8",
      0x4d: "iso-8859-9",
      0x54: "tis-620",
    } as Record<number, string>)[b];
    if (label) return (state.g1 = { single: label }, 3);
  }
  return 0;
}

function stripEscapes(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === ESC) {
      i += (applyEscape(bytes, i, { g0: "ascii", g1: "none" }) || 1) - 1;
      continue;
    }
    out.push(bytes[i]!);
  }
  return new Uint8Array(out);
}

function decodeRun(bytes: Uint8Array, state: CharsetTerm): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const high = bytes[i]! >= 0x80;
    let j = i;
    while (j < bytes.length && (bytes[j]! >= 0x80) === high) j++;
    const part = bytes.subarray(i, j);
    out += high ? decodeG1(part, state.g1) : decodeG0(part, state.g0);
    i = j;
  }
  return out;
}

function decodeG0(part: Uint8Array, g0: G0): string {
  switch (g0) {
    case "ascii":
      return latin1(part);
    case "romaji":
      return latin1(part).replace(/\\/g, "\u00a5").replace(/~/g, "\u203e");
    case "jisx0208":
      return decoder("euc-jp").decode(part.map((b) => b | 0x80));
    case "jisx0212": {
      const out: number[] = [];
      for (let k = 0; k + 1 < part.length; k += 2) {
        out.push(0x8f, part[k]! | 0x80, part[k + 1]! | 0x80);
      }
      return decoder("euc-jp").decode(new Uint8Array(out));
    }
  }
}

function decodeG1(part: Uint8Array, g1: G1): string {
  if (g1 === "none") return latin1(part);
  if (g1 === "katakana") return decoder("shift_jis").decode(part);
  if (g1 === "ksx1001") return decoder("euc-kr").decode(part);
  if (g1 === "gb2312") return decoder("gb18030").decode(part);
  return singleByteDecode(g1.single, part);
}

function isDelimiter(byte: number): boolean {
  // Code extensions reset to the initial state at value and component delimiters and controls.
  return byte === 0x5c || byte === 0x0d || byte === 0x0a || byte === 0x09 || byte === 0x0c ||
    byte === 0x3d || byte === 0x5e;
}

function decodeIso2022(bytes: Uint8Array, initial: CharsetTerm): string {
  let state: CharsetTerm = { ...initial };
  let out = "";
  let runStart = 0;
  let i = 0;
  const flush = (end: number) => {
    if (end > runStart) out += decodeRun(bytes.subarray(runStart, end), state);
  };
  while (i < bytes.length) {
    const byte = bytes[i]!;
    if (byte === ESC) {
      flush(i);
      const used = applyEscape(bytes, i, state);
      i += used || 1;
      runStart = i;
      continue;
    }
    // Only single-byte G0 sets have delimiters; inside JIS X 0208 a 0x5C is half a character.
    if (isDelimiter(byte) && (state.g0 === "ascii" || state.g0 === "romaji")) {
      flush(i);
      out += String.fromCharCode(byte);
      state = { ...initial };
      runStart = i + 1;
    }
    i++;
  }
  flush(bytes.length);
  return out;
}
