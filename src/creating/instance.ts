// One new DICOM file built from tags, an optional payload and inherited attributes, as Orthanc
// 1.10.1's /tools/create-dicom writes it: explicit VR little endian, the identifiers and dates it
// generates when absent, the Encapsulated PDF or image pixel module of the payload (a JPEG kept
// compressed in the JPEG Baseline transfer syntax when asked), and a meta header. Written by
// dicom/writer.ts.
import { isKnownCharset } from "../dicom/charsets.ts";
import { lookupTag } from "../dicom/dictionary.ts";
import { isPrivateGroup, type Tag, tagElement, Tags } from "../dicom/tag.ts";
import { generateUid } from "../dicom/uid.ts";
import {
  PHAROS_IMPLEMENTATION_UID,
  PHAROS_IMPLEMENTATION_VERSION,
  StorageSopClass,
  TransferSyntax,
} from "../dicom/uids.ts";
import { isTextVr } from "../dicom/vr.ts";
import {
  elementHeader,
  type ElementToWrite,
  EXPLICIT_VR_LITTLE_ENDIAN,
  itemHeader,
  Output,
  padded,
  writeDataset,
  writeFileMeta,
} from "../dicom/writer.ts";
import type { EditValue } from "../editing/editor.ts";
import { encodeText, usesCharset } from "../editing/text.ts";
import { encodeValue } from "../editing/values.ts";
import type { JpegHeader } from "../imaging/jpeg-decode.ts";
import type { RawImage } from "../imaging/types.ts";
import { decodeDataUri, type Payload } from "./content.ts";
import { CreateError } from "./errors.ts";

/** DCMTK's SOP class of a file that names none, which Orthanc's meta headers carry. */
const PRIVATE_GENERIC_FILE = "1.2.276.0.7230010.3.1.0.1";

export interface InstanceSpec {
  /** Tags to write, in order (a later one replaces an earlier one). */
  tags: { tag: Tag; value: EditValue }[];
  /** The character set the text is written in (SpecificCharacterSet, unless the tags give one). */
  charset: string;
  payload?: Payload;
  privateCreator?: string;
  /** Whether data URIs in the tags' values stand for their decoded bytes. */
  interpretBinaryTags: boolean;
  /** Identifiers shared with other instances (a series created at once); generated if absent. */
  ids?: { patientId?: string; studyUid?: string; seriesUid?: string };
  /** The clock of the generated dates and times; none are written without it. */
  now?: Date;
  /**
   * Orthanc's legacy request form (no "Tags" member): no SpecificCharacterSet is written but the
   * tags' own, and the text is written in the default set whatever that one says.
   */
  legacy: boolean;
  /** Whether the patient, study, series and instance identifiers are generated when absent. */
  generateIdentifiers: boolean;
}

const COPY_DATE: [Tag, Tag][] = [
  [0x00080012, 0x00080013],
  [0x00080020, 0x00080030],
  [0x00080021, 0x00080031],
  [0x00080022, 0x00080032],
  [0x00080023, 0x00080033],
];

const BINARY_URI = "data:application/octet-stream;base64,";
const UNDEFINED_LENGTH = 0xffffffff;
const ENCAPSULATED_DOCUMENT = 0x00420011;

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** The VR of a new element: the dictionary's; a private creator and unknown private tags, UN. */
function vrOf(tag: Tag, privateCreator: string | undefined): string {
  if (isPrivateGroup(tag)) {
    if (tagElement(tag) <= 0xff) return "UN";
    return lookupTag(tag, privateCreator)?.vr ?? "UN";
  }
  return lookupTag(tag)?.vr ?? "UN";
}

/** A pad to two digits. */
const two = (n: number) => String(n).padStart(2, "0");

export function dicomDate(now: Date): string {
  return `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}`;
}

/** Orthanc writes the time to the second, with six zero digits of fraction. */
export function dicomTime(now: Date): string {
  return `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}.000000`;
}

class NewDataset {
  readonly elements = new Map<Tag, ElementToWrite>();
  transferSyntax: string = TransferSyntax.ExplicitVrLittleEndian;

  constructor(private readonly spec: InstanceSpec, private charset: string) {}

  has(tag: Tag): boolean {
    return this.elements.has(tag);
  }

  set(tag: Tag, value: EditValue): void {
    this.elements.set(tag, this.element(tag, value));
  }

  setBytes(tag: Tag, vr: string, value: Uint8Array): void {
    this.elements.set(tag, { tag, vr, value });
  }

  text(tag: Tag): string | undefined {
    const e = this.elements.get(tag);
    if (!e || !("value" in e)) return undefined;
    return String.fromCharCode(...e.value).replace(/[\0 ]+$/, "");
  }

  private element(tag: Tag, value: EditValue): ElementToWrite {
    if (typeof value !== "string") {
      return {
        tag,
        items: value.map((item) => {
          const inner = new Map<Tag, ElementToWrite>();
          for (const e of item) inner.set(e.tag, this.element(e.tag, e.value));
          return { elements: [...inner.values()].sort((a, b) => a.tag - b.tag) };
        }),
      };
    }
    const vr = vrOf(tag, this.spec.privateCreator);
    return { tag, vr, value: this.bytes(tag, vr, value) };
  }

  private bytes(tag: Tag, vr: string, text: string): Uint8Array {
    // Orthanc decodes only this MIME type, and never in EncapsulatedDocument.
    if (
      this.spec.interpretBinaryTags && text.startsWith(BINARY_URI) &&
      tag !== ENCAPSULATED_DOCUMENT
    ) {
      return decodeDataUri(text)?.bytes ?? new Uint8Array(0);
    }
    if (usesCharset(vr) || vr === "UN") return encodeText(text, this.charset);
    if (isTextVr(vr)) return new TextEncoder().encode(text);
    if (["OB", "OW", "OD", "OF", "OL", "OV", "UT"].includes(vr)) {
      return encodeText(text, this.charset);
    }
    return encodeValue(tag, vr, text, this.charset, true);
  }

  bytesOut(): Uint8Array {
    const elements = [...this.elements.values()].sort((a, b) => a.tag - b.tag);
    const sopClass = this.text(Tags.SopClassUid);
    const sopInstance = this.text(Tags.SopInstanceUid) ?? "";
    const meta = writeFileMeta([
      { tag: 0x00020001, vr: "OB", value: Uint8Array.of(0, 1) },
      {
        tag: Tags.MediaStorageSopClassUid,
        vr: "UI",
        value: ascii(sopClass || PRIVATE_GENERIC_FILE),
      },
      { tag: 0x00020003, vr: "UI", value: ascii(sopInstance) },
      {
        tag: Tags.TransferSyntaxUid,
        vr: "UI",
        value: ascii(this.transferSyntax),
      },
      { tag: 0x00020012, vr: "UI", value: ascii(PHAROS_IMPLEMENTATION_UID) },
      { tag: 0x00020013, vr: "SH", value: ascii(PHAROS_IMPLEMENTATION_VERSION) },
    ]);
    meta.append(writeDataset(elements, EXPLICIT_VR_LITTLE_ENDIAN));
    return meta.bytes();
  }
}

const us = (n: number) => Uint8Array.of(n & 0xff, n >> 8);

function writeImage(d: NewDataset, image: RawImage): void {
  const color = image.format === "RGB24" || image.format === "RGBA32";
  const bits = image.format === "Grayscale16" ? 16 : 8;
  d.setBytes(0x00280002, "US", us(color ? 3 : 1));
  d.set(0x00280004, color ? "RGB" : "MONOCHROME2");
  if (color) d.setBytes(0x00280006, "US", us(0));
  d.setBytes(0x00280010, "US", us(image.height));
  d.setBytes(0x00280011, "US", us(image.width));
  d.setBytes(0x00280100, "US", us(bits));
  d.setBytes(0x00280101, "US", us(bits));
  d.setBytes(0x00280102, "US", us(bits - 1));
  d.setBytes(0x00280103, "US", us(0));
  const samples = new Uint8Array(
    image.pixels.buffer,
    image.pixels.byteOffset,
    image.pixels.byteLength,
  );
  let pixels: Uint8Array;
  if (image.format === "RGBA32") {
    // Orthanc drops the alpha channel.
    pixels = new Uint8Array(image.width * image.height * 3);
    for (let i = 0, o = 0; o < pixels.length; i += 4, o += 3) {
      pixels[o] = samples[i]!;
      pixels[o + 1] = samples[i + 1]!;
      pixels[o + 2] = samples[i + 2]!;
    }
  } else if (image.format === "Grayscale16" && image.pixels instanceof Uint16Array) {
    pixels = new Uint8Array(image.pixels.length * 2);
    const view = new DataView(pixels.buffer);
    image.pixels.forEach((v, i) => view.setUint16(2 * i, v, true));
  } else {
    pixels = samples;
  }
  // Padded to an even length with a zero byte by the writer (OW's padding).
  d.setBytes(Tags.PixelData, "OW", pixels);
}

/**
 * A baseline JPEG kept as it is: one fragment after an empty basic offset table (PS3.5 A.4), in
 * the JPEG Baseline transfer syntax; the dataset stays explicit VR little endian.
 */
function writeJpeg(d: NewDataset, jpeg: Uint8Array, header: JpegHeader): void {
  const color = header.components === 3;
  const photometric = !color
    ? "MONOCHROME2"
    : header.adobeTransform === 0
    ? "RGB"
    : header.subsampled
    ? "YBR_FULL_422"
    : "YBR_FULL";
  d.setBytes(0x00280002, "US", us(header.components));
  d.set(0x00280004, photometric);
  if (color) d.setBytes(0x00280006, "US", us(0));
  d.setBytes(0x00280010, "US", us(header.height));
  d.setBytes(0x00280011, "US", us(header.width));
  d.setBytes(0x00280100, "US", us(8));
  d.setBytes(0x00280101, "US", us(8));
  d.setBytes(0x00280102, "US", us(7));
  d.setBytes(0x00280103, "US", us(0));
  const fragment = padded("OB", jpeg);
  const out = new Output();
  out.push(elementHeader(Tags.PixelData, "OB", UNDEFINED_LENGTH, EXPLICIT_VR_LITTLE_ENDIAN));
  out.push(itemHeader(Tags.Item, 0, EXPLICIT_VR_LITTLE_ENDIAN));
  out.push(itemHeader(Tags.Item, fragment.length, EXPLICIT_VR_LITTLE_ENDIAN));
  out.push(fragment);
  out.push(itemHeader(Tags.SequenceDelimitation, 0, EXPLICIT_VR_LITTLE_ENDIAN));
  d.elements.set(Tags.PixelData, { tag: Tags.PixelData, copy: out.bytes() });
  d.transferSyntax = TransferSyntax.JpegBaseline;
}

function writePdf(d: NewDataset, pdf: Uint8Array): void {
  d.set(Tags.SopClassUid, StorageSopClass.EncapsulatedPdf);
  if (!d.has(0x00080060)) d.set(0x00080060, "OT");
  if (!d.has(0x00080064)) d.set(0x00080064, "WSD");
  d.setBytes(ENCAPSULATED_DOCUMENT, "OB", pdf);
  d.set(0x00420012, "application/pdf");
}

function generateIdentifiers(d: NewDataset, ids: InstanceSpec["ids"]): void {
  if (!d.has(Tags.PatientId)) d.set(Tags.PatientId, ids?.patientId ?? crypto.randomUUID());
  if (!d.has(Tags.StudyInstanceUid)) {
    d.set(Tags.StudyInstanceUid, ids?.studyUid ?? generateUid("study"));
  }
  if (!d.has(Tags.SeriesInstanceUid)) {
    d.set(Tags.SeriesInstanceUid, ids?.seriesUid ?? generateUid("series"));
  }
  if (!d.has(Tags.SopInstanceUid)) d.set(Tags.SopInstanceUid, generateUid("instance"));
}

/** The bytes of the new instance. */
export function buildInstance(spec: InstanceSpec): Uint8Array {
  const found = spec.tags.find((t) => t.tag === Tags.SpecificCharacterSet)?.value;
  const given = spec.legacy || typeof found !== "string" ? undefined : found;
  if (given !== undefined && !isKnownCharset(given)) {
    throw new CreateError("ParameterOutOfRange", `Unknown specific character set: ${given}`);
  }
  const charset = given ?? spec.charset;
  const d = new NewDataset(spec, charset);
  if (!spec.legacy) d.set(Tags.SpecificCharacterSet, charset);
  for (const { tag, value } of spec.tags) {
    if (tag >>> 16 === 0x0002) continue;
    d.set(tag, value);
  }
  if (spec.generateIdentifiers) generateIdentifiers(d, spec.ids);
  if (spec.now) {
    const date = dicomDate(spec.now);
    const time = dicomTime(spec.now);
    for (const [dateTag, timeTag] of COPY_DATE) {
      if (!d.has(dateTag)) d.set(dateTag, date);
      if (!d.has(timeTag)) d.set(timeTag, time);
    }
  }
  if (spec.payload?.kind === "pdf") writePdf(d, spec.payload.bytes);
  if (spec.payload?.kind === "image") writeImage(d, spec.payload.image);
  if (spec.payload?.kind === "jpeg") writeJpeg(d, spec.payload.bytes, spec.payload.header);
  return d.bytesOut();
}
