// Records which attributes Orthanc 1.10.1's /tools/create-dicom copies from a Parent, by level:
// a file holding one element of every dictionary tag is stored in a running Orthanc, then an
// instance is created under its patient, its study and its series, and the created files are
// compared with what was sent. Writes src/creating/modules.json (the tags each level adds to the
// level above). Usage: bun test/creating/record-modules.ts URL
import { recordableTags } from "../support/recordable-tags.ts";
import { elementBytes, latin1, parseDicom } from "../../src/dicom/parser.ts";
import { formatTag, type Tag } from "../../src/dicom/tag.ts";
import { TransferSyntax } from "../../src/dicom/uids.ts";
import { isTextVr } from "../../src/dicom/vr.ts";
import {
  type ElementToWrite,
  EXPLICIT_VR_LITTLE_ENDIAN,
  writeDataset,
  writeFileMeta,
} from "../../src/dicom/writer.ts";

const url = process.argv[2] ?? "http://localhost:8042";
const ascii = (t: string) => Uint8Array.from(t, (c) => c.charCodeAt(0));

const IDS: Record<number, string> = {
  0x00080016: "1.2.840.10008.5.1.4.1.1.7",
  0x00080018: "1.2.3.100",
  0x0020000d: "1.2.3.101",
  0x0020000e: "1.2.3.102",
  0x00100020: "PID",
};

function valueFor(vr: string): Uint8Array | undefined {
  const view = (n: number) => new DataView(new ArrayBuffer(n));
  switch (vr) {
    case "US": {
      const v = view(2);
      v.setUint16(0, 7, true);
      return new Uint8Array(v.buffer);
    }
    case "SS": {
      const v = view(2);
      v.setInt16(0, 7, true);
      return new Uint8Array(v.buffer);
    }
    case "UL":
    case "SL": {
      const v = view(4);
      v.setUint32(0, 7, true);
      return new Uint8Array(v.buffer);
    }
  }
  if (vr === "UI") return ascii("1.2.3.7");
  return isTextVr(vr) ? ascii("7") : undefined;
}

const elements: ElementToWrite[] = [];
const sent = new Map<Tag, Uint8Array>();
for (const { tag, vr } of recordableTags((tag) => tag >>> 16 === 0x7fe0)) {
  const value = IDS[tag] !== undefined ? ascii(IDS[tag]!) : valueFor(vr);
  if (!value) continue;
  elements.push({ tag, vr, value });
  sent.set(tag, value);
}
elements.sort((a, b) => a.tag - b.tag);
const meta = writeFileMeta([
  { tag: 0x00020001, vr: "OB", value: Uint8Array.of(0, 1) },
  { tag: 0x00020002, vr: "UI", value: ascii(IDS[0x00080016]!) },
  { tag: 0x00020003, vr: "UI", value: ascii(IDS[0x00080018]!) },
  { tag: 0x00020010, vr: "UI", value: ascii(TransferSyntax.ExplicitVrLittleEndian) },
]);
meta.append(writeDataset(elements, EXPLICIT_VR_LITTLE_ENDIAN));
const upload = await fetch(`${url}/instances`, { method: "POST", body: meta.bytes() });
const stored = await upload.json();
if (!upload.ok) throw new Error(JSON.stringify(stored));

const trimmed = (bytes: Uint8Array) => latin1(bytes).replace(/[\0 ]+$/, "");

async function inherited(parent: string): Promise<Set<string>> {
  const r = await fetch(`${url}/tools/create-dicom`, {
    method: "POST",
    body: JSON.stringify({ Tags: {}, Parent: parent }),
  });
  if (!r.ok) throw new Error(`${parent}: ${r.status} ${await r.text()}`);
  const { ID } = await r.json();
  const file = await fetch(`${url}/instances/${ID}/file`);
  const { dataset } = parseDicom(new Uint8Array(await file.arrayBuffer()));
  const found = new Set<string>();
  for (const e of dataset.elements) {
    const before = sent.get(e.tag);
    if (before && trimmed(elementBytes(dataset, e)) === trimmed(before)) {
      found.add(formatTag(e.tag));
    }
  }
  return found;
}

const parents = {
  Patient: stored.ParentPatient as string,
  Study: stored.ParentStudy as string,
  Series: stored.ParentSeries as string,
};
const modules: Record<string, string[]> = {};
let above = new Set<string>();
for (const [level, id] of Object.entries(parents)) {
  const tags = await inherited(id);
  modules[level] = [...tags].filter((t) => !above.has(t)).sort();
  above = tags;
}
await Bun.write(
  new URL("../../src/creating/modules.json", import.meta.url),
  JSON.stringify(modules, null, 2) + "\n",
);
