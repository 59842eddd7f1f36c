// The value representations (PS3.5 6.2, 7.1.2): how each VR is framed and padded, and what its
// value is made of. The parser, the writer and the value decoder all read this one table.

/** What a value of the VR holds. */
type VrKind = "text" | "bytes" | "numbers" | "sequence";

interface VrInfo {
  kind: VrKind;
  /** In explicit VR, two reserved bytes and a 32-bit length follow the VR (else a 16-bit one). */
  longLength: boolean;
  /** The byte that pads a value to an even length: a space for text, NUL for UIDs and binary. */
  padding: number;
  /** Byte width of the numbers a value is made of: what a change of byte order reverses. */
  unit: number;
}

const SPACE = 0x20;
const NUL = 0x00;

const text = (longLength = false): VrInfo => ({
  kind: "text",
  longLength,
  padding: SPACE,
  unit: 1,
});
const bytes = (unit: number): VrInfo => ({ kind: "bytes", longLength: true, padding: NUL, unit });
const numbers = (unit: number, longLength = false): VrInfo => ({
  kind: "numbers",
  longLength,
  padding: NUL,
  unit,
});

const VRS: ReadonlyMap<string, VrInfo> = new Map([
  ["AE", text()],
  ["AS", text()],
  ["AT", numbers(2)],
  ["CS", text()],
  ["DA", text()],
  ["DS", text()],
  ["DT", text()],
  ["FD", numbers(8)],
  ["FL", numbers(4)],
  ["IS", text()],
  ["LO", text()],
  ["LT", text()],
  ["OB", bytes(1)],
  ["OD", bytes(8)],
  ["OF", bytes(4)],
  ["OL", bytes(4)],
  ["OV", bytes(8)],
  ["OW", bytes(2)],
  ["PN", text()],
  ["SH", text()],
  ["SL", numbers(4)],
  ["SQ", { kind: "sequence", longLength: true, padding: NUL, unit: 1 }],
  ["SS", numbers(2)],
  ["ST", text()],
  ["SV", numbers(8, true)],
  ["TM", text()],
  ["UC", text(true)],
  ["UI", { ...text(), padding: NUL }],
  ["UL", numbers(4)],
  ["UN", bytes(1)],
  ["UR", text(true)],
  ["US", numbers(2)],
  ["UT", text(true)],
  ["UV", numbers(8, true)],
]);

export const isKnownVr = (vr: string): boolean => VRS.has(vr);

/**
 * The header length of an explicit VR element from the two bytes of its VR, without building a
 * string: 12 for the VRs with a 32-bit length (and DCMTK's "ox"/"lt", and unknown upper-case
 * VRs, read as future VRs), 8 otherwise. For the parser's hot path over repeated elements.
 */
export function explicitHeaderLength(a: number, b: number): 8 | 12 {
  return LONG_HEADER_CODES.has((a << 8) | b) ? 12 : 8;
}

const LONG_HEADER_CODES: ReadonlySet<number> = (() => {
  const codes = new Set<number>();
  const code = (vr: string) => (vr.charCodeAt(0) << 8) | vr.charCodeAt(1);
  for (let a = 0x41; a <= 0x5a; a++) {
    for (let b = 0x41; b <= 0x5a; b++) {
      const vr = String.fromCharCode(a, b);
      if (!VRS.has(vr) || VRS.get(vr)!.longLength) codes.add(code(vr));
    }
  }
  codes.add(code("ox"));
  codes.add(code("lt"));
  return codes;
})();

/** A known VR as the parser meets it: its one string, and whether its header is the long one. */
export interface KnownVr {
  vr: string;
  longLength: boolean;
}

const KNOWN_BY_CODE: (KnownVr | undefined)[] = (() => {
  const table: (KnownVr | undefined)[] = new Array(26 * 26);
  for (const [vr, info] of VRS) {
    table[(vr.charCodeAt(0) - 0x41) * 26 + vr.charCodeAt(1) - 0x41] = {
      vr,
      longLength: info.longLength,
    };
  }
  return table;
})();

/**
 * The known VR written as the two bytes `a` and `b`, or undefined: no string is built and no map
 * looked up per element (the parser's hot path).
 */
export function knownVr(a: number, b: number): KnownVr | undefined {
  if (a < 0x41 || a > 0x5a || b < 0x41 || b > 0x5a) return undefined;
  return KNOWN_BY_CODE[(a - 0x41) * 26 + b - 0x41];
}

/** Whether the VR takes the 12-byte explicit header (an unknown VR does not). */
export const isLongVr = (vr: string): boolean => VRS.get(vr)?.longLength ?? false;

/** OB, OD, OF, OL, OV, OW and UN: opaque values, never shown as text. */
export const isBinaryVr = (vr: string): boolean => VRS.get(vr)?.kind === "bytes";

export const isTextVr = (vr: string): boolean => VRS.get(vr)?.kind === "text";

/** The padding byte of the VR; an unknown VR is padded as text. */
export const paddingByte = (vr: string): number => VRS.get(vr)?.padding ?? SPACE;

/** The unit a change of byte order swaps; 1 (nothing to swap) for text, OB, UN, unknown VRs. */
export const swapUnit = (vr: string): number => VRS.get(vr)?.unit ?? 1;
