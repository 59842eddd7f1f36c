// Whether bytes may be a DICOM file, from their first bytes only, so that an archive entry or an
// upload that is not one is skipped before it is read whole: a Part 10 preamble ("DICM" at 128),
// a meta group without preamble, or a dataset as DCMTK reads one bare (its first tag in an even
// group up to 0008; never the command group 0000, which no stored dataset begins with, and which
// is what a run of zero bytes looks like).
export const SNIFF_LENGTH = 132;

export function mayBeDicom(head: Uint8Array): boolean {
  if (
    head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 &&
    head[131] === 0x4d
  ) return true;
  if (head.length < 8) return false;
  const group = head[0]! | (head[1]! << 8);
  return group >= 0x0002 && group <= 0x0008 && group % 2 === 0;
}
