// The datasets of the DICOM SCP callbacks as plugins see them: a received identifier in Orthanc's
// simplified JSON, and a plugin's answer (keyword or tag → text, number or items) encoded in the
// identifier's transfer syntax with the dictionary's VRs.
import { type Encoding, textDecoding } from "../dicom/charsets.ts";
import { resolveTag } from "../dicom/dictionary.ts";
import { elementBytes, findElement, latin1 } from "../dicom/parser.ts";
import { type Tag, Tags } from "../dicom/tag.ts";
import { datasetToJson } from "../dicom/tags-json.ts";
import {
  type Element,
  encodeDataset,
  parseIdentifier,
  sequenceElement,
  textElement,
  vrOf,
} from "../dimse/codec.ts";
import type { Identifier } from "../dimse/types.ts";
import type { DicomAnswer } from "./pharos-plugin.d.ts";

const QUERY_RETRIEVE_LEVEL = 0x00080052;

/** The identifier as plugins read it, and its QueryRetrieveLevel. */
export function readQuery(
  identifier: Identifier,
  fallback: Encoding,
): { level: string; query: Record<string, unknown> } {
  const dataset = parseIdentifier(identifier.bytes, identifier.transferSyntax);
  const cs = findElement(dataset, Tags.SpecificCharacterSet);
  const decoding = textDecoding(
    cs ? latin1(elementBytes(dataset, cs)).split("\\") : undefined,
    fallback,
  );
  const level = findElement(dataset, QUERY_RETRIEVE_LEVEL);
  return {
    level: level ? latin1(elementBytes(dataset, level)).trim() : "",
    query: datasetToJson(dataset, decoding, "simplify"),
  };
}

const BINARY_INTEGERS: Record<string, { bytes: number; signed: boolean }> = {
  US: { bytes: 2, signed: false },
  SS: { bytes: 2, signed: true },
  UL: { bytes: 4, signed: false },
  SL: { bytes: 4, signed: true },
};

function integerElement(tag: Tag, vr: string, value: number): Element {
  const { bytes, signed } = BINARY_INTEGERS[vr]!;
  const out = new DataView(new ArrayBuffer(bytes));
  if (bytes === 2) signed ? out.setInt16(0, value, true) : out.setUint16(0, value, true);
  else signed ? out.setInt32(0, value, true) : out.setUint32(0, value, true);
  return { tag, vr, value: new Uint8Array(out.buffer) };
}

function hasNonAscii(answer: DicomAnswer): boolean {
  return Object.values(answer).some((v) =>
    typeof v === "string" ? /[\u0080-\uffff]/.test(v) : Array.isArray(v) && v.some(hasNonAscii)
  );
}

function elementsOf(answer: DicomAnswer, transferSyntax: string, utf8: boolean): Element[] {
  if (!answer || typeof answer !== "object" || Array.isArray(answer)) {
    throw new TypeError("an answer must be an object of tags");
  }
  const out: Element[] = [];
  for (const [key, value] of Object.entries(answer)) {
    const tag = resolveTag(key);
    if (tag === undefined) throw new TypeError(`unknown tag in an answer: ${key}`);
    const vr = vrOf(tag);
    if (Array.isArray(value)) {
      const items = value.map((item) => elementsOf(item, transferSyntax, utf8));
      out.push(sequenceElement(tag, items, transferSyntax));
    } else if (typeof value === "number" && vr in BINARY_INTEGERS) {
      out.push(integerElement(tag, vr, value));
    } else if (typeof value === "string" || typeof value === "number") {
      out.push(textElement(tag, vr, String(value), utf8));
    } else {
      throw new TypeError(`bad value for ${key} in an answer: ${JSON.stringify(value)}`);
    }
  }
  return out;
}

/** A plugin's answer as a dataset in the identifier's transfer syntax. */
export function encodeAnswer(answer: DicomAnswer, transferSyntax: string): Uint8Array {
  const declared = Object.entries(answer).find(([k]) =>
    resolveTag(k) === Tags.SpecificCharacterSet
  );
  const nonAscii = hasNonAscii(answer);
  const utf8 = declared ? String(declared[1]).includes("ISO_IR 192") : nonAscii;
  const elements = elementsOf(answer, transferSyntax, utf8);
  if (!declared && nonAscii) {
    elements.push(textElement(Tags.SpecificCharacterSet, "CS", "ISO_IR 192"));
  }
  return encodeDataset(elements, transferSyntax);
}
