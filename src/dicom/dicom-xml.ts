// The Native DICOM Model (PS3.19 Annex A) as Orthanc 1.10.1 writes it: converted from its DICOM
// JSON (dicom-json.ts), quirks included (each item of a sequence followed by an empty Value, reals
// as single-precision floats), laid out byte for byte as pugixml saves it.
import { tagName, UNKNOWN_TAG_NAME } from "./dictionary.ts";
import type { DicomJsonDataset, DicomJsonValue, PersonNameJson } from "./dicom-json.ts";
import { formatG } from "./values.ts";

interface XmlNode {
  name: string;
  attributes: [string, string][];
  /** Set (even to "") when the element holds text. */
  text?: string;
  children: XmlNode[];
}

const node = (name: string, attributes: [string, string][] = [], text?: string): XmlNode => ({
  name,
  attributes,
  ...(text === undefined ? {} : { text }),
  children: [],
});

const NAME_COMPONENTS = ["FamilyName", "GivenName", "MiddleName", "NamePrefix", "NameSuffix"];
const NAME_GROUPS = ["Alphabetic", "Ideographic", "Phonetic"] as const;

function personName(name: PersonNameJson, number: string): XmlNode | undefined {
  const groups = NAME_GROUPS.filter((g) => typeof name[g] === "string");
  if (groups.length === 0) return undefined;
  const out = node("PersonName", [["number", number]]);
  for (const group of groups) {
    const xml = node(group);
    name[group]!.split("^").slice(0, NAME_COMPONENTS.length).forEach((component, i) => {
      xml.children.push(node(NAME_COMPONENTS[i]!, [], component));
    });
    out.children.push(xml);
  }
  return out;
}

/**
 * Numbers as pugixml writes what JsonCpp holds: integers as they are, doubles through a float
 * ("%.9g").
 */
function valueText(value: DicomJsonValue): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value !== "number") return undefined;
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 53) return String(value);
  return formatG(Math.fround(value), 9);
}

function attributeNodes(json: DicomJsonDataset): XmlNode[] {
  return Object.keys(json).sort().map((key) => {
    const { vr, Value, InlineBinary, BulkDataURI } = json[key]!;
    const attributes: [string, string][] = [["tag", key], ["vr", vr]];
    const keyword = tagName(parseInt(key, 16));
    if (keyword !== UNKNOWN_TAG_NAME) attributes.push(["keyword", keyword]);
    const out = node("DicomAttribute", attributes);
    if (Value) {
      Value.forEach((value, j) => {
        const number = String(j + 1);
        if (vr === "SQ" && value !== null && typeof value === "object") {
          const item = node("Item", [["number", number]]);
          item.children = attributeNodes(value as DicomJsonDataset);
          out.children.push(item);
        }
        if (vr === "PN") {
          const name = value !== null && typeof value === "object"
            ? personName(value as PersonNameJson, number)
            : undefined;
          if (name) out.children.push(name);
        } else {
          // Orthanc writes this for the items of a sequence too, with no text.
          out.children.push(node("Value", [["number", number]], valueText(value)));
        }
      });
    } else if (BulkDataURI !== undefined) {
      out.children.push(node("BulkData", [["URI", BulkDataURI]]));
    } else if (InlineBinary !== undefined) {
      out.children.push(node("InlineBinary", [], InlineBinary));
    }
    return out;
  });
}

/** pugixml's escapes: &, < and > always, quotes in attributes, control characters as "&#NN;". */
function escape(text: string, attribute: boolean): string {
  // deno-lint-ignore no-control-regex -- control characters are what must be escaped
  const special = attribute ? /[&<>"\x01-\x1f]/g : /[&<>\x01-\x08\x0b\x0c\x0e-\x1f]/g;
  return text.replace(special, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      default:
        return `&#${String(c.charCodeAt(0)).padStart(2, "0")};`;
    }
  });
}

function render(n: XmlNode, depth: number): string {
  const pad = "  ".repeat(depth);
  const attributes = n.attributes.map(([k, v]) => ` ${k}="${escape(v, true)}"`).join("");
  if (n.text !== undefined) {
    return `${pad}<${n.name}${attributes}>${escape(n.text, false)}</${n.name}>\n`;
  }
  if (n.children.length === 0) return `${pad}<${n.name}${attributes} />\n`;
  const inner = n.children.map((c) => render(c, depth + 1)).join("");
  return `${pad}<${n.name}${attributes}>\n${inner}${pad}</${n.name}>\n`;
}

const NATIVE_DICOM = "http://dicom.nema.org/PS3.19/models/NativeDICOM";

/** The XML document of a dataset given in DICOM JSON. */
export function dicomXml(json: DicomJsonDataset): string {
  const root = node("NativeDicomModel", [
    ["xmlns", NATIVE_DICOM],
    ["xsi:schemaLocation", NATIVE_DICOM],
    ["xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"],
  ]);
  root.children = attributeNodes(json);
  return `<?xml version="1.0" encoding="utf-8"?>\n${render(root, 0)}`;
}
