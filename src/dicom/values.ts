// Decoding one element's value into the text Orthanc shows for it.
import type { TextDecoding } from "./charsets.ts";
import { lookupTag } from "./dictionary.ts";
import type { DicomDataset, DicomElement } from "./parser.ts";
import { isBinaryVr, isTextVr } from "./vr.ts";

const TRIM_LEADING_VRS = new Set([
  "AE",
  "AS",
  "CS",
  "DA",
  "DS",
  "DT",
  "IS",
  "LO",
  "SH",
  "TM",
  "UI",
]);

/** C's "%.17g" (glibc: exact decimal expansion, ties to even), which DCMTK uses for FL and FD. */
export function formatDouble(value: number): string {
  return formatG(value, 17);
}

/** C's "%.<precision>g" as glibc prints it (exact decimal expansion, ties to even). */
export function formatG(value: number, precision: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const negative = value < 0;
  // toPrecision(100) is exact for every double whose 18th digit could be a tie.
  const [mant, expText] = Math.abs(value).toExponential(99).split("e") as [string, string];
  let exp = Number(expText);
  const all = mant.replace(".", "");
  const digits = all.slice(0, precision).split("").map(Number);
  const rest = all.slice(precision);
  const last = precision - 1;
  const roundUp = rest[0]! > "5" ||
    (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || digits[last]! % 2 === 1));
  if (roundUp) {
    let i = last;
    while (i >= 0 && digits[i] === 9) digits[i--] = 0;
    if (i < 0) {
      digits.unshift(1);
      digits.pop();
      exp++;
    } else digits[i]!++;
  }
  const text = digits.join("");
  let out: string;
  if (exp < -4 || exp >= precision) {
    const m = `${text[0]}.${text.slice(1)}`.replace(/0+$/, "").replace(/\.$/, "");
    out = `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  } else if (exp < 0) {
    out = `0.${"0".repeat(-exp - 1)}${text}`.replace(/0+$/, "").replace(/\.$/, "");
  } else {
    out = `${text.slice(0, exp + 1)}.${text.slice(exp + 1)}`.replace(/0+$/, "").replace(/\.$/, "");
  }
  return negative ? `-${out}` : out;
}

function numbers(dataset: DicomDataset, e: DicomElement): string | undefined {
  const { view, littleEndian } = dataset.source;
  const read = (() => {
    switch (e.vr) {
      case "US":
        return { size: 2, get: (p: number) => String(view.getUint16(p, littleEndian)) };
      case "SS":
        return { size: 2, get: (p: number) => String(view.getInt16(p, littleEndian)) };
      case "UL":
        return { size: 4, get: (p: number) => String(view.getUint32(p, littleEndian)) };
      case "SL":
        return { size: 4, get: (p: number) => String(view.getInt32(p, littleEndian)) };
      case "FL":
        return { size: 4, get: (p: number) => formatDouble(view.getFloat32(p, littleEndian)) };
      case "FD":
        return { size: 8, get: (p: number) => formatDouble(view.getFloat64(p, littleEndian)) };
      case "SV":
        return { size: 8, get: (p: number) => view.getBigInt64(p, littleEndian).toString() };
      case "UV":
        return { size: 8, get: (p: number) => view.getBigUint64(p, littleEndian).toString() };
      case "AT":
        // Orthanc shows only the first attribute tag of a multi-valued AT.
        return {
          single: true,
          size: 4,
          get: (p: number) =>
            `${view.getUint16(p, littleEndian).toString(16).padStart(4, "0")},${
              view.getUint16(p + 2, littleEndian).toString(16).padStart(4, "0")
            }`,
        };
      default:
        return undefined;
    }
  })();
  if (!read) return undefined;
  const parts: string[] = [];
  for (let p = e.offset; p + read.size <= e.offset + e.length; p += read.size) {
    parts.push(read.get(p));
    if ("single" in read) break;
  }
  return parts.join("\\");
}

function trimBytes(bytes: Uint8Array, leading: boolean): Uint8Array {
  let start = 0;
  let end = bytes.length;
  while (end > start && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x00)) end--;
  if (leading) { while (start < end && bytes[start] === 0x20) start++; }
  return bytes.subarray(start, end);
}

/**
 * The value as Orthanc renders it: decoded text, numbers joined with "\", or undefined for
 * binary values and sequences (Orthanc shows those as null).
 */
export function elementText(
  dataset: DicomDataset,
  e: DicomElement,
  decoding: TextDecoding,
): string | undefined {
  return valueText(dataset, e, decoding, true);
}

/**
 * Orthanc shows no value longer than this many bytes of UTF-8 (its ORTHANC_MAXIMUM_TAG_LENGTH)
 * in /tags; it measures the value before stripping its leading spaces.
 */
const MAXIMUM_TAG_LENGTH = 256;
const utf8 = new TextEncoder();

/** Whether Orthanc shows this value as too long ("TooLong", null) in its JSON renderings. */
export function isTooLong(dataset: DicomDataset, e: DicomElement, decoding: TextDecoding): boolean {
  // Short text is within the limit even at three bytes of UTF-8 per byte (numbers are not
  // shown byte for byte, so they are always measured).
  if ((isTextVr(e.vr) || e.vr === "UN") && e.length * 3 <= MAXIMUM_TAG_LENGTH) return false;
  const text = valueText(dataset, e, decoding, false);
  return text !== undefined && utf8.encode(text).length > MAXIMUM_TAG_LENGTH;
}

function valueText(
  dataset: DicomDataset,
  e: DicomElement,
  decoding: TextDecoding,
  stripLeading: boolean,
): string | undefined {
  if (e.items || e.fragments) return undefined;
  const raw = dataset.source.bytes.subarray(e.offset, e.offset + e.length);
  if (e.vr === "UN") {
    // An element written as UN whose tag the dictionary knows as text is shown as text, but as
    // it is written: nothing is stripped. Other UN values are opaque.
    const known = lookupTag(e.tag, e.privateCreator)?.vr;
    return known !== undefined && isTextVr(known) ? decoding.decode(raw) : undefined;
  }
  if (isBinaryVr(e.vr)) return undefined;
  const n = numbers(dataset, e);
  if (n !== undefined) return n;
  // DCMTK strips the padding at the end of the whole value (and leading spaces of some VRs),
  // not around each of its components.
  return decoding.decode(trimBytes(raw, stripLeading && TRIM_LEADING_VRS.has(e.vr)));
}
