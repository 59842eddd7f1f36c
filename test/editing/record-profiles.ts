// Records which public attributes Orthanc 1.10.1's /anonymize removes, empties, maps to new
// UIDs or keeps, by DicomVersion: a file holding one element of every dictionary tag is stored
// in a running Orthanc and anonymized with each profile, and the answer compared with what was
// sent. Writes src/editing/profiles.json. Usage: bun test/editing/record-profiles.ts URL
import { recordableTags } from "../support/recordable-tags.ts";
import { elementBytes, latin1, parseDicom } from "../../src/dicom/parser.ts";
import { formatTag, type Tag } from "../../src/dicom/tag.ts";
import { TransferSyntax } from "../../src/dicom/uids.ts";

import {
  type ElementToWrite,
  EXPLICIT_VR_LITTLE_ENDIAN,
  writeDataset,
  writeFileMeta,
} from "../../src/dicom/writer.ts";

const url = process.argv[2] ?? "http://localhost:8042";
const ascii = (t: string) => Uint8Array.from(t, (c) => c.charCodeAt(0));
const TEXT: Record<string, string> = {
  DA: "20200101",
  TM: "120000",
  DT: "20200101120000",
  AS: "030Y",
  PN: "A^B",
  CS: "X",
  DS: "1",
  IS: "1",
  AE: "AE",
  UI: "1.2.3.4",
  UR: "http://x",
};

function valueFor(vr: string, tag: Tag): Uint8Array | undefined {
  if (vr === "UI") return ascii(`1.2.3.${tag}`);
  if (["US", "SS"].includes(vr)) return new Uint8Array(2);
  if (["UL", "SL", "FL", "AT"].includes(vr)) return new Uint8Array(4);
  if (["FD", "OB", "OW", "OF", "OD", "OL", "OV", "UN", "SV", "UV"].includes(vr)) {
    return new Uint8Array(8);
  }
  return ascii(TEXT[vr] ?? "TEXT");
}

const IDS: Record<number, string> = {
  0x00080016: "1.2.840.10008.5.1.4.1.1.7",
  0x00080018: "1.2.3.100",
  0x0020000d: "1.2.3.101",
  0x0020000e: "1.2.3.102",
  0x00100020: "PID",
};

const elements: ElementToWrite[] = [];
const sent = new Map<Tag, string>();
for (const { tag, vr } of recordableTags()) {
  if (vr === "SQ") {
    elements.push({
      tag,
      items: [{ elements: [{ tag: 0x00080100, vr: "SH", value: ascii("CODE") }] }],
    });
    sent.set(tag, "SQ");
    continue;
  }
  const value = IDS[tag] !== undefined ? ascii(IDS[tag]!) : valueFor(vr, tag)!;
  elements.push({ tag, vr, value });
  sent.set(tag, latin1(value));
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

const profiles: Record<string, Record<string, string[] | string>> = {};
for (const version of ["2008", "2017c", "2021b"]) {
  const r = await fetch(`${url}/instances/${stored.ID}/anonymize`, {
    method: "POST",
    body: JSON.stringify({ DicomVersion: version }),
  });
  if (!r.ok) throw new Error(`${version}: ${r.status} ${await r.text()}`);
  const { dataset } = parseDicom(new Uint8Array(await r.arrayBuffer()));
  const actions: Record<string, string[]> = { remove: [], clear: [], uid: [] };
  // PatientName, PatientID and the two de-identification attributes are set, not derived.
  const set = new Set([0x00100010, 0x00100020, 0x00120062, 0x00120063]);
  const method = dataset.elements.find((x) => x.tag === 0x00120063)!;
  for (const [tag, before] of sent) {
    const e = dataset.elements.find((x) => x.tag === tag);
    const name = formatTag(tag);
    if (set.has(tag)) continue;
    if (!e) actions.remove!.push(name);
    else if (before === "SQ") {
      if (e.items?.length === 0) actions.clear!.push(name);
    } else if (e.length === 0) actions.clear!.push(name);
    else {
      const after = latin1(elementBytes(dataset, e)).replace(/[\0 ]+$/, "");
      if (after === before.replace(/[\0 ]+$/, "")) continue;
      if (e.vr !== "UI") throw new Error(`${name} replaced by ${after}`);
      actions.uid!.push(name);
    }
  }
  profiles[version] = {
    method: latin1(elementBytes(dataset, method)).replace(/[\0 ]+$/, ""),
    ...actions,
  };
}
await Bun.write(
  new URL("../../src/editing/profiles.json", import.meta.url),
  JSON.stringify(profiles, null, 2),
);
