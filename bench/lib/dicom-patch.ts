// Rewrites the values of a few top-level elements of an explicit VR little
// endian file by splicing bytes, leaving everything else (pixel data
// included) byte-identical. Re-lengthed values get a new element length, and
// a change inside the meta group also updates (0002,0000).
import { type ElementLocation, isLongVr, parsePart10, tagName, tagOf } from "./dicom-walk.ts";

const GROUP_LENGTH = tagOf(0x0002, 0x0000);
const SHORT_LENGTH_MAX = 0xffff;

/** Builds a copy of the template with new values for the given tags, in that order. */
export type Patcher = (values: readonly string[]) => Uint8Array;

export function createPatcher(template: Uint8Array, tags: readonly number[]): Patcher {
  const { elements } = parsePart10(template);
  const targets = tags.map((tag) => {
    // Only top-level elements are listed, so a nested reference to the same
    // tag (e.g. ReferencedSOPInstanceUID items) is never touched.
    const found = elements.find((e) => e.tag === tag);
    if (!found) throw new Error(`template has no top-level ${tagName(tag)}`);
    if (found.vr === "SQ") throw new Error(`${tagName(tag)} is a sequence, not a string`);
    return found;
  });
  const order = targets.map((_, i) => i).sort((a, b) => targets[a]!.offset - targets[b]!.offset);
  const groupLength = elements.find((e) => e.tag === GROUP_LENGTH);
  if (groupLength && targets.some((t) => t.offset <= groupLength.offset)) {
    throw new Error("(0002,0000) must precede the patched elements");
  }
  const originalMetaLength = groupLength ? readUint32(template, groupLength.valueOffset) : 0;

  return (values) => {
    if (values.length !== targets.length) {
      throw new Error(`expected ${targets.length} values, got ${values.length}`);
    }
    const encoded = targets.map((t, i) => encodeValue(t, values[i]!));
    const delta = targets.reduce((sum, t, i) => sum + encoded[i]!.length - t.valueLength, 0);
    const metaDelta = targets.reduce(
      (sum, t, i) => sum + (t.tag >>> 16 === 0x0002 ? encoded[i]!.length - t.valueLength : 0),
      0,
    );
    const out = new Uint8Array(template.length + delta);
    let from = 0;
    let to = 0;
    for (const i of order) {
      const target = targets[i]!;
      const value = encoded[i]!;
      out.set(template.subarray(from, target.offset), to);
      to += target.offset - from;
      to = writeHeader(out, to, template, target, value.length);
      out.set(value, to);
      to += value.length;
      from = target.valueOffset + target.valueLength;
    }
    out.set(template.subarray(from), to);
    if (groupLength && metaDelta !== 0) {
      // Nothing before (0002,0000) moved, so its offset is the same in the copy.
      writeUint32(out, groupLength.valueOffset, originalMetaLength + metaDelta);
    }
    return out;
  };
}

/** DICOM values have even lengths: UIDs pad with NUL, other strings with a space. */
function encodeValue(target: ElementLocation, value: string): Uint8Array {
  if (!/^[\x20-\x7e]*$/.test(value)) {
    throw new Error(`${tagName(target.tag)}: only printable ASCII is supported`);
  }
  if (target.vr === "UI" && (value.length > 64 || !/^[0-9.]*$/.test(value))) {
    throw new Error(`${tagName(target.tag)}: "${value}" is not a valid UID`);
  }
  const padded = value.length % 2 === 0 ? value : value + (target.vr === "UI" ? "\0" : " ");
  const bytes = new TextEncoder().encode(padded);
  if (!isLongVr(target.vr) && bytes.length > SHORT_LENGTH_MAX) {
    throw new Error(`${tagName(target.tag)}: value too long for a 16-bit length`);
  }
  return bytes;
}

/** Copies tag and VR from the template and writes the new length; returns the offset after the header. */
function writeHeader(
  out: Uint8Array,
  at: number,
  template: Uint8Array,
  target: ElementLocation,
  length: number,
): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(template.subarray(target.offset, target.offset + 6), at);
  if (target.headerLength === 12) {
    view.setUint16(at + 6, 0, true);
    view.setUint32(at + 8, length, true);
  } else {
    view.setUint16(at + 6, length, true);
  }
  return at + target.headerLength;
}

function readUint32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);
}

function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(at, value, true);
}
