// UID generation: "2.25." followed by a random UUID as a decimal integer (PS3.5 B.2), which
// needs no registered root and cannot collide in practice.
export type UidLevel = "patient" | "study" | "series" | "instance";

export function generateUid(_level: UidLevel): string {
  const hex = crypto.randomUUID().replace(/-/g, "");
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}
