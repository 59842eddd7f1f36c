// Small DICOM files built byte by byte to show how Orthanc 1.10.1 writes each kind of value in
// DICOM JSON and XML (GET /instances/{id}/file with Accept: application/dicom+json or +xml):
// text and its padding, IS/DS parsing, person names, binary numbers, values written as UN,
// sequences with empty items. The golden scenario json-file-accept pins its answers.
import { EXPLICIT_VR_LITTLE_ENDIAN } from "../../src/dicom/writer.ts";
import { makeTag, type Tag } from "../../src/dicom/tag.ts";
import { TransferSyntax } from "../../src/dicom/uids.ts";
import { binary, concat, dataset, file, sequence } from "./odd-dicom.ts";

const E = EXPLICIT_VR_LITTLE_ENDIAN;
const LE = TransferSyntax.ExplicitVrLittleEndian;
const t = makeTag;

/** Bytes given as text with \xNN escapes kept as single bytes (latin1). */
const bytes = (value: string) => Uint8Array.from(value, (c) => c.charCodeAt(0));
const even = (value: Uint8Array, pad = 0x20) =>
  value.length % 2 === 0 ? value : concat([value, new Uint8Array([pad])]);
/** A text element whose bytes are exactly `value` (made even with a space). */
const raw = (tag: Tag, vr: string, value: string) => binary(tag, vr, even(bytes(value)), E);

function numbers(
  tag: Tag,
  vr: string,
  size: number,
  values: (number | bigint)[],
  set: (view: DataView, at: number, value: number | bigint) => void,
): Uint8Array {
  const out = new Uint8Array(size * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => set(view, i * size, v));
  return binary(tag, vr, out, E);
}

const us = (tag: Tag, values: number[]) =>
  numbers(tag, "US", 2, values, (v, at, n) => v.setUint16(at, Number(n), true));
const fl = (tag: Tag, vr: string, values: number[]) =>
  numbers(tag, vr, 4, values, (v, at, n) => v.setFloat32(at, Number(n), true));
const fd = (tag: Tag, vr: string, values: number[]) =>
  numbers(tag, vr, 8, values, (v, at, n) => v.setFloat64(at, Number(n), true));

const plain = (name: string, middle: Uint8Array[], after: Uint8Array[] = []) =>
  file(name, LE, dataset(name, E, middle, after));

function strings(): { name: string; bytes: Uint8Array } {
  return plain("json-strings", [
    raw(t(0x0008, 0x0005), "CS", "ISO_IR 100"),
    raw(t(0x0008, 0x0008), "CS", " ORIGINAL \\\\PRIMARY\\"),
    raw(t(0x0008, 0x0012), "DA", " 20200101"),
    raw(t(0x0008, 0x0013), "TM", "101010 "),
    raw(t(0x0008, 0x0020), "DA", ""),
    raw(t(0x0008, 0x0050), "SH", "  A B  "),
    raw(t(0x0008, 0x0054), "AE", " AET "),
    raw(t(0x0008, 0x0070), "LO", "AB \0"),
    raw(t(0x0008, 0x0080), "LO", "ab\0cd"),
    raw(t(0x0008, 0x0081), "ST", "line1\r\nline2\ttab\x01ctl & < > \" ' \\ back"),
    raw(t(0x0008, 0x0090), "PN", "Doe^John^M^Dr^Jr^Extra=Ideo^Graphic=Pho^Netic"),
    raw(t(0x0008, 0x0092), "ST", "caf\xe9 \xfc\xdf"),
    raw(t(0x0008, 0x0094), "SH", "\\"),
    raw(t(0x0008, 0x0096), "PN", "A^B==\\\\=Ideo\\^Given\\==\\Only"),
    raw(t(0x0008, 0x0119), "UC", "unlimited  "),
    raw(t(0x0008, 0x0120), "UR", "http://x/y?a=b&c "),
    raw(t(0x0008, 0x1010), "SH", "\x00\x00"),
    raw(t(0x0008, 0x1030), "LO", "   "),
    raw(t(0x0008, 0x103e), "LO", "x\\y\\ \\"),
  ], [
    raw(t(0x0020, 0x0052), "UI", "1.2.3 "),
    raw(t(0x0020, 0x0200), "UI", "1.2.4\0"),
    raw(t(0x0020, 0x0242), "UI", " 1.2 .\t5\0\0 \0"),
    raw(t(0x0020, 0x4000), "LT", "  leading and trailing  \\ second  "),
    raw(t(0x0032, 0x1060), "LO", "<&>"),
  ]);
}

function numberStrings(): { name: string; bytes: Uint8Array } {
  return plain("json-number-strings", [], [
    raw(
      t(0x0020, 0x0012),
      "IS",
      "1\\ 2 \\\\+3\\-4\\5000000000\\-5000000000\\1.0\\x\\99999999999999999999\\007\\- 1\\+\\\t8\n",
    ),
    raw(t(0x0020, 0x0020), "CS", "L\\F"),
    raw(
      t(0x0028, 0x0030),
      "DS",
      "1\\ 2.5 \\\\-0\\+3\\1e3\\.5\\5.\\1e\\abc\\NaN\\nan\\1e400\\1e-400\\0.1",
    ),
    raw(
      t(0x0028, 0x1050),
      "DS",
      "1e10\\-5e9\\9.3e18\\1e19\\-1e19\\3.0000000000000004\\2.5\\-2.5\\1E2\\0x10\\1,5\\4294967296\\-2147483649",
    ),
    raw(t(0x0028, 0x1051), "DS", "x\\y"),
    raw(t(0x0028, 0x1052), "DS", ""),
    raw(t(0x0028, 0x1053), "DS", " "),
    raw(t(0x0028, 0x1054), "IS", "12345678901"),
  ]);
}

function binaryNumbers(): { name: string; bytes: Uint8Array } {
  return plain("json-binary-numbers", [
    numbers(
      t(0x0008, 0x9459),
      "FL",
      4,
      [0.1, NaN, 1.5, -0, 3.4e38, 1e-45],
      (v, at, n) => v.setFloat32(at, Number(n), true),
    ),
  ], [
    us(t(0x0028, 0x0002), [1]),
    us(t(0x0028, 0x0010), [1, 65535, 0]),
    binary(t(0x0028, 0x0011), "US", new Uint8Array(), E),
    numbers(t(0x0028, 0x0106), "SS", 2, [-32768, 5], (v, at, n) => v.setInt16(at, Number(n), true)),
    numbers(
      t(0x0018, 0x6020),
      "SL",
      4,
      [-2147483648, 2147483647],
      (v, at, n) => v.setInt32(at, Number(n), true),
    ),
    numbers(
      t(0x0018, 0x6024),
      "UL",
      4,
      [4294967295, 0],
      (v, at, n) => v.setUint32(at, Number(n), true),
    ),
    fd(t(0x0018, 0x9087), "FD", [
      0.1,
      1e300,
      2 ** 63,
      -(2 ** 62),
      5e-310,
      3.0000000000000004,
      NaN,
      12600.000381469727,
    ]),
    binary(t(0x0018, 0x9089), "FD", new Uint8Array(12), E),
    numbers(
      t(0x0020, 0x9165),
      "AT",
      4,
      [0x00100010, 0x7fe00010],
      (v, at, n) => {
        v.setUint16(at, Number(n) >>> 16, true);
        v.setUint16(at + 2, Number(n) & 0xffff, true);
      },
    ),
    binary(t(0x0020, 0x9167), "AT", new Uint8Array(), E),
    fl(t(0x0066, 0x0016), "OF", [0.25, 0.1]),
    fd(t(0x0066, 0x0040), "OD", [0.2]),
    numbers(
      t(0x0066, 0x0041),
      "OL",
      4,
      [7, 4294967295],
      (v, at, n) => v.setUint32(at, Number(n), true),
    ),
    numbers(t(0x0072, 0x0082), "SV", 8, [-5n], (v, at, n) => v.setBigInt64(at, BigInt(n), true)),
    numbers(t(0x0072, 0x0083), "UV", 8, [5n], (v, at, n) => v.setBigUint64(at, BigInt(n), true)),
    binary(t(0x0072, 0x0084), "OV", new Uint8Array(8), E),
    binary(t(0x0042, 0x0011), "OB", bytes("abc"), E),
    binary(t(0x0028, 0x1202), "OW", new Uint8Array([1, 2, 3, 4]), E),
  ]);
}

/** Infinities: JsonCpp writes them as 1e+9999 and -1e+9999, pugixml as inf and -inf. */
function infinities(): { name: string; bytes: Uint8Array } {
  return plain("json-infinities", [
    fl(t(0x0008, 0x9459), "FL", [Infinity, -Infinity]),
  ], [
    fd(t(0x0018, 0x9087), "FD", [-Infinity]),
    raw(t(0x0028, 0x0030), "DS", "inf\\-Infinity\\+INF"),
  ]);
}

/** Elements written as UN, typed (or not) by the dictionary. */
function unknownVrs(): { name: string; bytes: Uint8Array } {
  return plain("json-un-values", [
    raw(t(0x0008, 0x0050), "UN", " ACC\0X"),
    raw(t(0x0008, 0x0119), "UN", "long code"),
    raw(t(0x0008, 0x0120), "UN", "http://x"),
    raw(t(0x0009, 0x0010), "LO", "JSONCREATOR"),
    raw(t(0x0009, 0x1001), "UN", "private"),
  ], [
    binary(t(0x0018, 0x9087), "UN", new Uint8Array(8), E),
    raw(t(0x0020, 0x0012), "UN", " 12 \\x"),
    binary(t(0x0028, 0x0009), "UN", new Uint8Array([0x18, 0, 0x63, 0x10]), E),
    binary(t(0x0028, 0x0106), "UN", new Uint8Array([1, 0]), E),
    binary(t(0x0028, 0x1202), "UN", new Uint8Array([1, 2]), E),
    binary(t(0x0042, 0x0011), "UN", bytes("pdf!"), E),
  ]);
}

const item = (...elements: Uint8Array[]) => concat(elements);
const code = (value: string) => raw(t(0x0008, 0x0100), "SH", value);

/** Items without attributes: Orthanc skips them while the ones that have some come first. */
function emptyItems(): { name: string; bytes: Uint8Array } {
  return plain("json-empty-items", [
    sequence(t(0x0008, 0x1032), [item(), item(code("B"))], E),
    sequence(t(0x0008, 0x1084), [item(code("A")), item(), item()], E),
    sequence(t(0x0008, 0x1110), [item(binary(t(0x0008, 0x0000), "UL", new Uint8Array(4), E))], E),
    sequence(t(0x0008, 0x1111), [item(sequence(t(0x0008, 0x1115), [], E))], E),
    sequence(t(0x0008, 0x1120), [item(sequence(t(0x0008, 0x1115), [item()], E)), item()], E),
  ]);
}

/** An empty item between two that have attributes: Orthanc cannot write it, and sends the file. */
function itemGap(): { name: string; bytes: Uint8Array } {
  return plain("json-item-gap", [
    sequence(t(0x0008, 0x1032), [item(code("A")), item(), item(code("C"))], E),
  ]);
}

/** Implicit VR: the dictionary gives the VRs, DCMTK's ambiguous ones included. */
function implicitVrs(): { name: string; bytes: Uint8Array } {
  const to = { explicitVr: false, littleEndian: true };
  const word = (tag: Tag, value: number[]) => binary(tag, "US", new Uint8Array(value), to);
  return file(
    "json-implicit-vrs",
    TransferSyntax.ImplicitVrLittleEndian,
    dataset("json-implicit-vrs", to, [
      binary(t(0x0009, 0x0010), "LO", bytes("JSONCREATOR "), to),
      binary(t(0x0009, 0x1001), "UN", bytes("priv"), to),
    ], [
      word(t(0x0028, 0x0106), [1, 0]),
      word(t(0x0028, 0x1101), [0, 1, 0, 0, 16, 0]),
      word(t(0x0028, 0x1201), [1, 2, 3, 4]),
      binary(t(0x0028, 0x1052), "DS", bytes("-1024 "), to),
      word(t(0x0028, 0x3006), [5, 0, 6, 0]),
      word(t(0x7fe0, 0x0010), [1, 2, 3, 4]),
    ]),
  );
}

/** A character set with code extensions: the leading empty value is dropped. */
function codeExtensions(): { name: string; bytes: Uint8Array } {
  return plain("json-code-extensions", [
    raw(t(0x0008, 0x0005), "CS", "\\ISO 2022 IR 100"),
    raw(t(0x0008, 0x0080), "LO", "\x1b-Acaf\xe9"),
  ]);
}

export function dicomJsonFiles(): { name: string; bytes: Uint8Array }[] {
  return [
    strings(),
    numberStrings(),
    binaryNumbers(),
    infinities(),
    unknownVrs(),
    implicitVrs(),
    emptyItems(),
    itemGap(),
    codeExtensions(),
  ];
}
