// The order JPEG writes a block's coefficients in, shared by the encoder and the decoder.
/** Zigzag position → natural (row-major) position of the 64 coefficients of a block. */
export const ZIGZAG: readonly number[] = (() => {
  const out: number[] = [];
  for (let s = 0; s < 15; s++) {
    const rows = [];
    for (let row = Math.max(0, s - 7); row <= Math.min(s, 7); row++) rows.push(row);
    if (s % 2 === 0) rows.reverse();
    for (const row of rows) out.push(row * 8 + (s - row));
  }
  return out;
})();
