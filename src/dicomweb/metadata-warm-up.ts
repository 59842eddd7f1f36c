// A metadata worker's warm-up. The JavaScript engine compiles the metadata writer to fast code
// only after running it some thousands of times, and compiles it again for each branch it had
// not seen: a worker's first series took twice as long as the next ones (the first call of a
// viewer, which matters most). So a worker runs it first over a synthetic instance with the
// usual kinds of values (text, some padded with a NUL, numbers, names, sequences and items of
// defined and undefined length, private and binary data, a non-ASCII value), cut at its pixel
// data as the files it is given are.
import { makeTag, type Tag } from "../dicom/tag.ts";
import { TransferSyntax } from "../dicom/uids.ts";
import {
  type ElementToWrite,
  EXPLICIT_VR_LITTLE_ENDIAN,
  writeDataset,
  writeFileMeta,
} from "../dicom/writer.ts";
import { writeMetadata } from "./metadata-writer.ts";

const ROUNDS = 1500;

const text = (tag: Tag, vr: string, value: string): ElementToWrite => ({
  tag,
  vr,
  // Latin-1, as the character set says.
  value: Uint8Array.from(value.length % 2 ? `${value} ` : value, (c) => c.charCodeAt(0)),
});

function numbers(tag: Tag, vr: "US" | "FD", values: number[]): ElementToWrite {
  const size = vr === "US" ? 2 : 8;
  const view = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((v, i) =>
    vr === "US" ? view.setUint16(i * 2, v, true) : view.setFloat64(i * 8, v, true)
  );
  return { tag, vr, value: new Uint8Array(view.buffer) };
}

/** The file and where its pixel data starts. */
function syntheticInstance(): { bytes: Uint8Array; pixelDataAt: number } {
  const reference = (n: number): ElementToWrite[] => [
    text(makeTag(0x0008, 0x1150), "UI", "1.2.840.10008.5.1.4.1.1.4"),
    text(makeTag(0x0008, 0x1155), "UI", `1.2.3.4.5.6.7.${n}`),
  ];
  const dataset: ElementToWrite[] = [
    text(makeTag(0x0008, 0x0005), "CS", "ISO_IR 100"),
    text(makeTag(0x0008, 0x0008), "CS", "ORIGINAL\\PRIMARY\\M_FFE"),
    text(makeTag(0x0008, 0x0012), "DA", "20061201"),
    text(makeTag(0x0008, 0x0014), "UI", "1.3.46.670589.11.8743.5\0"),
    text(makeTag(0x0008, 0x0016), "UI", "1.2.840.10008.5.1.4.1.1.4"),
    text(makeTag(0x0008, 0x0018), "UI", "1.2.3.4.5.6.7.8.9"),
    text(makeTag(0x0008, 0x0020), "DA", "20061201"),
    text(makeTag(0x0008, 0x0030), "TM", "143025.123"),
    text(makeTag(0x0008, 0x0050), "SH", "0\0"),
    text(makeTag(0x0008, 0x0060), "CS", "MR"),
    text(makeTag(0x0008, 0x0064), "CS", "WSD"),
    text(makeTag(0x0008, 0x0070), "LO", "Philips Medical Systems\0"),
    text(makeTag(0x0008, 0x1010), "SH", "Achieva\0"),
    text(makeTag(0x0008, 0x1030), "LO", "IRM c\u00e9r\u00e9brale"),
    text(makeTag(0x0008, 0x103e), "LO", "sT2W/FLAIR"),
    // Defined lengths, and undefined ones (with delimiters) as many writers use.
    { tag: makeTag(0x0008, 0x1111), items: [{ elements: reference(0) }] },
    {
      tag: makeTag(0x0008, 0x1140),
      items: [
        { elements: reference(1), undefinedLength: true },
        { elements: reference(2), undefinedLength: true },
      ],
      undefinedLength: true,
    },
    text(makeTag(0x0010, 0x0010), "PN", "DOE^JOHN\0"),
    text(makeTag(0x0010, 0x0020), "LO", "5Yp0E"),
    text(makeTag(0x0010, 0x0040), "CS", ""),
    text(makeTag(0x0018, 0x0050), "DS", "6.0\0"),
    text(makeTag(0x0018, 0x0086), "IS", "1"),
    text(makeTag(0x0018, 0x1030), "LO", "T2W_FLAIR SENSE"),
    text(makeTag(0x0018, 0x1310), "US", ""),
    text(makeTag(0x0020, 0x0013), "IS", "12\0"),
    text(makeTag(0x0020, 0x0032), "DS", "-112.1\\-79.58\\-33.05"),
    text(makeTag(0x0020, 0x0037), "DS", "1\\0\\0\\0\\0.99\\-0.12"),
    numbers(makeTag(0x0028, 0x0010), "US", [256]),
    numbers(makeTag(0x0028, 0x0011), "US", [256]),
    numbers(makeTag(0x0028, 0x0106), "US", [0, 1]),
    text(makeTag(0x2001, 0x0010), "LO", "Philips Imaging DD 001"),
    text(makeTag(0x2001, 0x1003), "FL", "    "),
    { tag: makeTag(0x2001, 0x1010), vr: "OB", value: new Uint8Array(64) },
    numbers(makeTag(0x2005, 0x1000), "FD", [0.5, 12.25]),
    { tag: makeTag(0x7fe0, 0x0010), vr: "OW", value: new Uint8Array(128) },
  ];
  const file = writeFileMeta([
    text(makeTag(0x0002, 0x0002), "UI", "1.2.840.10008.5.1.4.1.1.4"),
    text(makeTag(0x0002, 0x0003), "UI", "1.2.3.4.5.6.7.8.9"),
    text(makeTag(0x0002, 0x0010), "UI", TransferSyntax.ExplicitVrLittleEndian),
  ]);
  file.append(writeDataset(dataset, EXPLICIT_VR_LITTLE_ENDIAN));
  const bytes = file.bytes();
  // The pixel data comes last: its 12-byte header, then its 128 bytes of value.
  const pixelDataAt = bytes.length - 128 - 12;
  return { bytes: bytes.subarray(0, pixelDataAt + 12), pixelDataAt };
}

/** Runs the metadata writer until the engine has compiled it; false if it does not write. */
export function warmUp(): boolean {
  const instance = syntheticInstance();
  const url = "http://localhost/dicom-web/studies/1/series/2/instances/3";
  for (let i = 0; i < ROUNDS; i++) {
    if (writeMetadata(instance.bytes, instance.pixelDataAt, "Latin1", url) === undefined) {
      return false;
    }
  }
  return true;
}
